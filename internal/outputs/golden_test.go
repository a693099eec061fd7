package outputs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/mparticle/mparticletest"
	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/golden"
)

// TestGolden runs testdata/outputs. received.txt holds, run by run, what
// each output's destination got: for a webhook output (whose url_env the
// test points at a real signed-webhook receiver on 127.0.0.1) every
// request's records, for an mparticle output the batches an Events API
// bulk endpoint on 127.0.0.1 accepted, for a files output every file a
// sync wrote.
func TestGolden(t *testing.T) {
	golden.RunAllWatched(t, "../../testdata/outputs", golden.Dumps{
		"records.txt":  "SELECT output || ' ' || key || ' ' || CAST(payload AS VARCHAR) || ' run ' || run_id FROM output_records ORDER BY output, key",
		"syncs.txt":    "SELECT output || ' sync ' || sync_id || ' run ' || run_id || ': ' || status || ' +' || added || ' ~' || changed || ' -' || removed || ' invalid ' || invalid || ' failed ' || failed FROM output_runs ORDER BY sync_id",
		"failures.txt": "SELECT output || ' ' || key || ' ' || error FROM output_failures ORDER BY sync_id, key",
	}, watch)
}

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// watch starts a receiver for each webhook output of the case (its
// url_env names the variable to set) and reports, after each run, what
// every destination got since the run before.
func watch(t *testing.T, work string) func(t *testing.T, run string) string {
	p, err := config.Load(filepath.Join(work, "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("MOSAIC_TEST_HOOK_SECRET", secret)
	receivers := map[string]*webhooktest.Receiver{}
	mp := map[string]*mparticletest.Server{}
	for _, o := range p.Outputs {
		switch o.Kind {
		case "webhook":
			receivers[o.Name] = webhooktest.New(t, secret)
			t.Setenv("MOSAIC_TEST_HOOK_"+strings.ToUpper(o.Name), receivers[o.Name].URL)
		case "mparticle":
			mp[o.Name] = mparticletest.New(t, "mp-key", "mp-secret")
			t.Setenv("MOSAIC_TEST_MP_URL", mp[o.Name].URL)
			t.Setenv("MOSAIC_TEST_MP_KEY", "mp-key")
			t.Setenv("MOSAIC_TEST_MP_SECRET", "mp-secret")
		}
	}
	seenRequests, seenBatches := map[string]int{}, map[string]int{}
	seenFiles := map[string]bool{}
	return func(t *testing.T, run string) string {
		var b strings.Builder
		for _, o := range p.Outputs {
			if srv := mp[o.Name]; srv != nil {
				got := srv.Batches()
				fmt.Fprintf(&b, "%s: %d batches accepted\n", o.Name, len(got)-seenBatches[o.Name])
				for _, batch := range got[seenBatches[o.Name]:] {
					fmt.Fprintf(&b, "  %s\n", batch)
				}
				seenBatches[o.Name] = len(got)
			}
			if rc := receivers[o.Name]; rc != nil {
				reqs := rc.Requests()
				for _, r := range reqs[seenRequests[o.Name]:] {
					if r.Batches != nil {
						fmt.Fprintf(&b, "%s: POST %d batches, answered %d\n", o.Name, len(r.Batches), r.Status)
						for _, batch := range r.Batches {
							fmt.Fprintf(&b, "  %s\n", batch)
						}
						continue
					}
					fmt.Fprintf(&b, "%s: POST %d records, answered %d\n", o.Name, len(r.Payload.Records), r.Status)
					for _, rec := range r.Payload.Records {
						fmt.Fprintf(&b, "  %s %s %s\n", rec.Op, rec.Key, rec.Fields)
					}
				}
				seenRequests[o.Name] = len(reqs)
			}
		}
		files, _ := filepath.Glob(filepath.Join(work, "out", "*", "*"))
		slices.Sort(files)
		for _, f := range files {
			rel, _ := filepath.Rel(work, f)
			if seenFiles[rel] {
				continue
			}
			seenFiles[rel] = true
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(rel + "\n" + string(data))
		}
		return b.String()
	}
}

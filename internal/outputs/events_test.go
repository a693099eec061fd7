package outputs_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/connectors/mparticle/mparticletest"
	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// eventsDir is a pipeline directory for the events output tests: write
// puts a pipeline file or a data file in it, run runs the pipeline (and
// syncs) at midnight of a June 2026 day.
type eventsDir string

func (d eventsDir) write(t *testing.T, name, content string) {
	t.Helper()
	path := filepath.Join(string(d), name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (d eventsDir) run(t *testing.T, day int) (*pipeline.Result, error) {
	t.Helper()
	p, err := pipeline.Load(filepath.Join(string(d), "pipeline.yaml"), builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	return (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: time.Date(2026, 6, day, 0, 0, 0, 0, time.UTC)})
}

// forwarded reads the batches the files output of d wrote under out/.
func (d eventsDir) forwarded(t *testing.T) []json.RawMessage {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(string(d), "out", "*"))
	var batches []json.RawMessage
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var rec struct {
				Batch json.RawMessage `json:"batch"`
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			batches = append(batches, rec.Batch)
		}
	}
	return batches
}

// decodeBatch decodes a forwarded batch, numbers as json.Number.
func decodeBatch(t *testing.T, b json.RawMessage) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not a batch: %s: %v", b, err)
	}
	return m
}

// TestEventsForwardKeepsNulls: a batch's null fields (device_info's
// push_token, a null nested in context) and the profile's null-valued
// attribute reach a webhook and an Events API endpoint as they reach the
// files output: `nulls:` is about profile and audience records, and a
// forwarded batch goes with every field it had.
func TestEventsForwardKeepsNulls(t *testing.T) {
	d := eventsDir(t.TempDir())
	hook := webhooktest.New(t, "")
	mp := mparticletest.New(t, "mp-key", "mp-secret")
	t.Setenv("MOSAIC_TEST_HOOK_URL", hook.URL)
	t.Setenv("MOSAIC_TEST_MP_URL", mp.URL)
	t.Setenv("MOSAIC_TEST_MP_KEY", "mp-key")
	t.Setenv("MOSAIC_TEST_MP_SECRET", "mp-secret")
	d.write(t, "pipeline.yaml", `version: 1
name: nulls
state: ./store.duckdb
identity: { priority: [customerid, email] }
feeds:
  - { name: web, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
outputs:
  - { name: hook, kind: webhook, url_env: MOSAIC_TEST_HOOK_URL, send: events }
  - { name: mp, kind: mparticle, url_env: MOSAIC_TEST_MP_URL, key_env: MOSAIC_TEST_MP_KEY, secret_env: MOSAIC_TEST_MP_SECRET, send: events }
  - { name: file, kind: files, path: out, send: events }
`)
	d.write(t, "data/1.ndjson", `{"environment":"production","source_request_id":"r1","user_identities":{"email":"a@x.com"},`+
		`"user_attributes":{"plan":null,"tier":"gold"},"device_info":{"platform":"iOS","push_token":null},`+
		`"context":{"data_plan":{"plan_id":"p","plan_version":null}},`+
		`"events":[{"event_type":"custom_event","data":{"event_name":"e","timestamp_unixtime_ms":1780000000000}}]}`+"\n")
	if _, err := d.run(t, 1); err != nil {
		t.Fatal(err)
	}
	var hooked []json.RawMessage
	for _, r := range hook.Requests() {
		hooked = append(hooked, r.Batches...)
	}
	got := map[string][]json.RawMessage{"file": d.forwarded(t), "hook": hooked, "mp": mp.Batches()}
	for name, batches := range got {
		if len(batches) != 1 {
			t.Fatalf("%s got %d batches, want 1", name, len(batches))
		}
		b := decodeBatch(t, batches[0])
		for _, path := range [][]string{{"device_info", "push_token"}, {"context", "data_plan", "plan_version"}, {"user_attributes", "plan"}} {
			v, ok := any(b), true
			for _, k := range path {
				m, _ := v.(map[string]any)
				if v, ok = m[k]; !ok {
					break
				}
			}
			if !ok || v != nil {
				t.Errorf("%s: %s is missing or not null (%v) in %s", name, strings.Join(path, "."), v, batches[0])
			}
		}
	}
	if diff := cmp.Diff(decodeBatch(t, got["file"][0]), decodeBatch(t, got["hook"][0])); diff != "" {
		t.Errorf("the webhook's batch differs from the files output's (-file +hook):\n%s", diff)
	}
	if diff := cmp.Diff(decodeBatch(t, got["file"][0]), decodeBatch(t, got["mp"][0])); diff != "" {
		t.Errorf("the Events API endpoint's batch differs from the files output's (-file +mp):\n%s", diff)
	}
}

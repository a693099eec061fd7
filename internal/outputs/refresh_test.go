package outputs_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/files"
	"github.com/mosaic-cdp/mosaic/connectors/webhook"
	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/outputs"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// refreshing is the webhook destination as a connectors.Refresher: its
// records are sent again a day after their delivery.
type refreshing struct{ connectors.Destination }

func (refreshing) RefreshAfter(connectors.OutputRequest) (time.Duration, error) {
	return 24 * time.Hour, nil
}

// TestRefresh: with the sync's clock fixed, a member held for more than
// RefreshAfter is sent again (an add with its payload and a new
// idempotency key), counted as refreshed (a dry run says so first, and
// sends nothing); one held for less is not.
func TestRefresh(t *testing.T) {
	dir := t.TempDir()
	rc := webhooktest.New(t, secret)
	t.Setenv("MOSAIC_TEST_HOOK_SECRET", secret)
	t.Setenv("MOSAIC_TEST_HOOK_GOLD", rc.URL)
	reg := connectors.NewRegistry()
	reg.RegisterSource("files", files.New())
	reg.RegisterDestination("webhook", refreshing{webhook.New()})
	yaml := connectortest.GoldPipeline("refresh", "  - { name: gold, kind: webhook, url_env: MOSAIC_TEST_HOOK_GOLD, secret_env: MOSAIC_TEST_HOOK_SECRET, send: audience, audience: gold, identities: [email] }\n")
	if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	// step runs the pipeline with emails entering gold (no sync), then
	// syncs at t0+at.
	step := func(n int, at time.Duration, dry bool, emails ...string) outputs.Result {
		t.Helper()
		var lines []string
		for _, e := range emails {
			lines = append(lines, connectortest.GoldUser(e, "gold"))
		}
		if err := os.WriteFile(filepath.Join(dir, "data", time.Duration(n).String()+".ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), reg)
		if err != nil {
			t.Fatal(err)
		}
		if len(emails) > 0 {
			if _, err := (&pipeline.Runner{Registry: reg}).Run(context.Background(), p, pipeline.Options{Now: t0.Add(at), NoSync: true}); err != nil {
				t.Fatal(err)
			}
		}
		store, err := engine.Open(context.Background(), p.State, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		res, err := (&outputs.Syncer{Registry: reg}).Sync(context.Background(), store, p, outputs.Options{Now: t0.Add(at), DryRun: dry, Samples: 10})
		if err != nil {
			t.Fatalf("sync at +%s: %v", at, err)
		}
		return res[0]
	}
	// sent returns the records the receiver got since the last call, as
	// "op email", and their idempotency keys by email.
	seen := 0
	idem := map[string][]string{}
	sent := func() []string {
		var got []string
		reqs := rc.Requests()
		for _, r := range reqs[seen:] {
			for _, rec := range r.Payload.Records {
				email := strings.Trim(strings.SplitN(strings.SplitN(string(rec.Fields), `"email":[`, 2)[1], "]", 2)[0], `"`)
				got = append(got, rec.Op+" "+email)
				idem[email] = append(idem[email], rec.IdempotencyKey)
			}
		}
		seen = len(reqs)
		slices.Sort(got)
		return got
	}

	if r := step(1, 0, false, "a@x.com", "b@x.com"); r.Added != 2 || r.Refreshed != 0 {
		t.Fatalf("first sync: %+v", r)
	}
	sent()
	// 13 hours on, c enters; a and b were delivered 13h ago: not due.
	if r := step(2, 13*time.Hour, false, "c@x.com"); r.Added != 1 || r.Refreshed != 0 {
		t.Errorf("sync at +13h: added %d, refreshed %d; want 1, 0", r.Added, r.Refreshed)
	}
	if got := sent(); !slices.Equal(got, []string{"add c@x.com"}) {
		t.Errorf("sync at +13h sent %v, want c's add alone", got)
	}
	// At +25h, a and b (held 25h) are due, c (held 12h) is not. A dry
	// run says so and sends nothing.
	dry := step(3, 25*time.Hour, true)
	if dry.Refreshed != 2 || dry.Added+dry.Changed+dry.Removed != 0 || len(dry.Samples) != 2 || dry.Samples[0].Op != connectors.OpAdd {
		t.Errorf("dry run at +25h: %+v; want 2 refreshes (adds) and nothing else", dry)
	}
	if got := sent(); len(got) != 0 {
		t.Errorf("the dry run sent %v", got)
	}
	r := step(3, 25*time.Hour, false)
	if r.Refreshed != 2 || r.Added+r.Changed+r.Removed+r.Failed != 0 || r.Holds != 3 {
		t.Errorf("sync at +25h: %+v; want 2 refreshed, holding 3", r)
	}
	if got := sent(); !slices.Equal(got, []string{"add a@x.com", "add b@x.com"}) {
		t.Errorf("sync at +25h sent %v, want a's and b's adds again", got)
	}
	if k := idem["a@x.com"]; len(k) != 2 || k[0] == k[1] {
		t.Errorf("a's idempotency keys %v: a refresh must not look like a resend of the first add", k)
	}
	// Right after, nothing is due: the refresh reset a's and b's clocks.
	if r := step(4, 26*time.Hour, false); r.Refreshed != 0 {
		t.Errorf("sync at +26h refreshed %d, want 0", r.Refreshed)
	}
	// At +38h c (delivered at +13h) is due, a and b (at +25h) are not.
	if r := step(5, 38*time.Hour, false); r.Refreshed != 1 {
		t.Errorf("sync at +38h refreshed %d, want 1", r.Refreshed)
	}
	if got := sent(); !slices.Equal(got, []string{"add c@x.com"}) {
		t.Errorf("sync at +38h sent %v, want c's add again", got)
	}
	// output_runs records each sync's refreshes.
	db, err := sql.Open("duckdb", filepath.Join(dir, "store.duckdb")+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var counts string
	if err := db.QueryRow("SELECT CAST(list(refreshed ORDER BY sync_id) AS VARCHAR) FROM output_runs").Scan(&counts); err != nil {
		t.Fatal(err)
	}
	if counts != "[0, 0, 2, 0, 1]" {
		t.Errorf("output_runs.refreshed by sync: %s, want [0, 0, 2, 0, 1]", counts)
	}
}

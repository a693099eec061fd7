package outputs_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestFullRefreshForwardsEachBatchOnce: an events output forwards every
// batch once, a batch of user attributes alone too. A full refresh stores
// every feed's history again as its own run's rows; the output forwards
// from it only what it had not forwarded: a batch of a run it had not
// synced yet and the batches new in the refresh, not the ones it had
// (batch and columnar feeds alike).
func TestFullRefreshForwardsEachBatchOnce(t *testing.T) {
	d := eventsDir(t.TempDir())
	d.write(t, "pipeline.yaml", `version: 1
name: refresh
state: ./store.duckdb
identity: { priority: [customerid, email] }
feeds:
  - { name: web, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
  - { name: visits, source: { kind: files, path: "visits/*.csv" }, source_type: csv, identities: { email: email }, timestamp: at, event_name: kind }
outputs:
  - { name: fwd, kind: files, path: out, send: events }
`)
	batch := func(id, email, name string) string {
		return `{"environment": "production", "source_request_id": "` + id + `", "user_identities": {"email": "` + email + `"}, ` +
			`"events": [{"event_type": "custom_event", "data": {"event_name": "` + name + `", "timestamp_unixtime_ms": 1780000000000}}]}` + "\n"
	}
	run := func(day int, full, noSync bool) {
		t.Helper()
		if err := d.runWith(t, day, pipeline.Options{FullRefresh: full, NoSync: noSync}); err != nil {
			t.Fatal(err)
		}
	}
	// forwarded lists the event names of every batch the output wrote, or
	// the request id of a batch of user attributes alone.
	forwarded := func() []string {
		t.Helper()
		var names []string
		for _, b := range d.forwarded(t) {
			var batch struct {
				ID     string `json:"source_request_id"`
				Events []struct {
					Data struct {
						Name string `json:"event_name"`
					} `json:"data"`
				} `json:"events"`
			}
			if err := json.Unmarshal(b, &batch); err != nil {
				t.Fatalf("%v: %s", err, b)
			}
			for _, e := range batch.Events {
				names = append(names, e.Data.Name)
			}
			if len(batch.Events) == 0 {
				names = append(names, batch.ID)
			}
		}
		slices.Sort(names)
		return names
	}
	attrs := `{"environment": "production", "source_request_id": "r0", "user_identities": {"email": "a@x.com"}, "user_attributes": {"tier": "gold"}, "timestamp_unixtime_ms": 1780000000000}` + "\n"
	d.write(t, "data/1.ndjson", attrs+batch("r1", "a@x.com", "e1")+batch("r2", "b@x.com", "e2"))
	d.write(t, "visits/1.csv", "email,at,kind\na@x.com,2026-05-31T10:00:00Z,visit\n")
	run(1, false, false)
	if got := forwarded(); !slices.Equal(got, []string{"e1", "e2", "r0", "visit"}) {
		t.Fatalf("after run 1: forwarded %q, want the batch of attributes alone too", got)
	}
	d.write(t, "data/2.ndjson", batch("r3", "c@x.com", "e3"))
	run(2, false, true) // not synced: the output has not forwarded e3
	d.write(t, "data/3.ndjson", batch("r4", "d@x.com", "e4"))
	run(3, true, false)
	if got, want := forwarded(), []string{"e1", "e2", "e3", "e4", "r0", "visit"}; !slices.Equal(got, want) {
		t.Errorf("after a full refresh: forwarded %q in all, want %q (each batch once)", got, want)
	}
	run(4, false, false)
	if got := forwarded(); len(got) != 6 {
		t.Errorf("after the run past the refresh: forwarded %q in all, want the same 6", got)
	}
	// A refresh the output does not sync past, then another.
	run(5, true, true)
	run(6, true, false)
	if got := forwarded(); len(got) != 6 {
		t.Errorf("after two more refreshes, the first not synced: forwarded %q in all, want the same 6", got)
	}
	db, err := sql.Open("duckdb", filepath.Join(string(d), "store.duckdb")+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var marks int
	if err := db.QueryRow("SELECT count(*) FROM _mosaic.output_forwarded").Scan(&marks); err != nil || marks != 0 {
		t.Errorf("marks of the refresh's forwarded rows left once the output passed it: %d (%v)", marks, err)
	}
}

package retention_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestRetentionTakesStagedRows: retention deletes what was staged with
// what it deletes: the rows staged for a profile it deletes (their
// identities, events and raw batches), the dictionary entries of values
// only that profile held or its rows carried, and the staged copies of
// events older than the events' window. A profile seen since keeps its
// rows.
func TestRetentionTakesStagedRows(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) { t.Helper(); writeFile(t, filepath.Join(dir, name), text) }
	write("pipeline.yaml", `version: 1
name: retention
state: ./store.duckdb
retention: { events: 2d, profiles: 2d }
identity: { priority: [customerid, email], limits: { email: 1 } }
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
outputs:
  - { name: fwd, kind: files, path: out, send: events }
`)
	batch := func(ids, ms string) string {
		return `{"environment": "production", "user_identities": {` + ids + `}, ` +
			`"events": [{"event_type": "custom_event", "data": {"event_name": "order"}}], "timestamp_unixtime_ms": ` + ms + `}` + "\n"
	}
	run := func(day int) {
		t.Helper()
		p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: time.Date(2026, 6, day, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatalf("run on day %d: %v", day, err)
		}
	}
	// Day 1: Ann and Bob; Bob's second e-mail is refused (one a profile).
	write("data/1.ndjson", batch(`"customer_id": "ann", "email": "ann@x.com"`, "1780228800000")+
		batch(`"customer_id": "B0B", "email": "bob@x.com"`, "1780232400000")+
		batch(`"customer_id": "B0B", "email": "bob.second@x.com"`, "1780236000000"))
	run(1)
	// Day 6: Ann again; Bob was last seen more than two days before.
	write("data/2.ndjson", batch(`"customer_id": "ann"`, "1780660800000"))
	run(6)
	db, err := sql.Open("duckdb", filepath.Join(dir, "store.duckdb")+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct{ what, q, want string }{
		{"profiles", "SELECT string_agg(identity_value, ',' ORDER BY identity_value) FROM profile_identities", "ann,ann@x.com"},
		{"Bob's staged identities", "SELECT count(*) FROM _mosaic.feed_identities WHERE identity_value IN ('B0B', 'bob@x.com', 'bob.second@x.com')", "0"},
		{"Bob's raw batches", "SELECT count(*) FROM _mosaic.feed_batches WHERE contains(batch, 'B0B')", "0"},
		{"Bob's staged rows", "SELECT count(*) FROM _mosaic.feed_rows WHERE row_id NOT IN (SELECT row_id FROM _mosaic.row_profiles)", "0"},
		{"Bob's dictionary entries", "SELECT count(*) FROM _mosaic.identity_dict WHERE identity_value IN ('B0B', 'bob@x.com', 'bob.second@x.com')", "0"},
		{"Ann's dictionary entries", "SELECT count(*) FROM _mosaic.identity_dict WHERE identity_value IN ('ann', 'ann@x.com')", "2"},
		{"staged events before the window", "SELECT count(*) FROM _mosaic.feed_events WHERE occurred_at < '2026-06-04'", "0"},
		{"staged events in it", "SELECT count(*) FROM _mosaic.feed_events", "1"},
		{"Ann's staged rows", "SELECT count(*) FROM _mosaic.feed_rows", "2"},
	} {
		var got string
		if err := db.QueryRow(c.q).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if got != c.want {
			t.Errorf("%s: %s, want %s", c.what, got, c.want)
		}
	}
}

// writeFile writes text to path, making its folder.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

package retention_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestRetentionTakesOldRunsDroppedRows: a run deletes the dropped rows of
// the runs that started before its clock less the shorter window
// (retention.profiles' 2d here, not retention.events' 30d), and drops
// from those runs' stats the lists that name people (profiles.shared's
// identity values, profiles.largest's and retention.deleted_mpids'
// MPIDs), keeping their counts. A run
// that started since keeps both; the stats count what went.
func TestRetentionTakesOldRunsDroppedRows(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) { t.Helper(); writeFile(t, filepath.Join(dir, name), text) }
	write("pipeline.yaml", `version: 1
name: retention
state: ./store.duckdb
retention: { events: 30d, profiles: 2d }
identity: { priority: [customerid, email], max_shared: { email: 1 } }
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
`)
	now := time.Now().UTC()
	batch := func(ids string) string {
		return `{"environment": "production", "user_identities": {` + ids + `}, "timestamp_unixtime_ms": ` +
			strconv.FormatInt(now.UnixMilli(), 10) + `}` + "\n"
	}
	open := func() *sql.DB {
		t.Helper()
		db, err := sql.Open("duckdb", filepath.Join(dir, "store.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	run := func() {
		t.Helper()
		p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: now}); err != nil {
			t.Fatal(err)
		}
	}
	// Run 1: two customers share an e-mail (profiles.shared names it), and
	// a broken line holds Cat's.
	write("data/1.ndjson", batch(`"customer_id": "ann", "email": "home@x.com"`)+
		batch(`"customer_id": "bob", "email": "home@x.com"`)+
		`{"user_identities": {"email": "cat@x.com"`+"\n")
	run()
	// It started three days before the next run's clock, and (as if its
	// retention had deleted two profiles) names their MPIDs.
	db := open()
	if _, err := db.Exec(`UPDATE _mosaic.runs SET started_at = started_at - INTERVAL 3 DAY,
		stats = json_merge_patch(stats, '{"retention": {"profiles_deleted": 2, "deleted_mpids": [11, 12]}}') WHERE run_id = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Run 2: the same again, Dan's line broken.
	write("data/2.ndjson", batch(`"customer_id": "eve", "email": "work@x.com"`)+
		batch(`"customer_id": "fay", "email": "work@x.com"`)+
		`{"user_identities": {"email": "dan@x.com"`+"\n")
	run()
	db = open()
	defer db.Close()
	for _, c := range []struct{ what, q, want string }{
		{"dropped rows", `SELECT string_agg(run_id || ' ' || reason, ', ' ORDER BY run_id, reason) FROM dropped_rows`,
			"2 invalid_json, 2 shared_identity"},
		{"Cat's e-mail", `SELECT count(*) FROM _mosaic.dropped_rows WHERE contains(CAST("row" AS VARCHAR), 'cat@x.com')`, "0"},
		{"run 1's lists", `SELECT CAST(json_exists(stats, '$.profiles.shared') AS VARCHAR) || ' ' || CAST(json_exists(stats, '$.profiles.largest') AS VARCHAR) || ' ' || CAST(json_exists(stats, '$.retention.deleted_mpids') AS VARCHAR) FROM runs WHERE run_id = 1`,
			"false false false"},
		{"run 1's counts", `SELECT (stats->>'$.profiles.shared_values') || ' ' || (stats->>'$.profiles.created') || ' ' || (stats->>'$.retention.profiles_deleted') FROM runs WHERE run_id = 1`, "1 2 2"},
		{"run 2's lists", `SELECT json_array_length(stats->'$.profiles.shared') || ' ' || json_array_length(stats->'$.profiles.largest') FROM runs WHERE run_id = 2`,
			"1 2"},
		{"run 2's retention stats", `SELECT (stats->>'$.retention.dropped_rows_deleted') || ' ' || (stats->>'$.retention.run_stats_cleared') FROM runs WHERE run_id = 2`,
			"2 1"},
	} {
		var got sql.NullString
		if err := db.QueryRow(c.q).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if got.String != c.want {
			t.Errorf("%s: %q, want %q", c.what, got.String, c.want)
		}
	}
}

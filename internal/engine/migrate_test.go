package engine

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// storeAtVersion writes a store of schema version n (its first n
// migrations) and returns its path and a plain connection to it, for a
// test to fill before the store opens and migrates it.
func storeAtVersion(t *testing.T, n int) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.duckdb")
	raw, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations()[:n] {
		if _, err := raw.Exec(sqlfiles.Get(m)); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
	if _, err := raw.Exec(sqlfiles.Get("engine/set_schema_version.sql"), fmt.Sprint(n)); err != nil {
		t.Fatal(err)
	}
	return path, raw
}

// TestStringCompressionMigration: a store of schema version 16 is brought
// to the current version with its rows as they were (events still in their order),
// and the rewritten columns keep their named compression in segments
// written after it, where DuckDB's own choice for these values (few
// distinct) would be a dictionary.
func TestStringCompressionMigration(t *testing.T) {
	ctx := context.Background()
	path, raw := storeAtVersion(t, 16)
	exec := func(db interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}, q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(raw, `INSERT INTO _mosaic.events SELECT 'e' || i, i, 'web', 'custom_event', NULL, TIMESTAMPTZ '2026-05-01 00:00:00+00' + INTERVAL (i) MINUTE, NULL, 'b' || (i // 2), DATE '2026-05-01' + CAST(i // 1440 AS INTEGER), 1 FROM range(5000) r(i)`)
	exec(raw, `INSERT INTO _mosaic.feed_events SELECT i, 'e' || i, 'custom_event', NULL, TIMESTAMPTZ '2026-05-01 00:00:00+00', NULL, 0, 'b' || i FROM range(300) r(i)`)
	exec(raw, `INSERT INTO _mosaic.feed_identities SELECT i, 'email', 'u' || i || '@example.com' FROM range(300) r(i)`)
	exec(raw, `INSERT INTO _mosaic.identity_dict SELECT i, 'email', 'u' || i || '@example.com', 1000 + i FROM range(300) r(i)`)
	exec(raw, `INSERT INTO _mosaic.feed_rows SELECT i, 1, 'web', 0, i, TIMESTAMPTZ '2026-05-01 00:00:00+00', NULLIF(i % 3, 0), 'web.ndjson:' || i, 'r' || i FROM range(300) r(i)`)
	const digest = `SELECT (SELECT string_agg(event_id || '/' || batch_id || '/' || occurred_day, ',') FROM _mosaic.events) || ' ' ||
		(SELECT sum(hash(row_id, event_id, batch_id)) FROM _mosaic.feed_events) || ' ' ||
		(SELECT sum(hash(row_id, identity_value)) FROM _mosaic.feed_identities) || ' ' ||
		(SELECT sum(hash(id, identity_value, seed)) FROM _mosaic.identity_dict) || ' ' ||
		(SELECT string_agg(row_id || '/' || coalesce(mpid, 0) || '/' || origin || '/' || request_id, ',' ORDER BY row_id) FROM _mosaic.feed_rows)`
	var before string
	if err := raw.QueryRowContext(ctx, digest).Scan(&before); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	s := openStore(t, path)
	var after string
	if err := s.Conn().QueryRowContext(ctx, digest).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Errorf("the migration changed the rows:\nbefore %.200s\nafter  %.200s", before, after)
	}

	// Many rows of two values each: DuckDB alone would write a dictionary.
	for _, q := range []string{
		`INSERT INTO _mosaic.events (event_id, mpid, feed, event_type, event_name, occurred_at, attributes, batch_id, occurred_day, run_id)
			SELECT 'e' || (i % 2), 0, 'web', 't', NULL, now(), NULL, 'b' || (i % 2), DATE '2026-06-01', 2 FROM range(150000) r(i)`,
		`INSERT INTO _mosaic.feed_events (row_id, event_id, event_type, event_name, occurred_at, attributes, feed_pos, batch_id)
			SELECT i, 'e' || (i % 2), 't', NULL, now(), NULL, 0, 'b' || (i % 2) FROM range(150000) r(i)`,
		`INSERT INTO _mosaic.feed_identities SELECT i, 'email', 'v' || (i % 2) FROM range(150000) r(i)`,
		`INSERT INTO _mosaic.identity_dict SELECT 1000 + i, 'email', 'v' || (i % 2), i FROM range(150000) r(i)`,
		`INSERT INTO _mosaic.feed_rows (row_id, run_id, feed, feed_pos, row_pos, ts, mpid, origin, request_id)
			SELECT 1000 + i, 2, 'crm', 1, i, now(), NULL, 'crm.parquet', 'r' || (i % 2) FROM range(150000) r(i)`,
		`CHECKPOINT`,
	} {
		exec(s.Conn(), q)
	}
	want := map[string]string{
		"events.event_id": "FSST", "events.batch_id": "FSST", "events.feed": "Dictionary",
		"feed_events.event_id": "FSST", "feed_events.batch_id": "FSST",
		"feed_identities.identity_value": "FSST", "identity_dict.identity_value": "Uncompressed",
		"feed_rows.origin": "FSST", "feed_rows.request_id": "FSST", "feed_rows.feed": "Dictionary",
	}
	got := map[string]string{}
	for col := range want {
		table, column, _ := strings.Cut(col, ".")
		var methods string
		q := fmt.Sprintf(`SELECT string_agg(DISTINCT compression, ',' ORDER BY compression) FROM pragma_storage_info('_mosaic.%s')
			WHERE column_name = '%s' AND segment_type = 'VARCHAR'`, table, column)
		if err := s.Conn().QueryRowContext(ctx, q).Scan(&methods); err != nil {
			t.Fatal(err)
		}
		got[col] = methods
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("compression by column (-want +got):\n%s", diff)
	}
}

// TestUUIDIdsMigration: a store of schema version 18 is brought to 19 with
// each request id it kept in canonical UUID text moved to request_uuid (the
// checks of batches already ingested look for such ids only there), any
// other kept as text, and its events read back through the view as they
// were.
func TestUUIDIdsMigration(t *testing.T) {
	ctx := context.Background()
	path, raw := storeAtVersion(t, 18)
	for _, q := range []string{
		`INSERT INTO _mosaic.feed_rows SELECT i, 1, 'web', 0, i, TIMESTAMPTZ '2026-05-01 00:00:00+00', NULL, 'web.ndjson:' || i, id
			FROM (VALUES (1, 'ae177935-54fd-4a0d-875d-02080755af67'), (2, 'AE177935-54FD-4A0D-875D-02080755AF67'),
			             (3, 'ae17793554fd4a0d875d02080755af67'), (4, 'r4'), (5, NULL)) v(i, id)`,
		`INSERT INTO _mosaic.events VALUES ('0c8f1d3a-9b2e-4f6a-8c1d-2e3f4a5b6c7d', 1, 'web', 'custom_event', NULL,
			TIMESTAMPTZ '2026-05-01 00:00:00+00', NULL, 'ae177935-54fd-4a0d-875d-02080755af67', DATE '2026-05-01', 1)`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	raw.Close()

	s := openStore(t, path)
	rows, err := s.Conn().QueryContext(ctx, `
		SELECT line FROM (
			SELECT row_id AS k, coalesce(CAST(request_uuid AS VARCHAR), '-') || ' ' || coalesce(request_id, '-') AS line FROM _mosaic.feed_rows
			UNION ALL SELECT 100, event_id || ' ' || batch_id FROM main.events)
		ORDER BY k`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		got = append(got, line)
	}
	want := []string{
		"ae177935-54fd-4a0d-875d-02080755af67 -",
		"- AE177935-54FD-4A0D-875D-02080755AF67",
		"- ae17793554fd4a0d875d02080755af67",
		"- r4",
		"- -",
		"0c8f1d3a-9b2e-4f6a-8c1d-2e3f4a5b6c7d ae177935-54fd-4a0d-875d-02080755af67",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request ids, then the events view (-want +got):\n%s", diff)
	}
}

// TestLastRowIDMigration: a store of schema version 22 whose newest rows
// are gone (an alias still names row 40, feed_rows go to 12) keeps 40 as
// the largest row id used, so that its next run starts at 41.
func TestLastRowIDMigration(t *testing.T) {
	ctx := context.Background()
	path, raw := storeAtVersion(t, 22)
	for _, q := range []string{
		`INSERT INTO _mosaic.feed_rows (row_id, run_id, feed, feed_pos, row_pos, ts) SELECT i, 1, 'web', 0, i, TIMESTAMPTZ '2026-05-01 00:00:00+00' FROM range(1, 13) r(i)`,
		`INSERT INTO _mosaic.aliases (alias_mpid, mpid, merged_at, run_id, row_id) VALUES (7, 8, TIMESTAMPTZ '2026-05-01 00:00:00+00', 1, 40)`,
		`INSERT INTO _mosaic.runs (run_id, pipeline, started_at, finished_at, status) VALUES (1, 'p', now(), now(), 'succeeded')`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	raw.Close()
	s := openStore(t, path)
	if _, st, err := s.BeginStaging(ctx, false); err != nil || st.FirstRow != 41 {
		t.Errorf("the next run stages from row %d (%v), want 41", st.FirstRow, err)
	}
}

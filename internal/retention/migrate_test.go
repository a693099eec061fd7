package retention_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/golden"
)

// TestMigrateEventDays opens a schema-1 store holding events out of day
// order: migration 0002 gives each its UTC day and rewrites the table in
// day order, keeping every event and the public view.
func TestMigrateEventDays(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.duckdb")
	golden.OldStore(t, path, 1,
		`INSERT INTO _mosaic.events (event_id, mpid, feed, event_type, event_name, occurred_at, attributes, batch_id) VALUES
			('c', 1, 'f', 'custom_event', 'late', '2026-05-03 23:30:00+00', '{"a":1}', NULL),
			('a', NULL, 'f', 'custom_event', 'early', '2026-05-01 00:00:00+00', NULL, 'b1'),
			('b', 2, 'f', 'custom_event', 'middle', '2026-05-02 12:00:00+02', NULL, NULL)`)

	store, err := engine.Open(ctx, path, engine.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rows, err := store.Conn().QueryContext(ctx, `SELECT event_id || ' ' || CAST(occurred_day AS VARCHAR) || ' ' || coalesce(CAST(run_id AS VARCHAR), 'no run')
		FROM _mosaic.events ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	rows.Close()
	want := []string{"a 2026-05-01 no run", "b 2026-05-02 no run", "c 2026-05-03 no run"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events after migration, in storage order (-want +got):\n%s", diff)
	}
	var n int
	if err := store.Conn().QueryRowContext(ctx, `SELECT count(*) FROM main.events WHERE attributes IS NOT NULL OR batch_id IS NOT NULL`).Scan(&n); err != nil || n != 2 {
		t.Errorf("public events view after migration: %d events with attributes or batch, err %v; want 2", n, err)
	}
}

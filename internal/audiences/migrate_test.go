package audiences_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/golden"
)

// TestMigrateAudienceIDs opens a schema-5 store whose audience entries name
// their audience: migration 0006 numbers the audiences by name, the public
// views show the same rows, and a later run numbers a new audience after
// them while a known one keeps its number.
func TestMigrateAudienceIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.duckdb")
	golden.OldStore(t, path, 5,
		`INSERT INTO _mosaic.audience_history (audience, mpid, entered_at, exited_at, run_id) VALUES
			('vip', 1, '2026-05-01 00:00:00+00', NULL, 2),
			('vip', 2, '2026-05-01 00:00:00+00', '2026-05-02 00:00:00+00', 2),
			('lapsed', 2, '2026-05-02 00:00:00+00', NULL, 3)`)
	const views = `SELECT 'history ' || audience || ' ' || mpid || ' ' || strftime(entered_at, '%Y-%m-%d') || ' ' ||
			coalesce(strftime(exited_at, '%Y-%m-%d'), '-') || ' ' || run_id FROM main.audience_history
		UNION ALL SELECT 'member ' || audience || ' ' || mpid || ' ' || strftime(entered_at, '%Y-%m-%d') FROM main.audience_members
		ORDER BY 1`
	before := golden.Dump(t, path, views)

	store, err := engine.Open(ctx, path, engine.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	if diff := cmp.Diff(before, golden.Dump(t, path, views)); diff != "" {
		t.Errorf("audience views changed by the migration (-before +after):\n%s", diff)
	}

	p := parsePipeline(t, "audiences:\n  - { name: zeta, criteria: { attribute: { key: tier, op: exists } } }\n"+
		"  - { name: vip, criteria: { attribute: { key: tier, op: exists } } }\n")
	store, err = engine.Open(ctx, path, engine.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := audiences.Run(ctx, tx, p, 4, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	store.Close()
	got := golden.Dump(t, path, `SELECT id || ' ' || name FROM _mosaic.audiences ORDER BY id`)
	if diff := cmp.Diff("1 lapsed\n2 vip\n3 zeta\n", got); diff != "" {
		t.Errorf("audience numbers (-want +got):\n%s", diff)
	}
	// No profile has a tier: vip's member and lapsed's (no longer in the
	// file) exit; the history keeps their names.
	got = golden.Dump(t, path, views)
	want := "history lapsed 2 2026-05-02 2026-06-01 3\nhistory vip 1 2026-05-01 2026-06-01 2\nhistory vip 2 2026-05-01 2026-05-02 2\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audience views after a run (-want +got):\n%s", diff)
	}
}

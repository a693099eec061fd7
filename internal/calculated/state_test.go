package calculated_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/calculated"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/golden"
)

// TestDefinitionsAddedBack: a run whose pipeline has no calculated
// attributes drops their values; when a later run has them again, they are
// new and computed for every profile, not only for what changed since.
func TestDefinitionsAddedBack(t *testing.T) {
	ctx := context.Background()
	with, err := config.Parse("oracle.yaml", []byte(oraclePipeline))
	if err != nil {
		t.Fatal(err)
	}
	without := *with
	without.CalculatedAttributes = nil
	store, err := engine.Open(ctx, filepath.Join(t.TempDir(), "store.duckdb"), engine.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC)
	if _, err := store.Conn().ExecContext(ctx, oracleEvents, 2_000, 100, now, 3); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, c := range with.CalculatedAttributes {
		kinds[c.Name] = c.Calculation
	}
	var first map[string]string
	for i, p := range []*config.Pipeline{with, &without, with} {
		tx, err := store.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := calculated.Run(ctx, tx, p, int64(2+i), now); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		got := readValues(t, store, kinds)
		switch i {
		case 0:
			first = got
		case 1:
			if len(got) != 0 {
				t.Fatalf("%d values left after a run without calculated attributes, want none", len(got))
			}
		case 2:
			if diff := cmp.Diff(first, got); diff != "" {
				t.Errorf("values when the definitions come back differ from the first computation (-first +again):\n%s", diff)
			}
		}
	}
	if len(first) == 0 {
		t.Fatal("no value computed: the test exercises nothing")
	}
}

// TestMigrateCalcValues opens a schema-4 store whose calculated attributes
// are rows of _mosaic.attributes: migration 0005 moves them to calc_values
// under numbers given by name, and profile_attributes shows the same rows.
func TestMigrateCalcValues(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.duckdb")
	golden.OldStore(t, path, 4,
		`INSERT INTO _mosaic.calc_state (name, definition, lower_at, upper_at, run_id) VALUES
			('spend', '{"kind":"sum"}', '2026-01-01', '2026-06-01', 3),
			('orders', '{"kind":"count"}', '2026-01-01', '2026-06-01', 3)`,
		`INSERT INTO _mosaic.attributes (mpid, key, value, source_type, feed, updated_at, calculated, feed_pos, run_id, row_pos) VALUES
			(1, 'tier', '"gold"', 'sdk', 'web', '2026-05-01 10:00:00+00', false, 0, 2, 7),
			(1, 'spend', '12.5', 'calculated', 'calculated', '2026-05-02 00:00:00+00', true, NULL, 3, NULL),
			(1, 'orders', '2', 'calculated', 'calculated', '2026-05-02 00:00:00+00', true, NULL, 3, NULL),
			(2, 'orders', '1', 'calculated', 'calculated', '2026-05-01 00:00:00+00', true, NULL, 2, NULL)`)
	const view = `SELECT mpid || ' ' || key || ' ' || CAST(value AS VARCHAR) || ' ' || source_type || ' ' || feed || ' ' ||
		strftime(updated_at, '%Y-%m-%d') || ' ' || CAST(calculated AS VARCHAR) FROM main.profile_attributes ORDER BY ALL`
	before := golden.Dump(t, path, view)

	store, err := engine.Open(ctx, path, engine.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	for _, c := range []struct{ what, query, want string }{
		{"profile_attributes changed by the migration", view, before},
		{"definition numbers", `SELECT name || ' ' || id FROM _mosaic.calc_state ORDER BY id`, "orders 1\nspend 2\n"},
		{"calc_values", `SELECT mpid || ' ' || attr || ' ' || run_id FROM _mosaic.calc_values ORDER BY ALL`, "1 1 3\n1 2 3\n2 1 2\n"},
		{"calculated rows left in _mosaic.attributes", `SELECT CAST(count(*) AS VARCHAR) FROM _mosaic.attributes WHERE calculated`, "0\n"},
	} {
		if diff := cmp.Diff(c.want, golden.Dump(t, path, c.query)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.what, diff)
		}
	}
}

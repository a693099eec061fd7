package calculated_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/attributes"
	"github.com/mosaic-cdp/mosaic/internal/calculated"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// TestValuesVisibleAfterEmptyAttributesStage: a run whose attributes stage
// has nothing to write, then computes 300k values of a new calculated
// attribute, sees them in its own transaction (what the audiences read).
// With DuckDB 1.5 a batch insert (an INSERT ... SELECT from an ordered
// source) of zero rows followed by a large insert into the same table in
// one transaction loses the second one's rows, so no stage may run an
// empty batch insert (README, Performance; engine.Tx.ExecUnordered). The calculated values used to share _mosaic.attributes
// with the attributes stage, which is how the loss showed; they now have
// their own table, and the test keeps guarding what the audiences see.
func TestValuesVisibleAfterEmptyAttributesStage(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 300k events")
	}
	ctx := context.Background()
	src := "version: 1\nname: p\nfeeds:\n  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }\n" +
		"calculated_attributes:\n  - { name: purchases, calculation: count, event: purchase }\n"
	p, err := config.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	store, err := engine.Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	// 300k purchases of 300k profiles, one each (hash collisions aside).
	if _, err := store.Conn().ExecContext(ctx, benchEvents, 300_000, 1<<40, now, 1, 86400); err != nil {
		t.Fatal(err)
	}
	tx, err := store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := attributes.Run(ctx, tx, p, 2); err != nil {
		t.Fatal(err)
	}
	st, err := calculated.Run(ctx, tx, p, 2, now)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM main.profile_attributes WHERE calculated").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != st.Changed || n < 250_000 {
		t.Errorf("%d calculated values visible in the run, want the %d it wrote", n, st.Changed)
	}
}

package identity_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/identity"
)

// BenchmarkStage measures the whole identity stage on a real store:
// interning (SQL), ordering and reading the rows (SQL → Arrow), matching
// (the Go kernel) and applying the result (SQL), over 200k synthetic rows
// of one run. Each iteration rolls its transaction back.
func BenchmarkStage(b *testing.B) {
	ctx := context.Background()
	store, err := engine.Open(ctx, filepath.Join(b.TempDir(), "s.duckdb"), engine.Options{Command: "benchmark"})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	const rows = 200_000
	tx, err := store.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := tx.ExecFile(ctx, "bench/identity_rows.sql.tmpl", map[string]int{"Rows": rows, "People": rows / 4}); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	p := &config.Pipeline{Name: "bench", Identity: config.Identity{
		Priority: []string{"customerid", "email", "android_uuid"}, Unique: []string{"customerid"}, Limits: map[string]int{"email": 5},
	}, Feeds: []config.Feed{{Name: "f", Protection: config.CreateUpdate}}}
	b.ResetTimer()
	for b.Loop() {
		tx, err := store.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		st, err := identity.Run(ctx, tx, p, 1)
		if err != nil {
			b.Fatal(err)
		}
		if st.Created == 0 {
			b.Fatal("no profile created")
		}
		if err := tx.Rollback(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}

package identity_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/attributes"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/identity"
)

// BenchmarkStageOnStore runs the identity and attribute stages of the
// first run of a store that bench/identity.sh built (MOSAIC_BENCH_STORE: its
// folder, holding pipeline.yaml and mosaic.duckdb) again from scratch,
// logging every statement's wall and CPU time and each stage's, then rolls
// back: the store is unchanged. Run it with -benchtime=1x; it skips
// without the variable.
func BenchmarkStageOnStore(b *testing.B) {
	dir := os.Getenv("MOSAIC_BENCH_STORE")
	if dir == "" {
		b.Skip("set MOSAIC_BENCH_STORE to a folder bench/identity.sh filled (e.g. /tmp/mosaic-bench/users-100000)")
	}
	ctx := context.Background()
	p, err := config.Load(filepath.Join(dir, "pipeline.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store, err := engine.Open(ctx, filepath.Join(dir, "mosaic.duckdb"), engine.Options{Command: "benchmark", Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	for b.Loop() {
		b.StopTimer()
		tx, err := store.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := tx.ExecFile(ctx, "bench/identity_reset.sql", nil, 1); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		st, err := identity.Run(ctx, tx, p, 1)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("identity %.2f s: %+v", time.Since(start).Seconds(), st)
		start = time.Now()
		at, err := attributes.Run(ctx, tx, p, 1)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.Logf("attributes %.2f s: %+v", time.Since(start).Seconds(), at)
		if err := tx.Rollback(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

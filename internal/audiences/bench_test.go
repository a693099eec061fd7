package audiences_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/gen"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// BenchmarkAudiences evaluates the twenty audiences of
// testdata/bench_audiences.yaml on a store built from `mosaic gen` data
// (MOSAIC_BENCH_USERS users, default 20000), each iteration in a run
// transaction that is rolled back:
//
//	MOSAIC_BENCH_USERS=100000 go test -tags duckdb_arrow -run '^$' -bench Audiences ./internal/audiences/
func BenchmarkAudiences(b *testing.B) {
	users := 20000
	if v := os.Getenv("MOSAIC_BENCH_USERS"); v != "" {
		var err error
		if users, err = strconv.Atoi(v); err != nil {
			b.Fatalf("MOSAIC_BENCH_USERS: %v", err)
		}
	}
	ctx := context.Background()
	dir := b.TempDir()
	if _, err := gen.Generate(ctx, gen.Options{Users: users, Out: dir, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(dir, gen.PipelineFile)
	base, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	auds, err := os.ReadFile("testdata/bench_audiences.yaml")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(file, append(base, auds...), 0o644); err != nil {
		b.Fatal(err)
	}
	p, err := pipeline.Load(file, builtin.Registry())
	if err != nil {
		b.Fatal(err)
	}
	now := gen.Anchor
	if _, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(ctx, p, pipeline.Options{Now: now}); err != nil {
		b.Fatal(err)
	}
	s, err := engine.Open(ctx, p.State, engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tx, err := s.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		// A later clock, so that windows move and members enter and exit.
		res, err := audiences.Run(ctx, tx, p, 1000+int64(i), now.Add(3*24*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			for _, a := range p.Audiences {
				st := res.Audiences[a.Name]
				b.Logf("%-18s size %7d entered %6d exited %6d", a.Name, st.Size, st.Entered, st.Exited)
			}
		}
		tx.Rollback(ctx)
	}
}

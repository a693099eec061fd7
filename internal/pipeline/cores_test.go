package pipeline

import (
	"context"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// TestRunCores: a run with Runner.Cores holds DuckDB to that many threads
// while it runs, readers included, and gives them back after.
func TestRunCores(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFile(t, dir, "in/a.csv", "id,ts\nC1,2026-05-01T00:00:00Z\n")
	p := loadPipeline(t, dir, `version: 1
name: cores
state: ./store.duckdb
feeds:
  - { name: crm, source: { kind: files, path: in/*.csv }, source_type: warehouse, timestamp: ts, identities: { id: customerid } }
`)
	store, err := engine.Open(ctx, p.State, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	threads := func() int {
		var n int
		if err := store.Readers(1).QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	all := threads()
	if all < 2 {
		t.Skip("DuckDB has one thread here: a bound of one would not show")
	}
	var during []int
	r := &Runner{Registry: builtin.Registry(), Cores: 1, Progress: func(Step) { during = append(during, threads()) }}
	if _, err := r.RunStore(ctx, store, p, Options{NoSync: true}); err != nil {
		t.Fatal(err)
	}
	for i, n := range during {
		if n != 1 {
			t.Errorf("step %d of the run: DuckDB has %d threads, want 1", i, n)
		}
	}
	if len(during) == 0 || threads() != all {
		t.Errorf("after the run (%d steps): %d threads, want %d as before", len(during), threads(), all)
	}
}

package engine

import (
	"context"
	"path/filepath"
	"testing"
)

// TestLendMemory: DuckDB's memory limit is lowered while lent, what it
// held beyond it goes to its spill file, and giving it back restores the
// store's own limit.
func TestLendMemory(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"), Options{Command: "test", MemoryLimit: "2GB"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.RollbackLogged(ctx)
	limit := func() (setting string, held, spilled int64) {
		t.Helper()
		err := tx.QueryRow(ctx, `SELECT current_setting('memory_limit'),
			(SELECT sum(memory_usage_bytes) FROM duckdb_memory()), (SELECT sum(temporary_storage_bytes) FROM duckdb_memory())`).Scan(&setting, &held, &spilled)
		if err != nil {
			t.Fatal(err)
		}
		return setting, held, spilled
	}
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE big AS SELECT i, repeat('x', 64) || i AS s FROM range(2000000) r(i)"); err != nil {
		t.Fatal(err)
	}
	own, held, _ := limit()
	if held < 100<<20 {
		t.Fatalf("DuckDB holds %d bytes after a 2M-row temp table; the test needs more than 100 MiB", held)
	}
	giveBack := tx.LendMemory(ctx, "64MB")
	lent, heldLent, spilled := limit()
	if lent == own || heldLent > 64<<20 || spilled == 0 {
		t.Errorf("lent: limit %s (own %s), %d bytes held, %d spilled; want a lower limit, at most 64 MB held, the rest spilled", lent, own, heldLent, spilled)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := giveBack(cancelled); err != nil {
		t.Fatal(err)
	}
	if back, _, _ := limit(); back != own {
		t.Errorf("limit after giving back (the run's context cancelled) %s, want the store's %s", back, own)
	}
	var n int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM big WHERE s LIKE 'x%'").Scan(&n); err != nil || n != 2000000 {
		t.Errorf("the spilled table reads %d rows (%v), want 2000000", n, err)
	}
}

package engine

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestReadersSeeTheLastCommit: while a run's transaction has written a
// run record, a reader sees the store as last committed; after the commit
// it sees the run. Closing the store closes the pool without closing the
// database under the store's own connection first.
func TestReadersSeeTheLastCommit(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	readers := s.Readers(2)
	count := func() int {
		t.Helper()
		var n int
		if err := readers.QueryRowContext(ctx, "SELECT count(*) FROM runs").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.RecordRun(ctx, Run{ID: 1, Pipeline: "p", Started: time.Now(), Finished: time.Now(), Status: StatusSucceeded}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Fatalf("a reader sees %d runs during the transaction, want 0", n)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("a reader sees %d runs after the commit, want 1", n)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

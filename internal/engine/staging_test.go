//go:build duckdb_arrow

package engine

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// count is a single count(*) query on s.
func count(t *testing.T, s *Store, q string) int {
	t.Helper()
	var n int
	if err := s.Conn().QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// stagedCounts are what a run staged, as the private tables and the public
// dropped_rows view see it.
func stagedCounts(t *testing.T, s *Store) []int {
	return []int{
		count(t, s, "SELECT count(*) FROM _mosaic.feed_rows"),
		count(t, s, "SELECT count(*) FROM _mosaic.feed_identities"),
		count(t, s, "SELECT count(*) FROM _mosaic.dropped_rows"),
		count(t, s, "SELECT count(*) FROM dropped_rows"),
		count(t, s, "SELECT count(*) FROM _mosaic.meta WHERE key = 'staging'"),
	}
}

// TestStagingLeftByACrash: a run's staging commits as it goes, yet the
// public dropped_rows view shows none of it, and the store's next opening
// for writing deletes it (a crash: the run never reached DropStaged).
func TestStagingLeftByACrash(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.duckdb")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stx, staged, err := s.BeginStaging(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if staged != (Staged{Run: 1, FirstRow: 1}) {
		t.Errorf("staged = %+v, want run 1 from row 1", staged)
	}
	p := testPipeline(t, "    timestamp: ts\n    identities: {email: email}\n")
	stage := stx.StageFeed(p, 0, staged.Run, time.Now())
	if err := stage.Arrow(ctx, arrowRows(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := stage.Finish(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{5, 5, 1, 0, 1}, stagedCounts(t, s)); diff != "" {
		t.Errorf("staged (rows, identities, dropped, public dropped, marker) (-want +got):\n%s", diff)
	}
	s.Close() // the crash

	s = openStore(t, path)
	if diff := cmp.Diff([]int{0, 0, 0, 0, 0}, stagedCounts(t, s)); diff != "" {
		t.Errorf("after reopening (-want +got):\n%s", diff)
	}
	if _, st, err := s.BeginStaging(ctx, false); err != nil || st != staged {
		t.Errorf("the next run stages as %+v (%v), want %+v again", st, err, staged)
	}
}

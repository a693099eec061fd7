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

// TestRowIDsNotReused: the rows with the largest ids go (retention or
// forget deleted them after their run committed), and a run that stages
// nothing commits, yet the next rows take ids past the gone ones: aliases,
// merge refusals and the outputs' marks name rows by id after the rows are
// gone, and must not come to name new ones.
func TestRowIDsNotReused(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	p := testPipeline(t, "    timestamp: ts\n    identities: {email: email}\n")
	// run stages rows (or none) and commits.
	run := func(rows bool) Staged {
		stx, staged, err := s.BeginStaging(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if rows {
			stage := stx.StageFeed(p, 0, staged.Run, time.Now())
			if err := stage.Arrow(ctx, arrowRows(t)); err != nil {
				t.Fatal(err)
			}
			if _, err := stage.Finish(ctx, ""); err != nil {
				t.Fatal(err)
			}
		}
		tx, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.RecordRun(ctx, Run{ID: staged.Run, Pipeline: "p", Status: StatusSucceeded}); err != nil {
			t.Fatal(err)
		}
		if err := tx.ClearStaged(ctx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		return staged
	}
	run(true)
	last := count(t, s, "SELECT max(row_id) FROM _mosaic.feed_rows")
	if _, err := s.Conn().ExecContext(ctx, "DELETE FROM _mosaic.feed_rows WHERE row_id >= 2"); err != nil {
		t.Fatal(err)
	}
	if st := run(false); st.FirstRow != int64(last)+1 {
		t.Errorf("the run after the delete stages from row %d, want %d: past every id used", st.FirstRow, last+1)
	}
	if st := run(true); st.FirstRow != int64(last)+1 {
		t.Errorf("the run after an empty one stages from row %d, want %d", st.FirstRow, last+1)
	}
}

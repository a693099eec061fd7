package identity

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLargest orders by identities, then MPID, counts the run's rows of
// the profiles it lists, and keeps LargestCount, over chunks as parts
// return them.
func TestLargest(t *testing.T) {
	res := Result{Rows: []Applied{{MPIDs: []int64{7, 7, 3}}, {MPIDs: []int64{9, 9, 9, 42}}}, Holdings: make([][]Holding, 2)}
	for i, p := range []struct{ mpid, n int64 }{{9, 1}, {7, 3}, {5, 1}, {3, 3}, {2, 1}, {1, 3}, {8, 2}} {
		for range p.n {
			res.Holdings[i%2] = append(res.Holdings[i%2], Holding{MPID: p.mpid})
		}
	}
	want := []Profile{{1, 3, 0}, {3, 3, 1}, {7, 3, 2}, {8, 2, 0}, {2, 1, 0}}
	if diff := cmp.Diff(want, largest(res)); diff != "" {
		t.Errorf("largest (-want +got):\n%s", diff)
	}
	if got := largest(Result{}); len(got) != 0 {
		t.Errorf("no profile: %v", got)
	}
}

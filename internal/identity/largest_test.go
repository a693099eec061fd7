package identity

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLargest orders by identities, then rows, then MPID, counts only
// the run's rows of the profiles it lists, and keeps LargestCount.
func TestLargest(t *testing.T) {
	res := Result{RowMPIDs: []int64{7, 7, 3, 9, 9, 9, 42}}
	for m, n := range map[int64]int{7: 3, 3: 3, 9: 1, 1: 3, 2: 1, 5: 1} {
		for range n {
			res.Holdings = append(res.Holdings, Holding{MPID: m})
		}
	}
	want := []Profile{{7, 3, 2}, {3, 3, 1}, {1, 3, 0}, {9, 1, 3}, {2, 1, 0}}
	if diff := cmp.Diff(want, largest(res)); diff != "" {
		t.Errorf("largest (-want +got):\n%s", diff)
	}
	if got := largest(Result{}); len(got) != 0 {
		t.Errorf("no profile: %v", got)
	}
}

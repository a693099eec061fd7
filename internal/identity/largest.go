package identity

import (
	"cmp"
	"slices"
)

// LargestCount is how many of the largest profiles a run reports.
const LargestCount = 5

// Profile is one of a run's largest profiles: the identities it holds and
// the run's rows that landed in it.
type Profile struct {
	MPID       int64 `json:"mpid"`
	Identities int   `json:"identities"`
	Rows       int   `json:"rows"`
}

// largest returns the LargestCount profiles of res with the most
// identities (then the most of the run's rows, then the lowest MPID), so
// that a giant forming shows in the run's stats before it is committed.
func largest(res Result) []Profile {
	ids := map[int64]int{}
	for _, h := range res.Holdings {
		ids[h.MPID]++
	}
	rows := map[int64]int{}
	for _, m := range res.RowMPIDs {
		if _, ok := ids[m]; ok {
			rows[m]++
		}
	}
	out := make([]Profile, 0, len(ids))
	for m, n := range ids {
		out = append(out, Profile{MPID: m, Identities: n, Rows: rows[m]})
	}
	slices.SortFunc(out, func(a, b Profile) int {
		return cmp.Or(cmp.Compare(b.Identities, a.Identities), cmp.Compare(b.Rows, a.Rows), cmp.Compare(a.MPID, b.MPID))
	})
	return out[:min(len(out), LargestCount)]
}

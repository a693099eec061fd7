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
// identities (ties: the lowest MPID), with the run's rows in each, so that
// a giant forming shows in the run's stats before it is committed. It
// costs one pass over the holdings, which Result lists grouped by profile
// (each profile in one chunk), and one over the rows.
func largest(res Result) []Profile {
	order := func(a, b Profile) int {
		return cmp.Or(cmp.Compare(b.Identities, a.Identities), cmp.Compare(a.MPID, b.MPID))
	}
	var top []Profile
	for _, hs := range res.Holdings {
		for i := 0; i < len(hs); {
			j := i + 1
			for j < len(hs) && hs[j].MPID == hs[i].MPID {
				j++
			}
			p := Profile{MPID: hs[i].MPID, Identities: j - i}
			if at, _ := slices.BinarySearchFunc(top, p, order); at < LargestCount {
				top = slices.Insert(top, at, p)[:min(len(top)+1, LargestCount)]
			}
			i = j
		}
	}
	for _, c := range res.Rows {
		for _, m := range c.MPIDs {
			for k := range top {
				if top[k].MPID == m {
					top[k].Rows++
				}
			}
		}
	}
	return top
}

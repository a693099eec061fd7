package identity

import (
	"slices"
	"sync"
)

// applyParts applies each part of the rows (arrange) to a kernel of its
// own, concurrently, and combines their results. The caller makes sure
// the run loads nothing from the store: then only rule 9 links the parts,
// as a new profile's MPID must skip every MPID taken before it in the run,
// and a row may name a new profile's MPID (rule 2). applyParts checks that
// neither happened across parts (sameMPIDs); false means it did, and the
// caller applies the rows in order instead.
func (rr *runRows) applyParts(rules Rules, taken map[int64]struct{}) (Result, bool) {
	parts := max(len(rr.cuts)-1, 0) // none before arrange: a run without rows
	results := make([]Result, parts)
	var wg sync.WaitGroup
	for w := range parts {
		wg.Go(func() {
			lo, hi := rr.cuts[w], rr.cuts[w+1]
			k := New(rules, int64(len(rr.idents)), len(rr.idents)*3/5*(hi-lo)/max(len(rr.id), 1), hi-lo)
			k.taken = taken
			var row Row
			for i := lo; i < hi; i++ {
				rr.fill(&row, i, true)
				k.Apply(&row)
			}
			results[w] = k.Result()
		})
	}
	wg.Wait()
	res := rr.combine(results)
	return res, rr.sameMPIDs(res)
}

// sameMPIDs tells whether the parts' new profiles (every profile of res,
// and every one merged away, as nothing was loaded) got the MPIDs one
// kernel applying the rows in order would have given them, and whether
// no row names one of them (it would reach it from another part).
//
// Each part's kernel gave a new profile the first MPID from its seed up
// that neither the store (taken) nor the part's earlier new profiles
// hold. If no two parts chose the same MPID, one kernel would have
// chosen the same: by induction over the run's order, every MPID the
// part skipped is skipped by one kernel too, and the chosen one is not
// another part's.
func (rr *runRows) sameMPIDs(res Result) bool {
	mpids := make([]int64, 0, len(res.Profiles)+len(res.Gone))
	for _, p := range res.Profiles {
		mpids = append(mpids, p.MPID)
	}
	mpids = append(mpids, res.Gone...)
	slices.Sort(mpids)
	for i := 1; i < len(mpids); i++ {
		if mpids[i] == mpids[i-1] {
			return false
		}
	}
	for _, m := range rr.mpid {
		if _, found := slices.BinarySearch(mpids, m); found && m != 0 {
			return false
		}
	}
	return true
}

// combine merges the parts' results into the result one kernel applying
// the rows in order would have returned. Rows and identities come back to
// their ids; rows, drops, aliases and refusals are listed in application
// order, profiles by MPID. Holdings stay grouped by profile, part by part.
func (rr *runRows) combine(parts []Result) Result {
	var res Result
	var drops [][]Drop
	var aliases [][]Alias
	var refusals [][]Refusal
	nHold := 0
	for _, r := range parts {
		res.Created += r.Created
		res.Updated += r.Updated
		res.IdentitiesAdded += r.IdentitiesAdded
		res.Far += r.Far
		res.Profiles = mergeProfiles(res.Profiles, r.Profiles)
		nHold += len(r.Holdings)
		drops, aliases, refusals = append(drops, r.Drops), append(aliases, r.Aliases), append(refusals, r.Refusals)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		res.Holdings = make([]Holding, 0, nHold)
		for _, r := range parts {
			for _, h := range r.Holdings {
				h.IdentID = rr.ident(h.IdentID)
				res.Holdings = append(res.Holdings, h)
			}
		}
	})
	wg.Go(func() {
		res.Drops = inOrder(rr, drops, func(d *Drop) *int64 { d.IdentID = rr.ident(d.IdentID); return &d.RowID })
		res.Aliases = inOrder(rr, aliases, func(a *Alias) *int64 { a.Ident = rr.ident(a.Ident); return &a.Row })
		res.Gone = make([]int64, len(res.Aliases))
		for i, a := range res.Aliases {
			res.Gone[i] = a.Alias // a kernel lists both as it merges
		}
	})
	wg.Go(func() {
		res.Refusals = inOrder(rr, refusals, func(r *Refusal) *int64 { r.Ident = rr.ident(r.Ident); return &r.Row })
	})
	n := len(rr.id)
	mpid, applied := make([]int64, n), make([]bool, n) // by position
	for _, r := range parts {
		for j, row := range r.RowIDs {
			p := rr.pos[row-1]
			mpid[p], applied[p] = r.RowMPIDs[j], true
		}
	}
	nRows := 0
	for _, r := range parts {
		nRows += len(r.RowIDs)
	}
	res.RowIDs, res.RowMPIDs = make([]int64, 0, nRows), make([]int64, 0, nRows)
	for p, i := range rr.at {
		if applied[p] {
			res.RowIDs, res.RowMPIDs = append(res.RowIDs, rr.id[i]), append(res.RowMPIDs, mpid[p])
		}
	}
	wg.Wait()
	return res
}

// inOrder concatenates the parts' lists, orders them by their rows'
// application positions (stable: one row's entries keep their order), and
// gives each its row's id. fix maps an entry's other fields and returns
// where the entry keeps its row (a part kernel's row number, index + 1).
func inOrder[T any](rr *runRows, lists [][]T, fix func(*T) *int64) []T {
	out := slices.Concat(lists...)
	keys := make([]int64, len(out))
	for i := range out {
		row := fix(&out[i])
		keys[i] = int64(rr.pos[*row-1])<<32 | int64(i)
		*row = rr.id[*row-1]
	}
	slices.Sort(keys)
	sorted := make([]T, len(out))
	for i, k := range keys {
		sorted[i] = out[k&(1<<32-1)]
	}
	return sorted
}

// ident maps a part kernel's identity number (index + 1; 0: none) to its
// interned id.
func (rr *runRows) ident(l int64) int64 {
	if l == 0 {
		return 0
	}
	return rr.idents[l-1].ID
}

// mergeProfiles merges two lists sorted by MPID.
func mergeProfiles(a, b []ProfileOut) []ProfileOut {
	if len(a) == 0 {
		return b
	}
	out := make([]ProfileOut, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].MPID <= b[0].MPID {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

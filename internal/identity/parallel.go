package identity

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// partsPerCore is how many parts arrange makes per core for applyParts:
// the kernels running at once hold about 1/partsPerCore of the run's
// profiles and identities (at 1M users, the Go heap's peak while the
// kernels run fell from 1.9 to 1.25 GB with 8 parts per core instead of
// one).
const partsPerCore = 8

// applyParts applies each part of the rows (arrange) to a kernel of its
// own, as many at a time as there are cores, and combines their results.
// A kernel's state (its profiles and their identities) is let go when its
// part is done, so that with more parts than cores only a few parts'
// states are held at once beside the results. The caller makes sure
// the run loads nothing from the store: then only rule 9 links the
// components, as a new profile's MPID must skip every MPID taken before
// it in the run, and a row may name a new profile's MPID (rule 2).
// applyParts checks that neither made a difference (sameMPIDs); false
// means it may have, and the caller applies the rows in order instead.
func (rr *runRows) applyParts(rules Rules, taken map[int64]struct{}) (Result, bool) {
	parts := len(rr.cuts) - 1
	results, creates := make([]Result, parts), make([][]created, parts)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(parts, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			var row Row
			for w := int(next.Add(1) - 1); w < parts; w = int(next.Add(1) - 1) {
				lo, hi := rr.cuts[w], rr.cuts[w+1]
				idents := int(rr.identAt[w+1] - rr.identAt[w])
				k := New(rules, int64(idents), idents*3/5, hi-lo)
				k.taken, k.track = taken, true
				for i := lo; i < hi; i++ {
					rr.fill(&row, i, w)
					k.Apply(&row)
				}
				results[w], creates[w] = k.Result(), k.creates
				results[w].shiftIdents(int64(rr.identAt[w]))
			}
		})
	}
	wg.Wait()
	if !rr.sameMPIDs(slices.Concat(creates...), taken) {
		return Result{}, false
	}
	return rr.combine(results), true
}

// shiftIdents adds base to the identity numbers of a part kernel's result
// (its own, from 1; 0: none), making them indexes into the run's idents
// + 1, as combine expects.
func (r *Result) shiftIdents(base int64) {
	shift := func(id *int64) {
		if *id != 0 {
			*id += base
		}
	}
	for _, c := range r.Holdings {
		for i := range c {
			shift(&c[i].IdentID)
		}
	}
	for i := range r.Drops {
		shift(&r.Drops[i].IdentID)
	}
	for i := range r.Aliases {
		shift(&r.Aliases[i].Ident)
	}
	for i := range r.Refusals {
		shift(&r.Refusals[i].Ident)
	}
}

// created is a profile a kernel created: the row that created it, the
// seed of its first identity and the MPID it got (doc.go rule 9).
type created struct{ row, seed, mpid int64 }

// sameMPIDs tells whether every new profile got the MPID one kernel
// applying the rows in application order would have given it, and
// whether no row names one of them (rule 2; the row may lie in another
// component). If so, every component saw what it would have seen in one
// kernel, and the parts' result is one kernel's.
//
// A part's kernel walks its components one after another, so a new
// profile took the first MPID from its seed up that neither the store
// (taken) nor a profile the part created before it holds: before it in
// the part's walk, not in the run. Usually every profile gets its seed,
// and then one kernel gives each its seed too unless two share one. Else
// the profiles' MPIDs are chosen again in application order.
func (rr *runRows) sameMPIDs(creates []created, taken map[int64]struct{}) bool {
	mpids := make([]int64, len(creates))
	moved := false
	for i, c := range creates {
		mpids[i] = c.mpid
		moved = moved || c.mpid != c.seed
	}
	slices.Sort(mpids)
	for _, m := range rr.mpid {
		if m == 0 {
			continue // most rows name no MPID
		}
		if _, found := slices.BinarySearch(mpids, m); found {
			return false
		}
	}
	if !moved {
		for i := 1; i < len(mpids); i++ {
			if mpids[i] == mpids[i-1] {
				return false
			}
		}
		return true
	}
	slices.SortFunc(creates, func(a, b created) int { return cmp.Compare(rr.pos[a.row-1], rr.pos[b.row-1]) })
	used := make(map[int64]struct{}, len(creates))
	for _, c := range creates {
		m := c.seed
		for isIn(taken, m) || isIn(used, m) {
			m++
		}
		if m != c.mpid {
			return false
		}
		used[m] = struct{}{}
	}
	return true
}

func isIn(set map[int64]struct{}, m int64) bool {
	_, ok := set[m]
	return ok
}

// combine merges the parts' results into the result one kernel applying
// the rows in order would have returned. Rows and identities come back to
// their ids; drops, aliases and refusals are listed in application order,
// profiles by MPID. Holdings and rows stay in the parts' chunks (holdings
// grouped by profile, rows in the order arrange gave them).
func (rr *runRows) combine(parts []Result) Result {
	var res Result
	var profiles [][]ProfileOut
	var drops [][]Drop
	var aliases [][]Alias
	var refusals [][]Refusal
	for _, r := range parts {
		res.Created += r.Created
		res.Matched += r.Matched
		res.IdentitiesAdded += r.IdentitiesAdded
		res.Far += r.Far
		profiles = append(profiles, r.Profiles)
		res.Holdings, res.Rows = append(res.Holdings, r.Holdings...), append(res.Rows, r.Rows...)
		drops, aliases, refusals = append(drops, r.Drops), append(aliases, r.Aliases), append(refusals, r.Refusals)
	}
	res.Profiles = mergeAll(profiles)
	if len(parts) > 0 {
		res.Feeds = parts[0].Feeds // the same in every part: its kernel loaded nothing
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for _, c := range res.Holdings {
			for i := range c {
				c[i].IdentID = rr.ident(c[i].IdentID)
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
	for _, c := range res.Rows {
		for j, row := range c.IDs {
			c.IDs[j] = rr.id[row-1]
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

// mergeAll merges lists sorted by MPID, two at a time, in as many passes
// as it takes to halve them to one: with 16 parts, 0.21 s for 2M profiles
// where merging each list into the growing result took 0.45 s.
func mergeAll(lists [][]ProfileOut) []ProfileOut {
	for len(lists) > 1 {
		next := lists[:0]
		for i := 0; i < len(lists); i += 2 {
			if i+1 == len(lists) {
				next = append(next, lists[i])
			} else {
				next = append(next, mergeProfiles(lists[i], lists[i+1]))
			}
		}
		lists = next
	}
	if len(lists) == 0 {
		return nil
	}
	return lists[0]
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

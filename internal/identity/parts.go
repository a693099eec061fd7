package identity

import "sync"

// arrange puts the run's rows in the order the kernels walk them, split
// into at most parts parts of about equal rows:
//
//   - Rows are grouped by component: rows that share an identity, directly
//     or through other rows, belong to one. Components are ordered by
//     their first row, the rows of one in application order.
//   - Identities are renumbered in the order the rows first carry them.
//   - Each part is a run of whole components.
//
// In a run that loads nothing from the store, rows of different
// components never reach a common profile, so each part can go to a
// kernel of its own (applyParts). A kernel walking one component after
// another also finds the profiles and identities it touches in cache, where
// the application order jumps across the whole run at every row.
//
// It turns readRun's lists by row slot into lists by row index, so it runs
// once, before order and breakTies.
func (rr *runRows) arrange(parts int) {
	n := len(rr.id)
	comps, nComps := rr.components()
	first := make([]int32, nComps+1) // where each component's rows start
	for _, c := range comps {
		first[c+1]++
	}
	for c := 1; c <= nComps; c++ {
		first[c] += first[c-1]
	}
	rr.cuts = append(rr.cuts[:0], 0)
	for c := 1; c < nComps; c++ {
		if int64(first[c]) >= int64(len(rr.cuts))*int64(n)/int64(parts) && len(rr.cuts) < parts {
			rr.cuts = append(rr.cuts, int(first[c]))
		}
	}
	rr.cuts = append(rr.cuts, n)
	rr.at, rr.pos = make([]int32, n), make([]int32, n)
	for p, c := range comps {
		rr.at[p], rr.pos[first[c]] = first[c], int32(p)
		first[c]++
	}
	id, ts, mpid, feed := make([]int64, n), make([]int64, n), make([]int64, n), make([]int32, n)
	start := make([]int32, n+1)
	number := make([]int32, len(rr.idents)) // old index -> index in its part's list + 1
	type share struct {
		members []int32
		idents  []Ident
	}
	shares := make([]share, len(rr.cuts)-1)
	var wg sync.WaitGroup
	for w := range shares { // parts share no identity: each numbers its own
		wg.Go(func() {
			sh := &shares[w]
			frac := 1.05 * float64(rr.cuts[w+1]-rr.cuts[w]) / float64(max(n, 1)) // presized: growing them cost a second
			sh.members = make([]int32, 0, int(frac*float64(len(rr.members))))
			sh.idents = make([]Ident, 0, int(frac*float64(len(rr.idents))))
			for i := rr.cuts[w]; i < rr.cuts[w+1]; i++ {
				p := rr.pos[i]
				id[i], ts[i], mpid[i], feed[i] = rr.id[p], rr.ts[p], rr.mpid[p], rr.feed[p]
				s := id[i] - rr.base
				for _, g := range rr.members[rr.start[s]:rr.start[s+1]] {
					if number[g] == 0 {
						sh.idents = append(sh.idents, rr.idents[g])
						number[g] = int32(len(sh.idents))
					}
					sh.members = append(sh.members, number[g]-1)
				}
				start[i+1] = int32(len(sh.members))
			}
		})
	}
	wg.Wait()
	members, idents := make([]int32, 0, len(rr.members)), make([]Ident, 0, len(rr.idents))
	for w, sh := range shares {
		at, first := int32(len(members)), int32(len(idents))
		for i := rr.cuts[w]; i < rr.cuts[w+1]; i++ {
			start[i+1] += at
		}
		for _, m := range sh.members {
			members = append(members, first+m)
		}
		idents = append(idents, sh.idents...)
	}
	rr.id, rr.ts, rr.mpid, rr.feed = id, ts, mpid, feed
	rr.start, rr.members, rr.idents = start, members, idents
}

// components returns each row's component (by application position),
// numbered in order of the components' first rows, and how many there
// are. A row without identities is a component of its own.
func (rr *runRows) components() ([]int32, int) {
	parent := make([]int32, len(rr.idents))
	for g := range parent {
		parent[g] = int32(g)
	}
	find := func(g int32) int32 {
		for parent[g] != g {
			parent[g] = parent[parent[g]] // path halving
			g = parent[g]
		}
		return g
	}
	for s := range len(rr.start) - 1 {
		m := rr.members[rr.start[s]:rr.start[s+1]]
		if len(m) < 2 {
			continue
		}
		a := find(m[0])
		for _, g := range m[1:] {
			if b := find(g); a != b {
				a, b = min(a, b), max(a, b)
				parent[b] = a
			}
		}
	}
	number := make([]int32, len(rr.idents)) // root -> component + 1
	comps, n := make([]int32, len(rr.id)), 0
	for p, id := range rr.id {
		s := id - rr.base
		if rr.start[s] == rr.start[s+1] {
			comps[p], n = int32(n), n+1
			continue
		}
		r := find(rr.members[rr.start[s]])
		if number[r] == 0 {
			n++
			number[r] = int32(n)
		}
		comps[p] = number[r] - 1
	}
	return comps, n
}

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
	// Each part numbers its own identities (parts share none) in the order
	// its rows carry them, and counts its rows' identities; then each
	// fills its share of the new lists. The new lists are written in place
	// and the row columns reordered one at a time: at 10M users each copy
	// held at once costs gigabytes.
	number := make([]int32, len(rr.idents)) // old index -> index in its part's list + 1
	memberAt, identAt := make([]int32, len(rr.cuts)), make([]int32, len(rr.cuts))
	rr.eachPart(func(w int) {
		nMembers, nIdents := int32(0), int32(0)
		for _, p := range rr.pos[rr.cuts[w]:rr.cuts[w+1]] {
			s := rr.id[p] - rr.base
			for _, g := range rr.members[rr.start[s]:rr.start[s+1]] {
				if number[g] == 0 {
					nIdents++
					number[g] = nIdents
				}
			}
			nMembers += rr.start[s+1] - rr.start[s]
		}
		memberAt[w+1], identAt[w+1] = nMembers, nIdents
	})
	for w := 1; w < len(rr.cuts); w++ {
		memberAt[w] += memberAt[w-1]
		identAt[w] += identAt[w-1]
	}
	start := make([]int32, n+1)
	members, idents := make([]int32, memberAt[len(rr.cuts)-1]), make([]Ident, identAt[len(rr.cuts)-1])
	rr.eachPart(func(w int) {
		j := memberAt[w]
		for i := rr.cuts[w]; i < rr.cuts[w+1]; i++ {
			s := rr.id[rr.pos[i]] - rr.base
			for _, g := range rr.members[rr.start[s]:rr.start[s+1]] {
				l := identAt[w] + number[g] - 1
				members[j], idents[l] = l, rr.idents[g]
				j++
			}
			start[i+1] = j
		}
	})
	rr.start, rr.members, rr.idents, rr.identAt = start, members, idents, identAt
	rr.id, rr.ts, rr.mpid = byIndex(rr.id, rr.pos), byIndex(rr.ts, rr.pos), byIndex(rr.mpid, rr.pos)
	rr.feed = byIndex(rr.feed, rr.pos)
}

// eachPart runs fn for each part of the rows, concurrently.
func (rr *runRows) eachPart(fn func(w int)) {
	var wg sync.WaitGroup
	for w := range len(rr.cuts) - 1 {
		wg.Go(func() { fn(w) })
	}
	wg.Wait()
}

// byIndex reorders a column listed by application position into
// arrange's order (pos[i] is the application position of row i).
func byIndex[T any](col []T, pos []int32) []T {
	out := make([]T, len(pos))
	for i, p := range pos {
		out[i] = col[p]
	}
	return out
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

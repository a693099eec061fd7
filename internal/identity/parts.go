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
	comps, nComps, identComp := rr.components()
	first := make([]int32, nComps+1) // where each component's rows start
	for _, c := range comps {
		first[c+1]++
	}
	for c := 1; c <= nComps; c++ {
		first[c] += first[c-1]
	}
	rr.cuts = append(rr.cuts[:0], 0)
	compCuts := []int{0} // the first component of each part
	for c := 1; c < nComps; c++ {
		if int64(first[c]) >= int64(len(rr.cuts))*int64(n)/int64(parts) && len(rr.cuts) < parts {
			rr.cuts, compCuts = append(rr.cuts, int(first[c])), append(compCuts, c)
		}
	}
	rr.cuts, compCuts = append(rr.cuts, n), append(compCuts, nComps)
	// Each part numbers its own identities (parts share none), so it knows
	// where they start once it knows how many each part before it has:
	// those of its components.
	partOf := make([]int32, nComps)
	for w := range len(compCuts) - 1 {
		for c := compCuts[w]; c < compCuts[w+1]; c++ {
			partOf[c] = int32(w)
		}
	}
	identAt := make([]int32, len(rr.cuts))
	for _, c := range identComp {
		if c >= 0 {
			identAt[partOf[c]+1]++
		}
	}
	for w := 1; w < len(identAt); w++ {
		identAt[w] += identAt[w-1]
	}
	partOf = nil
	rr.at, rr.pos = make([]int32, n), make([]int32, n)
	for p, c := range comps {
		rr.at[p], rr.pos[first[c]] = first[c], int32(p)
		first[c]++
	}
	// Each row's slot, in the new order (in comps' place), and its number
	// of identities, summed into where its new list starts.
	slot, start := comps, make([]int32, n+1)
	rr.eachPart(func(w int) {
		for i := rr.cuts[w]; i < rr.cuts[w+1]; i++ {
			s := int32(rr.id[rr.pos[i]] - rr.base)
			slot[i], start[i+1] = s, rr.start[s+1]-rr.start[s]
		}
	})
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	// Then each part fills its share of the new lists, numbering its
	// identities in the order its rows carry them. The new lists are
	// written in place and the row columns reordered one at a time: at
	// 10M users each copy held at once costs gigabytes.
	number := identComp // old index -> new index + 1, in identComp's place
	clear(number)
	members, idents := make([]int32, start[n]), make([]Ident, identAt[len(identAt)-1])
	rr.eachPart(func(w int) {
		next := identAt[w]
		for i := rr.cuts[w]; i < rr.cuts[w+1]; i++ {
			j, s := start[i], slot[i]
			for _, g := range rr.members[rr.start[s]:rr.start[s+1]] {
				if number[g] == 0 {
					idents[next] = rr.idents[g]
					next++
					number[g] = next
				}
				members[j] = number[g] - 1
				j++
			}
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
// numbered in order of the components' first rows, how many there are,
// and each identity's component (-1: no row carries it). A row without
// identities is a component of its own.
func (rr *runRows) components() (comps []int32, n int, identComp []int32) {
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
	// A set's root is its smallest identity (union above), so in
	// ascending order each identity's parent already points at its root
	// once the parent's has been made to: then parent[g] is g's root.
	for g := range parent {
		parent[g] = parent[parent[g]]
	}
	number := make([]int32, len(rr.idents)) // root -> component + 1
	comps = make([]int32, len(rr.id))
	for p, id := range rr.id {
		s := id - rr.base
		if rr.start[s] == rr.start[s+1] {
			comps[p], n = int32(n), n+1
			continue
		}
		r := parent[rr.members[rr.start[s]]]
		if number[r] == 0 {
			n++
			number[r] = int32(n)
		}
		comps[p] = number[r] - 1
	}
	for g, r := range parent {
		parent[g] = number[r] - 1
	}
	return comps, n, parent
}

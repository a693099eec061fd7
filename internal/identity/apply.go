package identity

import "slices"

// Apply applies one row (doc.go rules 1–9).
func (k *Kernel) Apply(row *Row) {
	if len(row.Idents) == 0 && row.MPID == 0 {
		k.drop(row, "no_identity", 0)
		return
	}
	p, rejected := k.match(row)
	if p == 0 {
		switch {
		case len(row.Idents) == 0:
			k.drop(row, "unknown_mpid", 0)
		case row.Protection == OnlyRead:
		case row.Protection == OnlyUpdate && rejected.other != 0:
			k.drop(row, "unique_conflict", 0)
			k.refuse(row, rejected.ident, 0, rejected.other, rejected.rank)
		case row.Protection == OnlyUpdate:
			k.drop(row, "no_matching_profile", 0)
		default:
			p = k.create(row)
			k.addIdentities(p, row)
			if rejected.other != 0 {
				k.refuse(row, rejected.ident, p, rejected.other, rejected.rank)
			}
			k.rowIDs, k.rowProf = append(k.rowIDs, row.ID), append(k.rowProf, p)
		}
		return
	}
	if row.Protection == OnlyRead {
		return
	}
	k.addIdentities(p, row)
	k.mergeOthers(p, row)
	pp := &k.profs[p]
	pp.lastSeen = max(pp.lastSeen, row.TS)
	pp.dirty = true
	k.rowIDs, k.rowProf = append(k.rowIDs, row.ID), append(k.rowProf, p)
}

// rejection is a match that rule 4 turned down: the profile, the identity
// that matched it (0: the row's mpid did) and the unique type's rank.
type rejection struct {
	other pid
	ident int64
	rank  int32
}

// match finds the row's profile (rules 2–4), or tells which match rule 4
// turned down.
func (k *Kernel) match(row *Row) (p pid, rejected rejection) {
	var via int64
	if row.MPID != 0 {
		p = k.byMPID[k.resolve(row.MPID)]
	}
	if p == 0 {
		var buf [1]pid
		for _, id := range row.Idents {
			if hs := k.holders(id.ID, &buf); len(hs) > 0 {
				p, via = k.mostRecent(id.ID, hs), id.ID
				break
			}
		}
	}
	if p == 0 {
		return 0, rejection{}
	}
	pp := &k.profs[p]
	for _, id := range row.Idents {
		if r := int32(id.Rank); k.isUnique(r) {
			if held, ok := pp.uniqueHeld(r); ok && held != id.ID {
				return 0, rejection{other: p, ident: via, rank: r}
			}
		}
	}
	return p, rejection{}
}

func (k *Kernel) mostRecent(id int64, hs []pid) pid {
	best := hs[0]
	if len(hs) == 1 {
		return best
	}
	bestLast := k.profs[best].ids[k.profs[best].find(id)].last
	for _, h := range hs[1:] {
		last := k.profs[h].ids[k.profs[h].find(id)].last
		if last > bestLast || (last == bestLast && k.profs[h].mpid < k.profs[best].mpid) {
			best, bestLast = h, last
		}
	}
	return best
}

func (k *Kernel) create(row *Row) pid {
	seed := row.Idents[0].Seed
	mpid := seed
	for k.isTaken(mpid) {
		mpid++
	}
	if b := mpid / 64; b != seed/64 && b != seed/64+1 { // truncated, as DuckDB's // is
		k.far++
	}
	if k.track {
		k.creates = append(k.creates, created{row: row.ID, seed: seed, mpid: mpid})
	}
	p := k.newProfile(mpid)
	pp := &k.profs[p]
	pp.created, pp.updated, pp.lastSeen = row.TS, row.TS, row.TS
	pp.isNew, pp.dirty = true, true
	k.created++
	return p
}

// addIdentities is rule 6a.
func (k *Kernel) addIdentities(p pid, row *Row) {
	for _, id := range row.Idents {
		pp := &k.profs[p]
		if i := pp.find(id.ID); i >= 0 {
			h := &pp.ids[i]
			h.first, h.last = min(h.first, row.TS), max(h.last, row.TS)
			continue
		}
		r := int32(id.Rank)
		if k.isUnique(r) {
			if held, ok := pp.uniqueHeld(r); ok && held != id.ID {
				k.drop(row, "unique_conflict", id.ID)
				continue
			}
		}
		if l := k.limit(r); l > 0 && pp.count(r) >= l {
			k.drop(row, "identity_limit", id.ID)
			continue
		}
		k.hold(p, hold{id: id.ID, first: row.TS, last: row.TS, feed: int32(row.Feed), rank: r})
		pp.updated = max(pp.updated, row.TS)
		k.added++
	}
}

// mergeOthers is rule 6b.
func (k *Kernel) mergeOthers(p pid, row *Row) {
	var buf [1]pid
	var others []pid
	for _, id := range row.Idents {
		hs := k.holders(id.ID, &buf)
		if len(hs) == 0 || (len(hs) == 1 && hs[0] == p) {
			continue
		}
		others = append(others[:0], hs...)
		slices.SortFunc(others, func(a, b pid) int { return cmpInt(k.profs[a].mpid, k.profs[b].mpid) })
		for _, q := range others {
			if q == p || k.profs[q].into != 0 {
				continue
			}
			if rank, ok := k.mayMerge(p, q); ok {
				k.merge(p, q, row, id.ID)
			} else {
				k.refuse(row, id.ID, p, q, rank)
			}
		}
	}
}

// mayMerge tells whether q may merge into p, or the rank of the type
// whose unique rule or limit keeps them apart.
func (k *Kernel) mayMerge(p, q pid) (rank int32, ok bool) {
	pp, qp := &k.profs[p], &k.profs[q]
	for i := range qp.ids {
		r := qp.ids[i].rank
		if k.isUnique(r) {
			if held, ok := pp.uniqueHeld(r); ok && held != qp.ids[i].id {
				return r, false
			}
		}
	}
	for i := range qp.ids {
		r := qp.ids[i].rank
		l := k.limit(r)
		if l == 0 || slices.ContainsFunc(qp.ids[:i], func(h hold) bool { return h.rank == r }) {
			continue // no limit, or this rank was checked already
		}
		n, both := 0, 0
		for j := i; j < len(qp.ids); j++ {
			if qp.ids[j].rank == r {
				n++
				if pp.find(qp.ids[j].id) >= 0 {
					both++
				}
			}
		}
		if pp.count(r)+n-both > l {
			return r, false
		}
	}
	return 0, true
}

// merge folds profile q into p: row's identity ident, which q holds,
// linked them.
func (k *Kernel) merge(p, q pid, row *Row, ident int64) {
	ts := row.TS
	qp := &k.profs[q]
	for _, qh := range qp.ids {
		k.unhold(q, qh.id)
		pp := &k.profs[p]
		if i := pp.find(qh.id); i >= 0 {
			ph := &pp.ids[i]
			if qh.first < ph.first {
				ph.first, ph.feed = qh.first, qh.feed
			}
			ph.last = max(ph.last, qh.last)
			continue
		}
		k.hold(p, qh)
	}
	pp := &k.profs[p]
	pp.lastSeen = max(pp.lastSeen, qp.lastSeen)
	pp.updated = max(pp.updated, qp.updated, ts)
	pp.dirty = true
	qp.into, qp.ids, qp.index = p, nil, nil
	delete(k.byMPID, qp.mpid)
	k.aliases[qp.mpid] = pp.mpid
	k.gone = append(k.gone, qp.mpid)
	k.merged = append(k.merged, Alias{Alias: qp.mpid, MPID: pp.mpid, At: ts, Row: row.ID, Ident: ident})
}

// resolve follows aliases to the surviving MPID, shortening the chains it
// walks (path compression).
func (k *Kernel) resolve(mpid int64) int64 {
	root := mpid
	for {
		next, ok := k.aliases[root]
		if !ok {
			break
		}
		root = next
	}
	for mpid != root {
		next := k.aliases[mpid]
		k.aliases[mpid] = root
		mpid = next
	}
	return root
}

// alive follows merges from profile p to the profile that holds it now.
func (k *Kernel) alive(p pid) pid {
	root := p
	for k.profs[root].into != 0 {
		root = k.profs[root].into
	}
	for p != root {
		next := k.profs[p].into
		k.profs[p].into = root
		p = next
	}
	return root
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

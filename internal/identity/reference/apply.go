package reference

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Apply runs one run: it applies rows one at a time in order of (TS, Feed,
// Pos), whatever their order in the slice, and reports what happened. Then
// it recomputes every profile's attributes from all runs' rows so far.
func (s *State) Apply(rows []Row) RunResult {
	res := RunResult{RowMPID: map[[2]int]int64{}}
	ordered := slices.Clone(rows)
	slices.SortStableFunc(ordered, func(a, b Row) int {
		if c := a.TS.Compare(b.TS); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Feed, b.Feed); c != 0 {
			return c
		}
		return cmp.Compare(a.Pos, b.Pos)
	})
	for _, r := range ordered {
		s.applyRow(r, &res)
	}
	s.recordWrites(ordered, &res)
	s.refold(&res)
	s.runs++
	return res
}

// applyRow applies doc.go rules 1-9 to one row.
func (s *State) applyRow(r Row, res *RunResult) {
	key := [2]int{r.Feed, r.Pos}
	res.RowMPID[key] = 0
	ids := s.ordered(r.Identities)
	dropRow := func(reason string) {
		res.Drops = append(res.Drops, Drop{Feed: r.Feed, Pos: r.Pos, Reason: reason})
	}

	// Rule 1.
	if len(ids) == 0 && r.MPID == 0 {
		dropRow(ReasonNoIdentity)
		return
	}

	// Rule 2: an existing mpid (or alias) is the match; an unknown one is
	// ignored, unless the row has nothing else.
	var match *profile
	if r.MPID != 0 {
		if m, ok := s.Resolve(r.MPID); ok {
			match = s.profiles[m]
		} else if len(ids) == 0 {
			dropRow(ReasonUnknownMPID)
			return
		}
	}

	// Rule 3.
	if match == nil {
		match = s.lookup(ids)
	}

	// Rule 4. Reading: applies to an mpid match too.
	rejected := false
	if match != nil && s.uniqueClash(match, ids) {
		match, rejected = nil, true
	}

	switch r.Protection {
	case OnlyRead:
		// Rule 5 and 7: the row is kept, with no profile, and changes nothing.
		return
	case OnlyUpdate:
		if match == nil { // Rule 5; rule 8 holds as rows apply one at a time.
			if rejected {
				dropRow(ReasonUniqueConflict)
			} else {
				dropRow(ReasonNoMatchingProfile)
			}
			return
		}
	case CreateUpdate:
		if match == nil { // Rule 5.
			res.RowMPID[key] = s.create(r, ids, res).mpid
			return
		}
	default:
		panic(fmt.Sprintf("reference: row (%d, %d) has unknown protection %q", r.Feed, r.Pos, r.Protection))
	}

	// Rule 6.
	p := match
	p.lastSeenAt = later(p.lastSeenAt, r.TS)
	if s.addIdentities(p, r, ids, res) {
		p.updatedAt = later(p.updatedAt, r.TS)
	}
	for _, id := range ids { // 6b
		for _, q := range s.holders(id, p) {
			if s.canMerge(p, q) {
				s.merge(p, q, r.TS)
				res.Merged++
			}
		}
	}
	res.RowMPID[key] = p.mpid
}

// ordered returns ids without duplicates, in priority order: types by
// their position in Config.Order, values of one type in byte order.
// Reading: types missing from Order come after all listed ones, by name.
func (s *State) ordered(ids []Identity) []Identity {
	out := slices.Clone(ids)
	rank := func(t string) int {
		if r, ok := s.rank[t]; ok {
			return r
		}
		return len(s.cfg.Order)
	}
	slices.SortFunc(out, func(a, b Identity) int {
		if c := cmp.Compare(rank(a.Type), rank(b.Type)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
	return slices.Compact(out)
}

// lookup is rule 3: the first identity held by some profile decides; among
// its holders the one that saw it last wins, ties to the smaller MPID.
func (s *State) lookup(ids []Identity) *profile {
	for _, id := range ids {
		var best *profile
		for _, p := range s.holders(id, nil) { // sorted by MPID
			if best == nil || p.ids[id].LastSeen.After(best.ids[id].LastSeen) {
				best = p
			}
		}
		if best != nil {
			return best
		}
	}
	return nil
}

// holders returns the profiles other than except that hold id, smaller
// MPID first.
func (s *State) holders(id Identity, except *profile) []*profile {
	var out []*profile
	for _, p := range s.profiles {
		if _, ok := p.ids[id]; ok && p != except {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *profile) int { return cmp.Compare(a.mpid, b.mpid) })
	return out
}

// uniqueClash is rule 4: p holds a value of a unique type that differs
// from a value of that type among ids.
func (s *State) uniqueClash(p *profile, ids []Identity) bool {
	for _, id := range ids {
		if !s.unique[id.Type] {
			continue
		}
		for _, v := range values(p, id.Type) {
			if v != id.Value {
				return true
			}
		}
	}
	return false
}

// create is rule 5 under create_update: a new profile whose MPID comes
// from the row's first identity (rule 9), filled as in 6a. Reading: no 6b.
func (s *State) create(r Row, ids []Identity, res *RunResult) *profile {
	p := &profile{
		mpid:      s.freeMPID(Seed(ids[0].Type, ids[0].Value)),
		createdAt: r.TS, updatedAt: r.TS, lastSeenAt: r.TS,
		ids: map[Identity]*IdentityRecord{},
	}
	s.profiles[p.mpid] = p
	res.Created++
	s.addIdentities(p, r, ids, res)
	return p
}

// addIdentities is 6a; it reports whether it added any identity.
func (s *State) addIdentities(p *profile, r Row, ids []Identity, res *RunResult) bool {
	added := false
	for _, id := range ids {
		if rec, ok := p.ids[id]; ok {
			// Reading: the stored feed stays even if FirstSeen moves earlier.
			rec.FirstSeen = earlier(rec.FirstSeen, r.TS)
			rec.LastSeen = later(rec.LastSeen, r.TS)
			continue
		}
		held := len(values(p, id.Type))
		reason := ""
		switch {
		case s.unique[id.Type] && held > 0: // checked first (Reading)
			reason = ReasonUniqueConflict
		case s.limit(id.Type) > 0 && held >= s.limit(id.Type):
			reason = ReasonIdentityLimit
		}
		if reason != "" {
			dropped := id
			res.Drops = append(res.Drops, Drop{Feed: r.Feed, Pos: r.Pos, Reason: reason, Identity: &dropped})
			continue
		}
		p.ids[id] = &IdentityRecord{Type: id.Type, Value: id.Value, FirstSeen: r.TS, LastSeen: r.TS, Feed: r.Feed}
		added = true
	}
	return added
}

// canMerge is 6b's test: p and q hold no different values of a unique
// type, and together hold no more values of any type than its limit.
func (s *State) canMerge(p, q *profile) bool {
	union := map[string]map[string]bool{} // type -> values held by p or q
	for _, x := range []*profile{p, q} {
		for id := range x.ids {
			if union[id.Type] == nil {
				union[id.Type] = map[string]bool{}
			}
			union[id.Type][id.Value] = true
		}
	}
	for t, vals := range union {
		if lim := s.limit(t); lim > 0 && len(vals) > lim {
			return false
		}
		if !s.unique[t] {
			continue
		}
		for _, pv := range values(p, t) {
			for _, qv := range values(q, t) {
				if pv != qv {
					return false
				}
			}
		}
	}
	return true
}

// merge moves q into p: identities combine, q becomes an alias of p and
// q's aliases now point at p. Times per doc.go's "Profile times".
func (s *State) merge(p, q *profile, ts time.Time) {
	for id, qr := range q.ids {
		pr, ok := p.ids[id]
		if !ok {
			rec := *qr
			p.ids[id] = &rec
			continue
		}
		if qr.FirstSeen.Before(pr.FirstSeen) { // Reading: a tie keeps p's feed
			pr.FirstSeen, pr.Feed = qr.FirstSeen, qr.Feed
		}
		pr.LastSeen = later(pr.LastSeen, qr.LastSeen)
	}
	p.lastSeenAt = later(p.lastSeenAt, q.lastSeenAt)
	p.updatedAt = later(later(p.updatedAt, q.updatedAt), ts)
	delete(s.profiles, q.mpid)
	for a, target := range s.aliases {
		if target == q.mpid {
			s.aliases[a] = p.mpid
		}
	}
	s.aliases[q.mpid] = p.mpid
}

// limit returns the identity limit of type t; 0 means none. Reading:
// entries below 1 (invalid config) are ignored.
func (s *State) limit(t string) int {
	return max(s.cfg.Limits[t], 0)
}

// values returns the values of type t that p holds, in byte order.
func values(p *profile, t string) []string {
	var out []string
	for id := range p.ids {
		if id.Type == t {
			out = append(out, id.Value)
		}
	}
	slices.Sort(out)
	return out
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func sortRecords(recs []IdentityRecord) {
	slices.SortFunc(recs, func(a, b IdentityRecord) int {
		if c := cmp.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
}

func sortProfiles(ps []Profile) {
	slices.SortFunc(ps, func(a, b Profile) int { return cmp.Compare(a.MPID, b.MPID) })
}

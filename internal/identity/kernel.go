package identity

import (
	"slices"
)

// Protection is a feed's protection level.
type Protection uint8

// Protection levels (config.CreateUpdate, …).
const (
	CreateUpdate Protection = iota
	OnlyUpdate
	OnlyRead
)

// Ident is one identity of a row: its interned id, the rank of its type in
// the priority order, and its MPID seed (doc.go rule 9).
type Ident struct {
	ID   int64
	Rank int
	Seed int64
}

// Row is one feed row as the kernel sees it; Idents are in priority order.
type Row struct {
	ID         int64
	TS         int64 // microseconds since the epoch
	Feed       int
	Protection Protection
	MPID       int64 // 0: none
	Idents     []Ident
}

// Rules are the pipeline's identity rules, by type rank, and its feeds.
type Rules struct {
	Unique []bool // Unique[rank]
	Limit  []int  // Limit[rank]; 0: no limit
	Feeds  []string
}

type holding struct {
	first, last int64
	feed        int // feed position; -1 when loaded (see feedName)
	feedName    string
}

// Profile is one profile's state.
type Profile struct {
	MPID                       int64
	Created, Updated, LastSeen int64
	ids                        map[int64]*holding
	count                      map[int]int   // rank -> values held
	unique                     map[int]int64 // unique rank -> the id held
	isNew, dirty               bool
}

// Drop is a row, or one identity of a row, that the stage drops.
type Drop struct {
	RowID   int64
	Reason  string
	IdentID int64 // 0: the whole row
}

// Alias records a merge: Alias now resolves to MPID.
type Alias struct {
	Alias, MPID, At int64
}

// Kernel applies rows to profiles one at a time (doc.go). Call order: New,
// then the Load* methods for the existing state the rows can reach, then
// Apply once per row in order, then Result.
type Kernel struct {
	rules   Rules
	rank    map[int64]int        // identity id -> type rank
	holders map[int64][]*Profile // identity id -> profiles holding it
	byMPID  map[int64]*Profile
	aliases map[int64]int64 // alias -> the profile it merged into (resolve follows chains)
	taken   map[int64]bool
	gone    []int64
	merged  []Alias
	drops   []Drop
	rows    map[int64]int64 // row id -> mpid (0: none)
	created int
}

// New returns an empty kernel.
func New(rules Rules) *Kernel {
	return &Kernel{
		rules: rules, rank: map[int64]int{}, holders: map[int64][]*Profile{}, byMPID: map[int64]*Profile{},
		aliases: map[int64]int64{}, taken: map[int64]bool{}, rows: map[int64]int64{},
	}
}

func newProfile(mpid int64) *Profile {
	return &Profile{MPID: mpid, ids: map[int64]*holding{}, count: map[int]int{}, unique: map[int]int64{}}
}

// Taken marks an MPID in use by a profile or an alias in the store.
func (k *Kernel) Taken(mpid int64) { k.taken[mpid] = true }

// LoadProfile adds an existing profile.
func (k *Kernel) LoadProfile(mpid, created, updated, lastSeen int64) {
	p := newProfile(mpid)
	p.Created, p.Updated, p.LastSeen = created, updated, lastSeen
	k.byMPID[mpid] = p
	k.taken[mpid] = true
}

// LoadHolding adds an identity an existing (loaded) profile holds.
func (k *Kernel) LoadHolding(mpid, id int64, rank int, first, last int64, feed string) {
	p := k.byMPID[mpid]
	if p == nil {
		return
	}
	k.rank[id] = rank
	k.hold(p, id, &holding{first: first, last: last, feed: -1, feedName: feed})
}

// LoadAlias adds an existing alias.
func (k *Kernel) LoadAlias(alias, mpid int64) {
	k.aliases[alias] = mpid
	k.taken[alias] = true
}

func (k *Kernel) hold(p *Profile, id int64, h *holding) {
	r := k.rank[id]
	p.ids[id] = h
	p.count[r]++
	if k.isUnique(r) {
		p.unique[r] = id
	}
	k.holders[id] = append(k.holders[id], p)
}

func (k *Kernel) isUnique(rank int) bool { return rank < len(k.rules.Unique) && k.rules.Unique[rank] }

func (k *Kernel) limit(rank int) int {
	if rank < len(k.rules.Limit) {
		return k.rules.Limit[rank]
	}
	return 0
}

func (k *Kernel) drop(row *Row, reason string, ident int64) {
	k.drops = append(k.drops, Drop{RowID: row.ID, Reason: reason, IdentID: ident})
}

// Apply applies one row (doc.go rules 1–9).
func (k *Kernel) Apply(row *Row) {
	for _, id := range row.Idents {
		k.rank[id.ID] = id.Rank
	}
	if len(row.Idents) == 0 && row.MPID == 0 {
		k.drop(row, "no_identity", 0)
		return
	}
	p, rejected := k.match(row)
	if p == nil {
		switch {
		case len(row.Idents) == 0:
			k.drop(row, "unknown_mpid", 0)
		case row.Protection == OnlyRead:
			k.rows[row.ID] = 0
		case row.Protection == OnlyUpdate && rejected:
			k.drop(row, "unique_conflict", 0)
		case row.Protection == OnlyUpdate:
			k.drop(row, "no_matching_profile", 0)
		default:
			p = k.create(row)
			k.addIdentities(p, row)
			k.rows[row.ID] = p.MPID
		}
		return
	}
	if row.Protection == OnlyRead {
		k.rows[row.ID] = 0
		return
	}
	k.addIdentities(p, row)
	k.mergeOthers(p, row)
	p.LastSeen = max(p.LastSeen, row.TS)
	p.dirty = true
	k.rows[row.ID] = p.MPID
}

// match finds the row's profile (rules 2–4); rejected tells that rule 4
// turned a match down.
func (k *Kernel) match(row *Row) (p *Profile, rejected bool) {
	if row.MPID != 0 {
		p = k.byMPID[k.resolve(row.MPID)]
	}
	if p == nil {
		for _, id := range row.Idents {
			if hs := k.holders[id.ID]; len(hs) > 0 {
				p = k.mostRecent(id.ID, hs)
				break
			}
		}
	}
	if p == nil {
		return nil, false
	}
	for _, id := range row.Idents {
		if held, ok := p.unique[id.Rank]; ok && k.isUnique(id.Rank) && held != id.ID {
			return nil, true
		}
	}
	return p, false
}

func (k *Kernel) mostRecent(id int64, hs []*Profile) *Profile {
	best := hs[0]
	for _, h := range hs[1:] {
		a, b := h.ids[id].last, best.ids[id].last
		if a > b || (a == b && h.MPID < best.MPID) {
			best = h
		}
	}
	return best
}

func (k *Kernel) create(row *Row) *Profile {
	mpid := row.Idents[0].Seed
	for k.taken[mpid] {
		mpid++
	}
	p := newProfile(mpid)
	p.Created, p.Updated, p.LastSeen = row.TS, row.TS, row.TS
	p.isNew, p.dirty = true, true
	k.byMPID[mpid] = p
	k.taken[mpid] = true
	k.created++
	return p
}

// addIdentities is rule 6a.
func (k *Kernel) addIdentities(p *Profile, row *Row) {
	for _, id := range row.Idents {
		if h, ok := p.ids[id.ID]; ok {
			h.first, h.last = min(h.first, row.TS), max(h.last, row.TS)
			continue
		}
		if held, ok := p.unique[id.Rank]; ok && held != id.ID {
			k.drop(row, "unique_conflict", id.ID)
			continue
		}
		if l := k.limit(id.Rank); l > 0 && p.count[id.Rank] >= l {
			k.drop(row, "identity_limit", id.ID)
			continue
		}
		k.hold(p, id.ID, &holding{first: row.TS, last: row.TS, feed: row.Feed})
		p.Updated = max(p.Updated, row.TS)
	}
}

// mergeOthers is rule 6b.
func (k *Kernel) mergeOthers(p *Profile, row *Row) {
	for _, id := range row.Idents {
		others := slices.Clone(k.holders[id.ID])
		slices.SortFunc(others, func(a, b *Profile) int { return cmpInt(a.MPID, b.MPID) })
		for _, q := range others {
			if q != p && k.byMPID[q.MPID] == q && k.mayMerge(p, q) {
				k.merge(p, q, row.TS)
			}
		}
	}
}

func (k *Kernel) mayMerge(p, q *Profile) bool {
	for r, id := range q.unique {
		if held, ok := p.unique[r]; ok && held != id {
			return false
		}
	}
	for r, n := range q.count {
		l := k.limit(r)
		if l == 0 {
			continue
		}
		both := 0
		for id := range q.ids {
			if k.rank[id] == r && p.ids[id] != nil {
				both++
			}
		}
		if p.count[r]+n-both > l {
			return false
		}
	}
	return true
}

func (k *Kernel) merge(p, q *Profile, ts int64) {
	for id, qh := range q.ids {
		k.holders[id] = slices.DeleteFunc(k.holders[id], func(x *Profile) bool { return x == q })
		if ph, ok := p.ids[id]; ok {
			if qh.first < ph.first {
				ph.first, ph.feed, ph.feedName = qh.first, qh.feed, qh.feedName
			}
			ph.last = max(ph.last, qh.last)
			continue
		}
		k.hold(p, id, qh)
	}
	p.LastSeen = max(p.LastSeen, q.LastSeen)
	p.Updated = max(p.Updated, q.Updated, ts)
	p.dirty = true
	delete(k.byMPID, q.MPID)
	k.aliases[q.MPID] = p.MPID
	k.gone = append(k.gone, q.MPID)
	k.merged = append(k.merged, Alias{Alias: q.MPID, MPID: p.MPID, At: ts})
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

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

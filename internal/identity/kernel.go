package identity

import "slices"

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
// Apply does not keep the Row or its Idents, so callers may reuse them.
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

// hold is one identity a profile holds.
type hold struct {
	id          int64
	first, last int64
	// feed is the feed position of the row that added it, or -1-i for the
	// i-th feed name of identities loaded from the store.
	feed int32
	rank int32
}

// pid indexes Kernel.profs; 0 is no profile.
type pid = int32

// profile is one profile's state. Profiles hold a few identities each, so
// a slice searched linearly beats a map; big ones get an index.
type profile struct {
	mpid                       int64
	created, updated, lastSeen int64
	before                     int64 // updated as loaded (0 for a new profile)
	ids                        []hold
	index                      map[int64]int32 // id -> position in ids, once ids is long
	into                       pid             // the profile this one merged into; 0 while alive
	isNew, dirty               bool
}

// indexFrom is the size from which a profile indexes its identities.
const indexFrom = 16

func (p *profile) find(id int64) int {
	if p.index != nil {
		if i, ok := p.index[id]; ok {
			return int(i)
		}
		return -1
	}
	for i := range p.ids {
		if p.ids[i].id == id {
			return i
		}
	}
	return -1
}

func (p *profile) add(h hold) {
	p.ids = append(p.ids, h)
	if p.index != nil {
		p.index[h.id] = int32(len(p.ids) - 1)
	} else if len(p.ids) > indexFrom {
		p.index = make(map[int64]int32, 2*len(p.ids))
		for i := range p.ids {
			p.index[p.ids[i].id] = int32(i)
		}
	}
}

// uniqueHeld returns the id p holds at a unique rank, if any.
func (p *profile) uniqueHeld(rank int32) (int64, bool) {
	for i := range p.ids {
		if p.ids[i].rank == rank {
			return p.ids[i].id, true
		}
	}
	return 0, false
}

func (p *profile) count(rank int32) int {
	n := 0
	for i := range p.ids {
		if p.ids[i].rank == rank {
			n++
		}
	}
	return n
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
	// Row is the row whose identity Ident, held by the absorbed profile,
	// merged it into the survivor: the merge's explanation.
	Row, Ident int64
}

// Refusal records a join the rules turned down: row's identity Ident
// linked profile MPID (0 when the row was dropped instead) to profile
// Other, and the unique rule or the limit of identity type rank Rank kept
// them apart (Rule is unique_conflict or identity_limit). Rows counts the
// rows of the run that met the same refusal; Row is the first.
type Refusal struct {
	Row, Ident, At int64
	MPID, Other    int64
	Rows           int64
	Rank           int32
	// Unique: the identity's type is unique (Rule); else at its limit.
	// Not a string, so that the collector does not scan the refusals
	// (11.65M in a first run at 10M users).
	Unique bool
}

// Rule names the rule that refused the join, as merge_refusals keeps it.
func (r *Refusal) Rule() string {
	if r.Unique {
		return "unique_conflict"
	}
	return "identity_limit"
}

// refusalKey identifies a refusal within a run: a shared device refuses
// the same join on every row that carries it.
type refusalKey struct {
	p, other pid
	ident    int64
}

// Kernel applies rows to profiles one at a time (doc.go). Call order: New,
// then the Load* and Taken methods for the existing state the rows can
// reach, then Apply once per row in order, then Result.
//
// Everything is keyed by integers: identity ids are the store's dense
// interned ids (holder is indexed by them), profiles live in one slice.
type Kernel struct {
	rules  Rules
	profs  []profile
	byMPID map[int64]pid // alive profiles
	// holder[id] is the one profile holding identity id, 0 for none, or
	// -1 when several do (then shared[id] lists them).
	holder  []pid
	shared  map[int64][]pid
	aliases map[int64]int64 // alias -> the MPID it merged into (resolve follows chains)
	taken   map[int64]struct{}
	feeds   []string // feed names of loaded identities
	feedIDs map[string]int32
	rowIDs  []int64
	rowProf []pid
	gone    []int64
	merged  []Alias
	refused []Refusal
	refusal map[refusalKey]int // index in refused
	drops   []Drop
	created int
	added   int // identities added to profiles (rule 6a)
	far     int // profiles created outside their seed's buckets (Result.Far)
	// track makes the kernel list the profiles it creates in creates
	// (applyParts checks their MPIDs).
	track   bool
	creates []created
}

// New returns an empty kernel for identity ids up to maxIdent, with room
// for about profiles profiles and rows rows.
func New(rules Rules, maxIdent int64, profiles, rows int) *Kernel {
	return &Kernel{
		rules: rules, profs: make([]profile, 1, 1+profiles), byMPID: make(map[int64]pid, profiles),
		rowIDs: make([]int64, 0, rows), rowProf: make([]pid, 0, rows),
		holder: make([]pid, maxIdent+1), shared: map[int64][]pid{}, aliases: map[int64]int64{},
		taken: map[int64]struct{}{}, feedIDs: map[string]int32{}, refusal: map[refusalKey]int{},
	}
}

// Taken marks an MPID in use in the store (a profile or an alias) that a
// new profile might otherwise be given.
func (k *Kernel) Taken(mpid int64) { k.taken[mpid] = struct{}{} }

func (k *Kernel) isTaken(mpid int64) bool {
	if _, ok := k.taken[mpid]; ok {
		return true
	}
	if _, ok := k.byMPID[mpid]; ok {
		return true
	}
	_, ok := k.aliases[mpid]
	return ok
}

func (k *Kernel) newProfile(mpid int64) pid {
	k.profs = append(k.profs, profile{mpid: mpid})
	id := pid(len(k.profs) - 1)
	k.byMPID[mpid] = id
	return id
}

// fresh tells whether the kernel holds nothing loaded from the store
// (taken MPIDs aside).
func (k *Kernel) fresh() bool { return len(k.profs) == 1 && len(k.aliases) == 0 }

// LoadProfile adds an existing profile.
func (k *Kernel) LoadProfile(mpid, created, updated, lastSeen int64) {
	p := &k.profs[k.newProfile(mpid)]
	p.created, p.updated, p.lastSeen, p.before = created, updated, lastSeen, updated
}

// LoadHolding adds an identity an existing (loaded) profile holds.
func (k *Kernel) LoadHolding(mpid, id int64, rank int, first, last int64, feed string) {
	p, ok := k.byMPID[mpid]
	if !ok {
		return
	}
	f, ok := k.feedIDs[feed]
	if !ok {
		f = int32(len(k.feeds))
		k.feeds = append(k.feeds, feed)
		k.feedIDs[feed] = f
	}
	k.hold(p, hold{id: id, first: first, last: last, feed: -1 - f, rank: int32(rank)})
}

// LoadAlias adds an existing alias.
func (k *Kernel) LoadAlias(alias, mpid int64) { k.aliases[alias] = mpid }

func (k *Kernel) hold(p pid, h hold) {
	k.profs[p].add(h)
	if h.id >= int64(len(k.holder)) {
		k.holder = append(k.holder, make([]pid, h.id+1-int64(len(k.holder)))...)
	}
	switch cur := k.holder[h.id]; {
	case cur == 0:
		k.holder[h.id] = p
	case cur > 0:
		k.holder[h.id] = -1
		k.shared[h.id] = []pid{cur, p}
	default:
		k.shared[h.id] = append(k.shared[h.id], p)
	}
}

// unhold removes profile p from identity id's holders.
func (k *Kernel) unhold(p pid, id int64) {
	if k.holder[id] == p {
		k.holder[id] = 0
		return
	}
	hs := slices.DeleteFunc(k.shared[id], func(x pid) bool { return x == p })
	if len(hs) == 1 {
		k.holder[id] = hs[0]
		delete(k.shared, id)
	} else {
		k.shared[id] = hs
	}
}

// holders returns the profiles holding id (nil when none); one holder is
// returned in buf.
func (k *Kernel) holders(id int64, buf *[1]pid) []pid {
	if id >= int64(len(k.holder)) {
		return nil
	}
	switch h := k.holder[id]; {
	case h == 0:
		return nil
	case h > 0:
		buf[0] = h
		return buf[:]
	default:
		return k.shared[id]
	}
}

func (k *Kernel) isUnique(rank int32) bool {
	return int(rank) < len(k.rules.Unique) && k.rules.Unique[rank]
}

func (k *Kernel) limit(rank int32) int {
	if int(rank) < len(k.rules.Limit) {
		return k.rules.Limit[rank]
	}
	return 0
}

// refuse records that the rules kept profile other apart from p (0: the
// row was dropped), linked by row's identity ident.
func (k *Kernel) refuse(row *Row, ident int64, p, other pid, rank int32) {
	key := refusalKey{p, other, ident}
	if i, ok := k.refusal[key]; ok {
		k.refused[i].Rows++
		return
	}
	k.refusal[key] = len(k.refused)
	r := Refusal{Row: row.ID, Ident: ident, At: row.TS, Other: k.profs[other].mpid, Rows: 1, Rank: rank, Unique: k.isUnique(rank)}
	if p != 0 {
		r.MPID = k.profs[p].mpid
	}
	k.refused = append(k.refused, r)
}

func (k *Kernel) drop(row *Row, reason string, ident int64) {
	k.drops = append(k.drops, Drop{RowID: row.ID, Reason: reason, IdentID: ident})
}

package identity

import "slices"

// Holding is one identity a profile holds, for output. Feed indexes
// Result.Feeds: a first run at 10M users holds 48M holdings, and without
// a string in them the garbage collector does not scan them.
type Holding struct {
	MPID, IdentID int64
	First, Last   int64
	Feed          int32
}

// ProfileOut is a created or changed profile as it now is; Before is
// its updated time as loaded (0 for a new profile).
type ProfileOut struct {
	MPID                       int64
	Created, Updated, LastSeen int64
	Before                     int64
	New                        bool
}

// Result is what a run changed.
type Result struct {
	// Profiles are the profiles created or changed, by MPID, and Holdings
	// all identities of those profiles, grouped by profile, in one chunk
	// per kernel (applyParts runs several).
	Profiles []ProfileOut
	Holdings [][]Holding
	// Feeds names the feeds Holding.Feed indexes: the rules' feeds, those
	// of loaded holdings the rules do not name, and "" (none).
	Feeds []string
	// Gone are profiles merged away; Aliases maps each to its final survivor.
	Gone    []int64
	Aliases []Alias
	// Refusals are the joins the rules turned down, their MPIDs resolved
	// to the survivors.
	Refusals []Refusal
	// Rows are the rows applied to a profile, in one chunk per kernel;
	// rows that ended with no profile are not listed. Drops lists what was
	// dropped.
	Rows    []Applied
	Drops   []Drop
	Created int
	// Matched counts the profiles that existed before and that a row
	// matched: changed or not, they are written again.
	Matched int
	// IdentitiesAdded counts the identities rows added to profiles.
	IdentitiesAdded int
	// Far counts the profiles created on an MPID outside its seed's
	// 64-wide bucket and the next: the only MPIDs of which the kernel may
	// not know that the store uses them (taken.sql loads those buckets).
	Far int
}

// Applied lists rows and their profiles: row IDs[i] landed in MPIDs[i].
// A first run's 10M rows take 160 MB so: the kernels' chunks are kept as
// they are rather than copied into one list.
type Applied struct{ IDs, MPIDs []int64 }

// holdings counts the holdings of all chunks.
func (r *Result) holdings() (n int) {
	for _, c := range r.Holdings {
		n += len(c)
	}
	return n
}

// rows counts the rows of all chunks.
func (r *Result) rows() (n int) {
	for _, c := range r.Rows {
		n += len(c.IDs)
	}
	return n
}

// Result returns what the applied rows changed. Call it once, last.
func (k *Kernel) Result() Result {
	res := Result{Gone: k.gone, Drops: k.drops, Created: k.created, IdentitiesAdded: k.added, Far: k.far}
	nProfs, nHolds := 0, 0
	for i := 1; i < len(k.profs); i++ {
		if p := &k.profs[i]; p.dirty && p.into == 0 {
			nProfs, nHolds = nProfs+1, nHolds+len(p.ids)
		}
	}
	res.Profiles = make([]ProfileOut, 0, nProfs)
	holdings := make([]Holding, 0, nHolds)
	for _, a := range k.merged {
		a.MPID = k.resolve(a.Alias)
		res.Aliases = append(res.Aliases, a)
	}
	for _, r := range k.refused {
		if r.MPID != 0 {
			r.MPID = k.resolve(r.MPID)
		}
		r.Other = k.resolve(r.Other)
		res.Refusals = append(res.Refusals, r)
	}
	for i := 1; i < len(k.profs); i++ {
		p := &k.profs[i]
		if !p.dirty || p.into != 0 {
			continue
		}
		if !p.isNew {
			res.Matched++
		}
		res.Profiles = append(res.Profiles, ProfileOut{MPID: p.mpid, Created: p.created, Updated: p.updated, LastSeen: p.lastSeen, Before: p.before, New: p.isNew})
		for _, h := range p.ids {
			holdings = append(holdings, Holding{MPID: p.mpid, IdentID: h.id, First: h.first, Last: h.last, Feed: k.feedIndex(h.feed)})
		}
	}
	slices.SortFunc(res.Profiles, func(a, b ProfileOut) int { return cmpInt(a.MPID, b.MPID) })
	mpids := make([]int64, len(k.rowProf))
	for i, p := range k.rowProf {
		mpids[i] = k.profs[k.alive(p)].mpid
	}
	res.Holdings, res.Rows = [][]Holding{holdings}, []Applied{{IDs: k.rowIDs, MPIDs: mpids}}
	res.Feeds = slices.Concat(k.rules.Feeds, k.feeds, []string{""})
	return res
}

// feedIndex maps a hold's feed (a rules' feed from 0, a loaded one from
// -1 down) to its index in Result.Feeds.
func (k *Kernel) feedIndex(f int32) int32 {
	if f < 0 {
		return int32(len(k.rules.Feeds)) - 1 - f
	}
	if int(f) < len(k.rules.Feeds) {
		return f
	}
	return int32(len(k.rules.Feeds) + len(k.feeds))
}

package identity

import "slices"

// Holding is one identity a profile holds, for output.
type Holding struct {
	MPID, IdentID int64
	First, Last   int64
	Feed          string
}

// Result is what a run changed.
type Result struct {
	// Profiles are the profiles created or changed, as they now are, and
	// Holdings all identities of those profiles.
	Profiles []*Profile
	Holdings []Holding
	// Gone are profiles merged away; Aliases maps each to its final survivor.
	Gone    []int64
	Aliases []Alias
	// Rows maps each applied row to its profile (0: none); Drops lists what
	// was dropped.
	Rows    map[int64]int64
	Drops   []Drop
	Created int
	Updated int
}

// Result returns what the applied rows changed. Call it once, last.
func (k *Kernel) Result() Result {
	res := Result{Gone: k.gone, Drops: k.drops, Rows: k.rows, Created: k.created}
	for _, a := range k.merged {
		a.MPID = k.resolve(a.Alias)
		res.Aliases = append(res.Aliases, a)
	}
	for _, p := range k.byMPID {
		if !p.dirty {
			continue
		}
		if !p.isNew {
			res.Updated++
		}
		res.Profiles = append(res.Profiles, p)
		for id, h := range p.ids {
			feed := h.feedName
			if h.feed >= 0 && h.feed < len(k.rules.Feeds) {
				feed = k.rules.Feeds[h.feed]
			}
			res.Holdings = append(res.Holdings, Holding{MPID: p.MPID, IdentID: id, First: h.first, Last: h.last, Feed: feed})
		}
	}
	slices.SortFunc(res.Profiles, func(a, b *Profile) int { return cmpInt(a.MPID, b.MPID) })
	for i, r := range k.rows {
		if r != 0 {
			k.rows[i] = k.resolve(r)
		}
	}
	return res
}

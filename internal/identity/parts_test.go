package identity

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestPartsMatchOneKernel applies random runs twice: row by row to one
// kernel in application order (what doc.go specifies), and arranged into
// parts, each on a kernel of its own (applyParts). Seeds come from a
// small range, so that new profiles collide on MPIDs and some rows name
// them: then applyParts must refuse, and otherwise return the same result.
func TestPartsMatchOneKernel(t *testing.T) {
	var agreed, refused int
	for c := range 600 {
		rng := rand.New(rand.NewPCG(uint64(c), 11))
		rules, rows, prot := randomRun(rng)
		taken := map[int64]struct{}{}
		for range rng.IntN(3) {
			taken[int64(rng.IntN(40))] = struct{}{}
		}
		want := oneKernel(rules, rows, taken)

		rr := runRowsOf(rng, rows, prot)
		rr.arrange(1 + rng.IntN(4))
		rr.order() // ties need no values: the rows' ids follow the values' order
		got, ok := rr.applyParts(rules, taken)
		if !ok {
			refused++
			k := New(rules, int64(len(rr.idents)), 0, 0) // what resolve does then
			k.taken = taken
			rr.each(k.Apply)
			got = k.Result()
		} else {
			agreed++
		}
		sortHoldings(&want)
		sortHoldings(&got)
		if d := gocmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("case %d (applyParts ok=%v): -one kernel +parts:\n%s", c, ok, d)
		}
	}
	if agreed < 300 || refused < 20 {
		t.Fatalf("parts agreed in %d cases and were refused in %d: the cases no longer test both", agreed, refused)
	}
}

// randomRun returns rules and rows in application order, each row's
// identities in priority order (rank, then id).
func randomRun(rng *rand.Rand) (Rules, []Row, []Protection) {
	nTypes := 1 + rng.IntN(3)
	rules := Rules{Unique: make([]bool, nTypes), Limit: make([]int, nTypes), Feeds: []string{"a", "b", "c"}}
	for r := range nTypes {
		rules.Unique[r] = rng.IntN(3) == 0
		if rng.IntN(3) == 0 {
			rules.Limit[r] = 1 + rng.IntN(3)
		}
	}
	prot := []Protection{CreateUpdate, Protection(rng.IntN(3)), Protection(rng.IntN(3))}
	nIdents := 1 + rng.IntN(60)
	seedRange := []int64{40, 1 << 40}[rng.IntN(2)]
	rows := make([]Row, rng.IntN(120))
	for i := range rows {
		f := rng.IntN(3)
		r := Row{TS: int64(i / 3), Feed: f, Protection: prot[f]}
		for range rng.IntN(4) {
			id := int64(1 + rng.IntN(nIdents))
			r.Idents = append(r.Idents, Ident{ID: id, Rank: int(id) % nTypes, Seed: id * 7919 % seedRange})
		}
		if rng.IntN(15) == 0 {
			r.MPID = int64(rng.IntN(45))
		}
		slices.SortFunc(r.Idents, func(a, b Ident) int { return cmp.Or(cmp.Compare(a.Rank, b.Rank), cmp.Compare(a.ID, b.ID)) })
		r.Idents = slices.CompactFunc(r.Idents, func(a, b Ident) bool { return a.ID == b.ID })
		rows[i] = r
	}
	return rules, rows, prot
}

func oneKernel(rules Rules, rows []Row, taken map[int64]struct{}) Result {
	k := New(rules, 100, 0, 0)
	for m := range taken {
		k.Taken(m)
	}
	for i := range rows {
		rows[i].ID = int64(1000 + i*3) // runRowsOf gives the same ids
		k.Apply(&rows[i])
	}
	return k.Result()
}

// runRowsOf lays rows out as readRun does before arrange: row ids, and for
// each row slot the indexes of its identities in idents, which are listed
// in a random order.
func runRowsOf(rng *rand.Rand, rows []Row, prot []Protection) *runRows {
	rr := &runRows{prot: prot, base: 1000}
	index := map[int64]int32{}
	for _, r := range rows {
		for _, id := range r.Idents {
			if _, ok := index[id.ID]; !ok {
				index[id.ID] = int32(len(rr.idents))
				rr.idents = append(rr.idents, id)
			}
		}
	}
	perm := rng.Perm(len(rr.idents))
	shuffled := make([]Ident, len(rr.idents))
	for g, id := range rr.idents {
		shuffled[perm[g]] = id
		index[id.ID] = int32(perm[g])
	}
	rr.idents = shuffled
	span := 0
	if len(rows) > 0 {
		span = 3*len(rows) - 2
	}
	rr.start = make([]int32, span+1)
	for i, r := range rows {
		rr.id, rr.ts, rr.mpid, rr.feed = append(rr.id, r.ID), append(rr.ts, r.TS), append(rr.mpid, r.MPID), append(rr.feed, int32(r.Feed))
		for _, id := range r.Idents {
			rr.members = append(rr.members, index[id.ID])
		}
		for s := 3 * i; s < min(3*i+3, span); s++ {
			rr.start[s+1] = int32(len(rr.members))
		}
	}
	return rr
}

func sortHoldings(r *Result) {
	slices.SortFunc(r.Holdings, func(a, b Holding) int { return cmp.Or(cmp.Compare(a.MPID, b.MPID), cmp.Compare(a.IdentID, b.IdentID)) })
}

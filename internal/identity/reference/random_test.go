package reference

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const randomCases = 5000

func caseRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

func TestRandomCaseDeterministic(t *testing.T) {
	for seed := range uint64(50) {
		a, b := RandomCase(caseRNG(seed)), RandomCase(caseRNG(seed))
		if d := cmp.Diff(a, b); d != "" {
			t.Fatalf("seed %d: two draws differ (-first +second):\n%s", seed, d)
		}
	}
	if cmp.Equal(RandomCase(caseRNG(1)), RandomCase(caseRNG(2))) {
		t.Error("seeds 1 and 2 gave the same case")
	}
}

// TestRandomCaseShape checks the generator's promises.
func TestRandomCaseShape(t *testing.T) {
	protections := map[string]bool{}
	for seed := range uint64(randomCases) {
		c := RandomCase(caseRNG(seed))
		if n := len(c.FeedProtection); n < 2 || n > 4 {
			t.Fatalf("seed %d: %d feeds", seed, n)
		}
		if n := len(c.Runs); n < 1 || n > 4 {
			t.Fatalf("seed %d: %d runs", seed, n)
		}
		seen := map[[2]int]bool{}
		lastPos := map[int]int{}
		for _, run := range c.Runs {
			if len(run) < 1 || len(run) > 12 {
				t.Fatalf("seed %d: run of %d rows", seed, len(run))
			}
			runMax := map[int]int{}
			for _, r := range run {
				protections[r.Protection] = true
				if r.Protection != c.FeedProtection[r.Feed] {
					t.Fatalf("seed %d: row %v has protection %q, feed has %q", seed, r, r.Protection, c.FeedProtection[r.Feed])
				}
				k := [2]int{r.Feed, r.Pos}
				if seen[k] {
					t.Fatalf("seed %d: (feed, pos) %v twice", seed, k)
				}
				seen[k] = true
				if p, ok := lastPos[r.Feed]; ok && r.Pos <= p {
					t.Fatalf("seed %d: feed %d pos %d not above an earlier run's %d", seed, r.Feed, r.Pos, p)
				}
				runMax[r.Feed] = max(runMax[r.Feed], r.Pos)
			}
			for f, p := range runMax {
				lastPos[f] = p
			}
		}
	}
	if len(protections) != 3 {
		t.Errorf("protections seen: %v, want all three", protections)
	}
}

// TestRandomInvariants applies every random case, checks the invariants
// after each run, and tallies outcomes to show the cases reach every rule.
func TestRandomInvariants(t *testing.T) {
	tally := map[string]int{}
	for seed := range uint64(randomCases) {
		c := RandomCase(caseRNG(seed))
		s := New(c.Config)
		var resolved []resolvedRow // rows with a profile, of every run so far
		for i, run := range c.Runs {
			before := len(s.Profiles())
			res := applyNoPanic(t, s, run, seed, i)
			if res == nil {
				return
			}
			if err := checkRun(s, c.Config, run, *res, before); err != nil {
				t.Fatalf("seed %d run %d: %v", seed, i, err)
			}
			resolved = appendResolved(resolved, run, *res)
			if err := checkAttributes(s, run, *res, resolved); err != nil {
				t.Fatalf("seed %d run %d: %v", seed, i, err)
			}
			tally["created"] += res.Created
			tally["merged"] += res.Merged
			tally["attributes written"] += res.AttributesWritten
			tally["attributes ignored"] += res.AttributesIgnored
			for _, d := range res.Drops {
				tally[d.Reason]++
			}
		}
	}
	for _, k := range []string{"created", "merged", ReasonNoIdentity, ReasonUnknownMPID,
		ReasonNoMatchingProfile, ReasonUniqueConflict, ReasonIdentityLimit,
		"attributes written", "attributes ignored"} {
		if tally[k] == 0 {
			t.Errorf("no %s in %d random cases: %v", k, randomCases, tally)
		}
	}
	t.Logf("outcomes over %d cases: %v", randomCases, tally)
}

// TestRandomInputOrder: a run's result does not depend on its rows' order.
func TestRandomInputOrder(t *testing.T) {
	for seed := range uint64(1000) {
		c := RandomCase(caseRNG(seed))
		s1, s2 := New(c.Config), New(c.Config)
		rng := caseRNG(seed + 1<<32)
		for i, run := range c.Runs {
			rev := slices.Clone(run)
			rng.Shuffle(len(rev), func(i, j int) { rev[i], rev[j] = rev[j], rev[i] })
			if d := cmp.Diff(s1.Apply(run), s2.Apply(rev)); d != "" {
				t.Fatalf("seed %d run %d: results differ (-given +shuffled):\n%s", seed, i, d)
			}
		}
		if d := cmp.Diff(s1.Profiles(), s2.Profiles()); d != "" {
			t.Fatalf("seed %d: profiles differ:\n%s", seed, d)
		}
		if d := cmp.Diff(s1.Attributes(), s2.Attributes()); d != "" {
			t.Fatalf("seed %d: attributes differ:\n%s", seed, d)
		}
	}
}

func applyNoPanic(t *testing.T, s *State, run []Row, seed uint64, i int) (res *RunResult) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("seed %d run %d: Apply panicked: %v", seed, i, p)
			res = nil
		}
	}()
	r := s.Apply(run)
	return &r
}

// checkRun checks the invariants after one run. Every profile holds at
// least one identity: a profile is only created by a row with an identity
// (rules 1, 2), its first identity is always added (an empty profile has no
// conflict and limits are at least 1), and identities leave a profile only
// when the whole profile merges away. Moreover the profile still holds the
// identity that seeded its MPID, so MPID - Seed(some identity it holds)
// lies in [0, number of MPIDs taken).
func checkRun(s *State, cfg Config, run []Row, res RunResult, before int) error {
	profiles := s.Profiles()
	aliases := s.Aliases()
	if got, want := len(profiles), before+res.Created-res.Merged; got != want {
		return fmt.Errorf("%d profiles, want %d before + %d created - %d merged", got, before, res.Created, res.Merged)
	}
	unique := map[string]bool{}
	for _, u := range cfg.Unique {
		unique[u] = true
	}
	taken := uint64(len(profiles) + len(aliases))
	for _, p := range profiles {
		if len(p.Identities) == 0 {
			return fmt.Errorf("profile %d has no identity", p.MPID)
		}
		if _, ok := aliases[p.MPID]; ok {
			return fmt.Errorf("profile %d is also an alias", p.MPID)
		}
		if p.UpdatedAt.Before(p.CreatedAt) || p.LastSeenAt.Before(p.CreatedAt) {
			return fmt.Errorf("profile %d: times out of order: %+v", p.MPID, p)
		}
		perType := map[string]int{}
		seeded := false
		for i, r := range p.Identities {
			if i > 0 && !(p.Identities[i-1].Type < r.Type ||
				p.Identities[i-1].Type == r.Type && p.Identities[i-1].Value < r.Value) {
				return fmt.Errorf("profile %d: identities unsorted or repeated: %v", p.MPID, p.Identities)
			}
			if r.LastSeen.Before(r.FirstSeen) {
				return fmt.Errorf("profile %d: identity %v last seen before first", p.MPID, r)
			}
			perType[r.Type]++
			if uint64(p.MPID-Seed(r.Type, r.Value)) < taken {
				seeded = true
			}
		}
		if !seeded {
			return fmt.Errorf("profile %d: no identity seeds its MPID", p.MPID)
		}
		for typ, n := range perType {
			if unique[typ] && n > 1 {
				return fmt.Errorf("profile %d holds %d values of unique %s", p.MPID, n, typ)
			}
			if lim := cfg.Limits[typ]; lim > 0 && n > lim {
				return fmt.Errorf("profile %d holds %d values of %s, limit %d", p.MPID, n, typ, lim)
			}
		}
	}
	for a, target := range aliases {
		if got, ok := s.Resolve(a); !ok || got != target {
			return fmt.Errorf("alias %d -> %d, which is not a profile", a, target)
		}
	}
	rowDropped := map[[2]int]bool{}
	for _, d := range res.Drops {
		if d.Identity == nil {
			rowDropped[[2]int{d.Feed, d.Pos}] = true
		}
	}
	for _, r := range run {
		k := [2]int{r.Feed, r.Pos}
		m, ok := res.RowMPID[k]
		switch {
		case !ok:
			return fmt.Errorf("row %v missing from RowMPID", k)
		case (r.Protection == OnlyRead || rowDropped[k]) && m != 0:
			return fmt.Errorf("row %v (%s, dropped %v) resolved to %d", k, r.Protection, rowDropped[k], m)
		case r.Protection != OnlyRead && !rowDropped[k] && m == 0:
			return fmt.Errorf("kept %s row %v has no profile", r.Protection, k)
		case m != 0:
			if _, ok := s.Resolve(m); !ok {
				return fmt.Errorf("row %v resolved to %d, now unknown", k, m)
			}
		}
	}
	for _, d := range res.Drops {
		if d.Identity != nil && res.RowMPID[[2]int{d.Feed, d.Pos}] == 0 {
			return fmt.Errorf("identity drop %+v on a row without profile", d)
		}
	}
	return nil
}

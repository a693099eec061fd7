package reference

import (
	"math/rand/v2"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Case is one random scenario for property tests: a configuration and the
// rows of successive runs.
type Case struct {
	Config Config
	// Priority is the identity.priority that gives Config.Order through
	// config.Pipeline.IdentityOrder(), for building a real pipeline.
	Priority []string
	// Runs are applied in order, one Apply each. Rows within a run are
	// shuffled: Apply must order them itself.
	Runs [][]Row
	// FeedProtection[f] is the protection of feed f; every row of feed f
	// carries it.
	FeedProtection []string
	// FeedSourceType[f] is the source type of feed f (a config.SourceTypes
	// entry); every row of feed f carries it as Row.SourceType.
	FeedSourceType []string
}

// Attribute keys and values (compact JSON texts) of random cases.
var (
	attrKeys   = []string{"tier", "city", "drink"}
	attrValues = []string{`"gold"`, `"silver"`, `9`, `true`, `null`, `["a","b"]`}
)

// caseTypes are the identity types random cases draw from, with small
// value pools so that rows share identities and profiles merge.
var caseTypes = []struct {
	typ    string
	weight int
	pool   []string
}{
	{"customerid", 3, []string{"c1", "c2", "c3"}},
	{"email", 4, []string{"a@x.com", "b@x.com", "c@x.com", "d@x.com"}},
	{"mobile_number", 1, []string{"+15550001", "+15550002"}},
	{"ios_idfa", 2, []string{"idfa-1", "idfa-2", "idfa-3"}},
	{"device_application_stamp", 2, []string{"das-1", "das-2", "das-3"}},
}

var protections = []string{CreateUpdate, OnlyUpdate, OnlyRead}

// caseEpoch is the base of random timestamps.
var caseEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// RandomCase draws a small but nasty case from rng; the same rng state
// gives the same case. Cases have 2-4 feeds of random protection, 1-4 runs
// of 1-12 rows, rows of 0-3 identities from small pools (about one row in
// twenty has none, to reach rules 1 and 2), an mpid on about one row in
// seven (the seed of a pool identity, that seed plus one, or a random
// number), hour timestamps from overlapping per-run windows (ties, and
// later runs holding older rows), and per-feed positions that grow across
// runs.
//
// Attributes are drawn after everything else, so that a seed gives the
// same identity scenario as before they existed: each feed gets a random
// source type (feeds may share one), one case in four a random
// SourcePriority (a permutation of all five types), and each row, with
// probability one half, sets 1-2 keys of a pool of three to values of a
// small pool, and with probability one eighth deletes a key it does not
// set.
func RandomCase(rng *rand.Rand) Case {
	var c Case
	nFeeds := 2 + rng.IntN(3)
	for range nFeeds {
		c.FeedProtection = append(c.FeedProtection, protections[rng.IntN(len(protections))])
	}

	// Identity configuration.
	perm := rng.Perm(len(caseTypes))
	for _, i := range perm[:rng.IntN(len(caseTypes)+1)] {
		c.Priority = append(c.Priority, caseTypes[i].typ)
	}
	pipe := config.Pipeline{Identity: config.Identity{Priority: c.Priority}}
	c.Config.Order = pipe.IdentityOrder()
	if rng.IntN(10) < 8 {
		c.Config.Unique = append(c.Config.Unique, "customerid")
	}
	if rng.IntN(10) == 0 {
		c.Config.Unique = append(c.Config.Unique, "email")
	}
	if rng.IntN(10) == 0 {
		c.Config.Unique = append(c.Config.Unique, "ios_idfa")
	}
	c.Config.Limits = map[string]int{}
	if rng.IntN(10) < 3 {
		c.Config.Limits["email"] = 1 + rng.IntN(2)
	}
	if rng.IntN(10) < 2 {
		c.Config.Limits["device_application_stamp"] = 1 + rng.IntN(2)
	}

	// Rows.
	nextPos := make([]int, nFeeds)
	nRuns := 1 + rng.IntN(4)
	for run := range nRuns {
		var rows []Row
		for range 1 + rng.IntN(12) {
			f := rng.IntN(nFeeds)
			r := Row{
				Feed:       f,
				Pos:        nextPos[f],
				TS:         randomTime(rng, run),
				Protection: c.FeedProtection[f],
			}
			nextPos[f] += 1 + rng.IntN(2)
			if rng.IntN(20) != 0 {
				for range 1 + rng.IntN(3) {
					r.Identities = append(r.Identities, randomIdentity(rng))
				}
			}
			if rng.IntN(7) == 0 {
				r.MPID = randomMPID(rng)
			}
			rows = append(rows, r)
		}
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		c.Runs = append(c.Runs, rows)
	}
	randomAttributes(rng, &c)
	return c
}

// randomAttributes gives c's feeds source types, perhaps a source
// priority, and its rows attribute writes.
func randomAttributes(rng *rand.Rand, c *Case) {
	for range c.FeedProtection {
		c.FeedSourceType = append(c.FeedSourceType, config.SourceTypes[rng.IntN(len(config.SourceTypes))])
	}
	if rng.IntN(4) == 0 {
		for _, i := range rng.Perm(len(config.SourceTypes)) {
			c.Config.SourcePriority = append(c.Config.SourcePriority, config.SourceTypes[i])
		}
	}
	for _, rows := range c.Runs {
		for i := range rows {
			r := &rows[i]
			r.SourceType = c.FeedSourceType[r.Feed]
			keys := rng.Perm(len(attrKeys)) // sets take the first keys, a deletion the last
			if rng.IntN(2) == 0 {
				r.Sets = map[string]string{}
				for _, k := range keys[:1+rng.IntN(2)] {
					r.Sets[attrKeys[k]] = attrValues[rng.IntN(len(attrValues))]
				}
			}
			if rng.IntN(8) == 0 {
				r.Deletes = []string{attrKeys[keys[len(keys)-1]]}
			}
		}
	}
}

// randomTime draws an hour from run's window [2run-2, 2run+2]; one row in
// ten is very late (the first hours).
func randomTime(rng *rand.Rand, run int) time.Time {
	h := 2*run - 2 + rng.IntN(5)
	if rng.IntN(10) == 0 {
		h = rng.IntN(3)
	}
	return caseEpoch.Add(time.Duration(h) * time.Hour)
}

// randomIdentity draws a type by weight and a value from its pool.
func randomIdentity(rng *rand.Rand) Identity {
	total := 0
	for _, t := range caseTypes {
		total += t.weight
	}
	n := rng.IntN(total)
	for _, t := range caseTypes {
		if n < t.weight {
			return Identity{Type: t.typ, Value: t.pool[rng.IntN(len(t.pool))]}
		}
		n -= t.weight
	}
	panic("unreachable")
}

// randomMPID draws a row mpid: mostly the seed of a pool identity (an MPID
// that may exist by then), sometimes that seed plus one (a probed MPID),
// sometimes a random non-zero number (unknown).
func randomMPID(rng *rand.Rand) int64 {
	switch n := rng.IntN(10); {
	case n < 6:
		id := randomIdentity(rng)
		return Seed(id.Type, id.Value)
	case n < 7:
		id := randomIdentity(rng)
		return Seed(id.Type, id.Value) + 1
	default:
		for {
			if m := rng.Int64() - rng.Int64(); m != 0 {
				return m
			}
		}
	}
}

package reference

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Seeds of the identities the scenarios use, computed independently with
// Python's hashlib (md5 digest bytes 8..15, little-endian, minus 2^63).
const (
	seedA  int64 = 7244947124212170497  // email:a@x.com (checked against DuckDB)
	seedB  int64 = 1756002278082946897  // email:b@x.com
	seedC1 int64 = -8241387569337012933 // customerid:c1
	seedC2 int64 = 2270955836536439563  // customerid:c2
	seedC3 int64 = 2568841419188773853  // customerid:c3
	seedD1 int64 = -2096051646130521412 // device_application_stamp:d1
	seedM  int64 = -4520952575701966822 // mobile_number:+1555
)

const (
	CU = CreateUpdate
	OU = OnlyUpdate
	OR = OnlyRead
)

var testOrder = []string{"customerid", "email", "mobile_number", "ios_idfa", "device_application_stamp"}

// testConfig: customerid unique, no limits.
func testConfig() Config { return Config{Order: testOrder, Unique: []string{"customerid"}} }

func at(h int) time.Time { return time.Date(2024, 1, 1, h, 0, 0, 0, time.UTC) }

func cid(v string) Identity   { return Identity{"customerid", v} }
func email(v string) Identity { return Identity{"email", v + "@x.com"} }
func das(v string) Identity   { return Identity{"device_application_stamp", v} }
func mob() Identity           { return Identity{"mobile_number", "+1555"} }

func row(feed, pos, hour int, prot string, mpid int64, ids ...Identity) Row {
	return Row{Feed: feed, Pos: pos, TS: at(hour), Protection: prot, MPID: mpid, Identities: ids}
}

func rec(id Identity, first, last, feed int) IdentityRecord {
	return IdentityRecord{Type: id.Type, Value: id.Value, FirstSeen: at(first), LastSeen: at(last), Feed: feed}
}

func prof(mpid int64, created, updated, last int, ids ...IdentityRecord) Profile {
	return Profile{MPID: mpid, CreatedAt: at(created), UpdatedAt: at(updated), LastSeenAt: at(last), Identities: ids}
}

func drop(feed, pos int, reason string, id ...Identity) Drop {
	d := Drop{Feed: feed, Pos: pos, Reason: reason}
	if len(id) == 1 {
		d.Identity = &id[0]
	}
	return d
}

type rowKey = [2]int

var equateEmpty = cmpopts.EquateEmpty()

func wantResult(t *testing.T, got, want RunResult) {
	t.Helper()
	if d := cmp.Diff(want, got, equateEmpty); d != "" {
		t.Errorf("RunResult (-want +got):\n%s", d)
	}
}

func wantState(t *testing.T, s *State, profiles []Profile, aliases map[int64]int64) {
	t.Helper()
	if d := cmp.Diff(profiles, s.Profiles(), equateEmpty); d != "" {
		t.Errorf("Profiles (-want +got):\n%s", d)
	}
	if d := cmp.Diff(aliases, s.Aliases(), equateEmpty); d != "" {
		t.Errorf("Aliases (-want +got):\n%s", d)
	}
}

func TestSeed(t *testing.T) {
	for _, tc := range []struct {
		typ, value string
		want       int64
	}{
		{"email", "a@x.com", 7244947124212170497}, // DuckDB md5_number_lower
		{"email", "b@x.com", seedB},
		{"customerid", "c1", seedC1},
		{"customerid", "c2", seedC2},
		{"customerid", "c3", seedC3},
		{"device_application_stamp", "d1", seedD1},
		{"mobile_number", "+1555", seedM},
	} {
		if got := Seed(tc.typ, tc.value); got != tc.want {
			t.Errorf("Seed(%q, %q) = %d, want %d", tc.typ, tc.value, got, tc.want)
		}
	}
}

// Rules 1 and 2: rows without identity, unknown and known mpids.
func TestRule1And2NoIdentityAndMPID(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{
		row(0, 0, 1, CU, 777),             // unknown mpid, nothing else: dropped
		row(0, 1, 2, CU, 777, email("a")), // unknown mpid ignored: new profile from email a
		row(1, 0, 3, OU, 888, email("b")), // unknown mpid ignored, no match: dropped
		row(1, 1, 4, OU, seedA),           // known mpid, no identity: matches A
		row(0, 2, 5, CU, 0),               // nothing at all
		row(2, 0, 6, OR, 999),             // only_read is dropped too
		row(2, 1, 7, OR, 0),               // no identity under only_read
	})
	wantResult(t, res, RunResult{
		Drops: []Drop{
			drop(0, 0, ReasonUnknownMPID), drop(1, 0, ReasonNoMatchingProfile),
			drop(0, 2, ReasonNoIdentity), drop(2, 0, ReasonUnknownMPID), drop(2, 1, ReasonNoIdentity),
		},
		RowMPID: map[rowKey]int64{{0, 0}: 0, {0, 1}: seedA, {1, 0}: 0, {1, 1}: seedA, {0, 2}: 0, {2, 0}: 0, {2, 1}: 0},
		Created: 1,
	})
	wantState(t, s, []Profile{prof(seedA, 2, 2, 4, rec(email("a"), 2, 2, 0))}, nil)
}

// Rules 3, 6a, 9: an anonymous device profile gains the email at login.
func TestAnonymousThenLogin(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{
		row(1, 0, 2, CU, 0, email("a"), das("d1"), das("d1")), // login; duplicate ignored
		row(0, 0, 1, CU, 0, das("d1")),                        // anonymous device
	})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 0}: seedD1, {1, 0}: seedD1}, Created: 1})
	wantState(t, s, []Profile{
		prof(seedD1, 1, 2, 2, rec(das("d1"), 1, 2, 0), rec(email("a"), 2, 2, 1)),
	}, nil)
}

// Rules 3, 4, 6b: customer ids sharing an email never merge; the email
// resolves to its most recent holder, ties to the smaller MPID.
func TestSharedEmail(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{
		row(0, 0, 1, CU, 0, cid("c2"), email("a")),
		row(1, 0, 1, CU, 0, cid("c1"), email("a")), // C2 matched by email, rejected (c2 != c1)
		row(2, 0, 1, CU, 0, cid("c3"), email("a")), // tie: C1 (smaller) matched, rejected
		row(0, 1, 2, CU, 0, email("a")),            // tie at 1: smallest MPID is C1; no merge
	})
	wantResult(t, res, RunResult{
		RowMPID: map[rowKey]int64{{0, 0}: seedC2, {1, 0}: seedC1, {2, 0}: seedC3, {0, 1}: seedC1},
		Created: 3,
	})
	c2 := prof(seedC2, 1, 1, 1, rec(cid("c2"), 1, 1, 0), rec(email("a"), 1, 1, 0))
	wantState(t, s, []Profile{
		prof(seedC1, 1, 1, 2, rec(cid("c1"), 1, 1, 1), rec(email("a"), 1, 2, 1)),
		c2,
		prof(seedC3, 1, 1, 1, rec(cid("c3"), 1, 1, 2), rec(email("a"), 1, 1, 2)),
	}, nil)

	res = s.Apply([]Row{
		row(1, 1, 3, CU, 0, cid("c3"), email("a")), // C3 by customerid; email stays shared
		row(0, 2, 4, CU, 0, email("a")),            // C3 saw it last (3 > 2 > 1)
	})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{1, 1}: seedC3, {0, 2}: seedC3}})
	wantState(t, s, []Profile{
		prof(seedC1, 1, 1, 2, rec(cid("c1"), 1, 1, 1), rec(email("a"), 1, 2, 1)),
		c2,
		prof(seedC3, 1, 1, 4, rec(cid("c3"), 1, 3, 2), rec(email("a"), 1, 4, 2)),
	}, nil)
}

// Rules 5 and 8: only_update drops unknown users and updates a user
// created earlier in the same run; rows apply in (TS, Feed, Pos) order.
func TestOnlyUpdate(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{
		row(1, 1, 3, OU, 0, email("a"), mob()), // after creation: kept, adds the mobile
		row(0, 0, 2, CU, 0, email("a")),        // creates A
		row(1, 0, 1, OU, 0, email("a")),        // before creation: dropped
	})
	wantResult(t, res, RunResult{
		Drops:   []Drop{drop(1, 0, ReasonNoMatchingProfile)},
		RowMPID: map[rowKey]int64{{1, 0}: 0, {0, 0}: seedA, {1, 1}: seedA},
		Created: 1,
	})
	wantState(t, s, []Profile{
		prof(seedA, 2, 3, 3, rec(email("a"), 2, 3, 0), rec(mob(), 3, 3, 1)),
	}, nil)

	// Next run: A existed before the run.
	res = s.Apply([]Row{row(1, 2, 4, OU, 0, email("a")), row(1, 3, 4, OU, 0, email("b"))})
	wantResult(t, res, RunResult{
		Drops:   []Drop{drop(1, 3, ReasonNoMatchingProfile)},
		RowMPID: map[rowKey]int64{{1, 2}: seedA, {1, 3}: 0},
	})
	wantState(t, s, []Profile{
		prof(seedA, 2, 3, 4, rec(email("a"), 2, 4, 0), rec(mob(), 3, 3, 1)),
	}, nil)
}

// Rule 7: only_read changes nothing and resolves to no profile.
func TestOnlyRead(t *testing.T) {
	s := New(testConfig())
	s.Apply([]Row{row(0, 0, 1, CU, 0, email("a"))})
	res := s.Apply([]Row{
		row(1, 0, 2, OR, 0, email("a"), mob()), // known user
		row(1, 1, 3, OR, seedA, das("d1")),     // known mpid
		row(1, 2, 4, OR, 0, email("b")),        // unknown user: kept, not dropped
	})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{1, 0}: 0, {1, 1}: 0, {1, 2}: 0}})
	wantState(t, s, []Profile{prof(seedA, 1, 1, 1, rec(email("a"), 1, 1, 0))}, nil)
}

// Rules 4 and 5: a unique conflict at match.
func TestUniqueConflictAtMatch(t *testing.T) {
	s := New(testConfig())
	s.Apply([]Row{row(0, 0, 1, CU, 0, cid("c1"), email("a"))})
	c1 := prof(seedC1, 1, 1, 1, rec(cid("c1"), 1, 1, 0), rec(email("a"), 1, 1, 0))

	res := s.Apply([]Row{
		row(1, 0, 2, OU, 0, cid("c2"), email("a")), // matched by email, rejected
		row(1, 1, 3, OU, seedC1, cid("c2")),        // Reading: rule 4 rejects an mpid match too
	})
	wantResult(t, res, RunResult{
		Drops:   []Drop{drop(1, 0, ReasonUniqueConflict), drop(1, 1, ReasonUniqueConflict)},
		RowMPID: map[rowKey]int64{{1, 0}: 0, {1, 1}: 0},
	})
	wantState(t, s, []Profile{c1}, nil)

	res = s.Apply([]Row{
		row(0, 1, 4, CU, 0, cid("c2"), email("a")), // rejected: a new profile sharing the email
		row(0, 2, 5, CU, 0, email("a")),            // the newer holder
	})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 1}: seedC2, {0, 2}: seedC2}, Created: 1})
	wantState(t, s, []Profile{
		c1,
		prof(seedC2, 4, 4, 5, rec(cid("c2"), 4, 4, 0), rec(email("a"), 4, 5, 0)),
	}, nil)
}

// Rule 6a: a second value of a unique type is dropped from the row, which
// is kept.
func TestUniqueConflictIdentity(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{row(0, 0, 1, CU, 0, cid("c2"), cid("c1"))})
	wantResult(t, res, RunResult{
		Drops:   []Drop{drop(0, 0, ReasonUniqueConflict, cid("c2"))},
		RowMPID: map[rowKey]int64{{0, 0}: seedC1},
		Created: 1,
	})
	wantState(t, s, []Profile{prof(seedC1, 1, 1, 1, rec(cid("c1"), 1, 1, 0))}, nil)
}

// Rule 6a: an identity over its type's limit is dropped, the row kept.
func TestIdentityLimit(t *testing.T) {
	cfg := testConfig()
	cfg.Limits = map[string]int{"email": 1}
	s := New(cfg)
	res := s.Apply([]Row{
		row(0, 0, 1, CU, 0, cid("c1"), email("a")),
		row(0, 1, 2, CU, 0, cid("c1"), email("b")),
	})
	wantResult(t, res, RunResult{
		Drops:   []Drop{drop(0, 1, ReasonIdentityLimit, email("b"))},
		RowMPID: map[rowKey]int64{{0, 0}: seedC1, {0, 1}: seedC1},
		Created: 1,
	})
	wantState(t, s, []Profile{
		prof(seedC1, 1, 1, 2, rec(cid("c1"), 1, 2, 0), rec(email("a"), 1, 1, 0)),
	}, nil)
}

// Apply orders by (TS, Feed, Pos), not by input order, and leaves its
// input alone.
func TestApplyOrder(t *testing.T) {
	s := New(testConfig())
	rows := []Row{
		row(1, 1, 1, OU, 0, email("a")), // same time and feed, later pos: kept
		row(1, 0, 1, CU, 0, email("a")), // creates A
		row(0, 5, 1, OU, 0, email("a")), // same time, smaller feed: first, dropped
		row(2, 0, 0, OU, 0, email("a")), // earliest: dropped
	}
	input := slices.Clone(rows)
	res := s.Apply(rows)
	wantResult(t, res, RunResult{
		Drops:   []Drop{drop(2, 0, ReasonNoMatchingProfile), drop(0, 5, ReasonNoMatchingProfile)},
		RowMPID: map[rowKey]int64{{1, 1}: seedA, {1, 0}: seedA, {0, 5}: 0, {2, 0}: 0},
		Created: 1,
	})
	wantState(t, s, []Profile{prof(seedA, 1, 1, 1, rec(email("a"), 1, 1, 1))}, nil)
	if d := cmp.Diff(input, rows); d != "" {
		t.Errorf("Apply changed its input (-before +after):\n%s", d)
	}
}

// A late row (a later run, an older time) moves an identity's first_seen_at
// back but, as doc.go's 6a only speaks of times, keeps its feed (Reading);
// profile times are maxima and do not move back.
func TestLateRow(t *testing.T) {
	s := New(testConfig())
	s.Apply([]Row{row(0, 0, 5, CU, 0, email("a"))})
	res := s.Apply([]Row{row(1, 0, 2, CU, 0, email("a"), mob())})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{1, 0}: seedA}})
	wantState(t, s, []Profile{
		prof(seedA, 5, 5, 5, rec(email("a"), 2, 5, 0), rec(mob(), 2, 2, 1)),
	}, nil)
}

package reference

import (
	"math"
	"testing"
)

// Rule 6b: P keeps its MPID, Q becomes an alias, identity and profile
// times combine; a later row's mpid naming the alias reaches P (rule 2).
func TestMerge(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{
		row(0, 0, 1, CU, 0, email("a")),
		row(1, 0, 5, CU, 0, das("d1"), mob()), // rule 9: mobile_number comes before das
	})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 0}: seedA, {1, 0}: seedM}, Created: 2})

	// A late row joins them: matched by email (higher priority), so A survives.
	res = s.Apply([]Row{row(2, 0, 3, CU, 0, das("d1"), email("a"))})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{2, 0}: seedA}, Merged: 1})
	wantState(t, s, []Profile{
		// d1: A added it at 3 from feed 2 (earlier than M's 5, so feed 2
		// stays), last seen 5 by M. Profile last/updated: M's 5.
		prof(seedA, 1, 5, 5, rec(das("d1"), 3, 5, 2), rec(email("a"), 1, 3, 0), rec(mob(), 5, 5, 1)),
	}, map[int64]int64{seedM: seedA})
	for _, tc := range []struct {
		in, want int64
		ok       bool
	}{{seedM, seedA, true}, {seedA, seedA, true}, {42, 0, false}} {
		if got, ok := s.Resolve(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("Resolve(%d) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}

	// Row mpid of an alias.
	res = s.Apply([]Row{row(1, 1, 6, OU, seedM, email("b"))})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{1, 1}: seedA}})
	wantState(t, s, []Profile{
		prof(seedA, 1, 6, 6, rec(das("d1"), 3, 5, 2), rec(email("a"), 1, 3, 0),
			rec(email("b"), 6, 6, 1), rec(mob(), 5, 5, 1)),
	}, map[int64]int64{seedM: seedA})
}

// Rule 6b across three runs: D merges into B, then B into A; D's alias is
// repointed at A and resolves there.
func TestMergeChain(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{row(0, 0, 1, CU, 0, email("a")), row(1, 0, 1, CU, 0, email("b"))})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 0}: seedA, {1, 0}: seedB}, Created: 2})

	res = s.Apply([]Row{row(0, 1, 2, CU, 0, das("d1")), row(1, 1, 3, CU, 0, email("b"), das("d1"))})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 1}: seedD1, {1, 1}: seedB}, Created: 1, Merged: 1})
	wantState(t, s, []Profile{
		prof(seedB, 1, 3, 3, rec(das("d1"), 2, 3, 0), rec(email("b"), 1, 3, 1)),
		prof(seedA, 1, 1, 1, rec(email("a"), 1, 1, 0)),
	}, map[int64]int64{seedD1: seedB})

	// Values of one type walk in byte order: a before b, so A is the match.
	res = s.Apply([]Row{row(0, 2, 4, CU, 0, email("b"), email("a"))})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 2}: seedA}, Merged: 1})
	wantState(t, s, []Profile{
		// b: A added it at 4 (feed 0); B's first sighting at 1 (feed 1) wins.
		prof(seedA, 1, 4, 4, rec(das("d1"), 2, 3, 0), rec(email("a"), 1, 4, 0), rec(email("b"), 1, 4, 1)),
	}, map[int64]int64{seedD1: seedA, seedB: seedA})
	if got, ok := s.Resolve(seedD1); got != seedA || !ok {
		t.Errorf("Resolve(first alias) = %d, %v; want %d, true", got, ok, seedA)
	}
}

// Rule 6b: a merge that would exceed a limit is refused; the identity
// stays shared.
func TestMergeRefusedByLimit(t *testing.T) {
	cfg := testConfig()
	cfg.Limits = map[string]int{"email": 1}
	s := New(cfg)
	res := s.Apply([]Row{
		row(0, 0, 1, CU, 0, email("a")),
		row(0, 1, 2, CU, 0, email("b"), das("d1")),
		row(0, 2, 3, CU, 0, email("a"), das("d1")), // A; B holds d1 but a+b > 1 email
	})
	wantResult(t, res, RunResult{
		RowMPID: map[rowKey]int64{{0, 0}: seedA, {0, 1}: seedB, {0, 2}: seedA},
		Created: 2,
	})
	wantState(t, s, []Profile{
		prof(seedB, 2, 2, 2, rec(das("d1"), 2, 2, 0), rec(email("b"), 2, 2, 0)),
		prof(seedA, 1, 3, 3, rec(das("d1"), 3, 3, 0), rec(email("a"), 1, 3, 0)),
	}, nil)
}

// Rule 9: a taken MPID probes the next integers. With email first in
// priority, rule-4 rejections create profiles seeded by the same email.
func TestMPIDCollision(t *testing.T) {
	cfg := Config{Order: []string{"email", "customerid"}, Unique: []string{"customerid"}}
	s := New(cfg)
	res := s.Apply([]Row{
		row(0, 0, 1, CU, 0, cid("c1"), email("b")),
		row(0, 1, 2, CU, 0, cid("c2"), email("b")),
		row(0, 2, 3, CU, 0, cid("c3"), email("b")), // matches the newest holder, rejected
	})
	const b0, b1, b2 int64 = 1756002278082946897, 1756002278082946898, 1756002278082946899
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 0}: b0, {0, 1}: b1, {0, 2}: b2}, Created: 3})
	wantState(t, s, []Profile{
		prof(b0, 1, 1, 1, rec(cid("c1"), 1, 1, 0), rec(email("b"), 1, 1, 0)),
		prof(b1, 2, 2, 2, rec(cid("c2"), 2, 2, 0), rec(email("b"), 2, 2, 0)),
		prof(b2, 3, 3, 3, rec(cid("c3"), 3, 3, 0), rec(email("b"), 3, 3, 0)),
	}, nil)
}

// Rule 9's probing on its own: profiles and aliases are taken; int64 wraps.
func TestFreeMPID(t *testing.T) {
	s := New(testConfig())
	s.profiles[10] = &profile{mpid: 10, ids: map[Identity]*IdentityRecord{}}
	s.aliases[11] = 10
	s.profiles[math.MaxInt64] = &profile{mpid: math.MaxInt64, ids: map[Identity]*IdentityRecord{}}
	for _, tc := range []struct{ seed, want int64 }{
		{9, 9}, {10, 12}, {11, 12}, {math.MaxInt64, math.MinInt64},
	} {
		if got := s.freeMPID(tc.seed); got != tc.want {
			t.Errorf("freeMPID(%d) = %d, want %d", tc.seed, got, tc.want)
		}
	}
}

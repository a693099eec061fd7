package reference

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	sdk  = "sdk"
	wh   = "warehouse"
	csv  = "csv"
	eapi = "events_api"
	pf   = "partner_feed"
)

// sets gives r the source type typ and sets key, value pairs.
func sets(typ string, r Row, kv ...string) Row {
	r.SourceType = typ
	r.Sets = map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		r.Sets[kv[i]] = kv[i+1]
	}
	return r
}

// dels gives r the source type typ and deletes keys.
func dels(typ string, r Row, keys ...string) Row {
	r.SourceType = typ
	r.Deletes = keys
	return r
}

func av(value, typ string, feed, hour int) AttributeValue {
	return AttributeValue{Value: value, SourceType: typ, Feed: feed, TS: at(hour)}
}

type attrs = map[int64]map[string]AttributeValue

func wantAttrs(t *testing.T, s *State, want attrs) {
	t.Helper()
	if d := cmp.Diff(want, s.Attributes(), equateEmpty); d != "" {
		t.Errorf("Attributes (-want +got):\n%s", d)
	}
}

// Bob orders a beer on the web, a coke on iOS the next day (both sdk): the
// most recent value of the owning type wins, whatever the input order.
func TestAttrMostRecentWins(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{
		sets(sdk, row(1, 0, 24+9, CU, 0, email("b")), "drink", `"Coke"`), // iOS, day 2
		sets(sdk, row(0, 0, 9, CU, 0, email("b")), "drink", `"Beer"`),    // web, day 1
	})
	wantResult(t, res, RunResult{
		RowMPID: map[rowKey]int64{{0, 0}: seedB, {1, 0}: seedB}, Created: 1,
		AttributesWritten: 2, // Beer took effect, then Coke superseded it
	})
	wantAttrs(t, s, attrs{seedB: {"drink": av(`"Coke"`, sdk, 1, 33)}})
}

// A key set from sdk cannot be set by a later csv row; other keys can.
func TestAttrLowerSourceIgnored(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{sets(sdk, row(0, 0, 1, CU, 0, email("a")), "tier", `"gold"`)})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 0}: seedA}, Created: 1, AttributesWritten: 1})

	res = s.Apply([]Row{sets(csv, row(1, 0, 2, CU, 0, email("a")), "tier", `"silver"`, "city", `"Paris"`)})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{1, 0}: seedA}, AttributesWritten: 1, AttributesIgnored: 1})
	wantAttrs(t, s, attrs{seedA: {"tier": av(`"gold"`, sdk, 0, 1), "city": av(`"Paris"`, csv, 1, 2)}})
}

// A higher type's older value, arriving in a later run, takes the key: the
// fold is over history, so the csv value of run 1 is now kept out. Run 2
// counts only its own sets.
func TestAttrHigherSourceLateOlder(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{sets(csv, row(0, 0, 5, CU, 0, email("a")), "tier", `"silver"`)})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 0}: seedA}, Created: 1, AttributesWritten: 1})
	wantAttrs(t, s, attrs{seedA: {"tier": av(`"silver"`, csv, 0, 5)}})

	res = s.Apply([]Row{sets(wh, row(1, 0, 2, CU, 0, email("a")), "tier", `"gold"`)})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{1, 0}: seedA}, AttributesWritten: 1})
	wantAttrs(t, s, attrs{seedA: {"tier": av(`"gold"`, wh, 1, 2)}})
}

// A late, older row of the owning type (a later run) does not overwrite
// the newer value; it took effect in order, so it counts as written.
func TestAttrLateOlderRow(t *testing.T) {
	s := New(testConfig())
	s.Apply([]Row{sets(sdk, row(0, 0, 5, CU, 0, email("a")), "tier", `"gold"`)})
	res := s.Apply([]Row{sets(sdk, row(1, 0, 2, CU, 0, email("a")), "tier", `"silver"`)})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{1, 0}: seedA}, AttributesWritten: 1})
	wantAttrs(t, s, attrs{seedA: {"tier": av(`"gold"`, sdk, 0, 5)}})
}

// Ties on time: feed position first, then run, then row position.
func TestAttrOrderTies(t *testing.T) {
	s := New(testConfig())
	s.Apply([]Row{
		sets(sdk, row(0, 5, 3, CU, 0, email("a")), "tier", `"gold"`),
		sets(sdk, row(1, 0, 3, CU, 0, email("a")), "city", `"Paris"`),
	})
	res := s.Apply([]Row{
		sets(sdk, row(0, 1, 3, CU, 0, email("a")), "tier", `"silver"`), // same feed, later run: after pos 5
		sets(sdk, row(0, 2, 3, CU, 0, email("a")), "city", `"Rome"`),   // feed 0 before feed 1's Paris
	})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 1}: seedA, {0, 2}: seedA}, AttributesWritten: 2})
	wantAttrs(t, s, attrs{seedA: {"tier": av(`"silver"`, sdk, 0, 3), "city": av(`"Paris"`, sdk, 1, 3)}})
}

// A deletion by the owner frees the key: a lower type sets it again, and
// a higher type's deletion removes that.
func TestAttrDeleteByOwner(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{
		sets(sdk, row(0, 0, 1, CU, 0, email("a")), "tier", `"gold"`, "city", `"Paris"`),
		dels(sdk, row(0, 1, 2, CU, 0, email("a")), "tier"),
		sets(csv, row(1, 0, 3, CU, 0, email("a")), "tier", `9`),
	})
	wantResult(t, res, RunResult{
		RowMPID: map[rowKey]int64{{0, 0}: seedA, {0, 1}: seedA, {1, 0}: seedA}, Created: 1, AttributesWritten: 3,
	})
	wantAttrs(t, s, attrs{seedA: {"tier": av(`9`, csv, 1, 3), "city": av(`"Paris"`, sdk, 0, 1)}})

	res = s.Apply([]Row{dels(sdk, row(0, 2, 4, CU, 0, email("a")), "tier", "drink")}) // drink: absent, nothing
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 2}: seedA}})
	wantAttrs(t, s, attrs{seedA: {"city": av(`"Paris"`, sdk, 0, 1)}})
}

// A deletion by a lower type is ignored, and the key stays the owner's.
func TestAttrDeleteByLowerIgnored(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{
		sets(sdk, row(0, 0, 1, CU, 0, email("a")), "tier", `"gold"`),
		dels(csv, row(1, 0, 2, CU, 0, email("a")), "tier"),
		sets(csv, row(1, 1, 3, CU, 0, email("a")), "tier", `"silver"`),
	})
	wantResult(t, res, RunResult{
		RowMPID: map[rowKey]int64{{0, 0}: seedA, {1, 0}: seedA, {1, 1}: seedA}, Created: 1,
		AttributesWritten: 1, AttributesIgnored: 1,
	})
	wantAttrs(t, s, attrs{seedA: {"tier": av(`"gold"`, sdk, 0, 1)}})
}

// Reading: within one row, deletions apply after sets.
func TestAttrRowSetsThenDeletes(t *testing.T) {
	s := New(testConfig())
	r := sets(sdk, row(0, 0, 1, CU, 0, email("a")), "tier", `"gold"`, "city", `"Paris"`)
	r.Deletes = []string{"tier"}
	res := s.Apply([]Row{r})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 0}: seedA}, Created: 1, AttributesWritten: 2})
	wantAttrs(t, s, attrs{seedA: {"city": av(`"Paris"`, sdk, 0, 1)}})
}

// A merge combines attributes as if the rows had always been one
// profile's: the merged-away profile's older sdk value beats the
// survivor's newer csv value. A row naming the alias reaches the survivor.
func TestAttrMerge(t *testing.T) {
	s := New(testConfig())
	res := s.Apply([]Row{
		sets(sdk, row(0, 0, 1, CU, 0, das("d1"), mob()), "tier", `"gold"`),
		sets(csv, row(1, 0, 2, CU, 0, email("a")), "tier", `"silver"`, "city", `"Paris"`),
	})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 0}: seedM, {1, 0}: seedA}, Created: 2, AttributesWritten: 3})
	wantAttrs(t, s, attrs{
		seedM: {"tier": av(`"gold"`, sdk, 0, 1)},
		seedA: {"tier": av(`"silver"`, csv, 1, 2), "city": av(`"Paris"`, csv, 1, 2)},
	})

	// Matched by email: A survives, M merges into it.
	res = s.Apply([]Row{sets(wh, row(2, 0, 3, CU, 0, das("d1"), email("a")), "drink", `["a","b"]`)})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{2, 0}: seedA}, Merged: 1, AttributesWritten: 1})
	wantAttrs(t, s, attrs{seedA: {
		"tier": av(`"gold"`, sdk, 0, 1), "city": av(`"Paris"`, csv, 1, 2), "drink": av(`["a","b"]`, wh, 2, 3),
	}})

	res = s.Apply([]Row{sets(csv, row(1, 1, 4, OU, seedM), "tier", `null`, "city", `null`)})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{1, 1}: seedA}, AttributesWritten: 1, AttributesIgnored: 1})
	wantAttrs(t, s, attrs{seedA: {
		"tier": av(`"gold"`, sdk, 0, 1), "city": av(`null`, csv, 1, 4), "drink": av(`["a","b"]`, wh, 2, 3),
	}})
}

// Rows that resolve to no profile write nothing and count nothing:
// only_update rows of unknown users, only_read rows of known ones. An
// only_update row of a user created earlier in the run writes.
func TestAttrUnresolvedRows(t *testing.T) {
	s := New(testConfig())
	s.Apply([]Row{sets(sdk, row(0, 0, 1, CU, 0, email("a")), "tier", `"gold"`)})
	res := s.Apply([]Row{
		sets(sdk, row(1, 0, 2, OU, 0, email("b")), "tier", `"silver"`),               // unknown: dropped
		sets(sdk, row(2, 0, 3, OR, 0, email("a")), "tier", `"silver"`),               // only_read
		dels(sdk, row(2, 1, 4, OR, seedA, email("a")), "tier"),                       // only_read
		sets(sdk, row(0, 1, 5, CU, 0, cid("c1")), "city", `"Rome"`),                  // creates C1
		sets(eapi, row(1, 1, 6, OU, 0, cid("c1")), "city", `"Oslo"`, "tier", `true`), // C1 exists now
	})
	wantResult(t, res, RunResult{
		Drops:             []Drop{drop(1, 0, ReasonNoMatchingProfile)},
		RowMPID:           map[rowKey]int64{{1, 0}: 0, {2, 0}: 0, {2, 1}: 0, {0, 1}: seedC1, {1, 1}: seedC1},
		Created:           1,
		AttributesWritten: 2, AttributesIgnored: 1, // Rome; Oslo ignored (sdk owns city), tier true
	})
	wantAttrs(t, s, attrs{
		seedA:  {"tier": av(`"gold"`, sdk, 0, 1)},
		seedC1: {"city": av(`"Rome"`, sdk, 0, 5), "tier": av(`true`, eapi, 1, 6)},
	})
}

// A custom source_priority: csv first, so csv takes keys from sdk and sdk
// can neither set nor delete them.
func TestAttrSourcePriority(t *testing.T) {
	cfg := testConfig()
	cfg.SourcePriority = []string{csv, wh, sdk, eapi, pf}
	s := New(cfg)
	res := s.Apply([]Row{
		sets(sdk, row(0, 0, 1, CU, 0, email("a")), "tier", `"gold"`),
		sets(csv, row(1, 0, 2, CU, 0, email("a")), "tier", `"silver"`),
		sets(sdk, row(0, 1, 3, CU, 0, email("a")), "tier", `9`, "city", `"Paris"`),
		dels(sdk, row(0, 2, 4, CU, 0, email("a")), "tier"),
		sets(wh, row(2, 0, 5, CU, 0, email("a")), "city", `"Rome"`),
	})
	wantResult(t, res, RunResult{
		RowMPID: map[rowKey]int64{{0, 0}: seedA, {1, 0}: seedA, {0, 1}: seedA, {0, 2}: seedA, {2, 0}: seedA},
		Created: 1, AttributesWritten: 4, AttributesIgnored: 1,
	})
	wantAttrs(t, s, attrs{seedA: {"tier": av(`"silver"`, csv, 1, 2), "city": av(`"Rome"`, wh, 2, 5)}})
}

// Reading: types missing from SourcePriority follow it in
// config.SourceTypes order; a repeated type keeps its first place.
func TestSourceRank(t *testing.T) {
	for _, tc := range []struct {
		prio []string
		want map[string]int
	}{
		{nil, map[string]int{sdk: 1, eapi: 2, wh: 3, pf: 4, csv: 5}},
		{[]string{csv, pf}, map[string]int{csv: 1, pf: 2, sdk: 3, eapi: 4, wh: 5}},
		{[]string{wh, csv, wh}, map[string]int{wh: 1, csv: 2, sdk: 3, eapi: 4, pf: 5}},
	} {
		s := New(Config{SourcePriority: tc.prio})
		for typ, want := range tc.want {
			if got := s.sourceRank(typ); got != want {
				t.Errorf("priority %v: rank of %s = %d, want %d", tc.prio, typ, got, want)
			}
		}
	}
}

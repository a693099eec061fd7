package forget_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestForgetRunsStatsShared: a run's stats name the identity values
// identity.max_shared kept from linking (profiles.shared, in the public
// runs view); forget takes the forgotten person's out of every run's,
// and leaves another person's and the count (a list left empty goes, as
// the stats leave one out).
func TestForgetRunsStatsShared(t *testing.T) {
	dir := pipelineDir(t, "priority: [customerid, email], unique: [customerid], max_shared: { email: 1 }", "")
	run(t, dir, 1, ann, bob)
	annAgn := strings.Replace(bobAgn, "bob@x.com", "ann@x.com", 1)
	run(t, dir, 2, bobAgn, strings.Replace(bobAgn, "silver", "bronze", 1), annAgn, strings.Replace(annAgn, "silver", "bronze", 1))
	run(t, dir, 3, bobAgn) // run 3's shared values are bob's alone
	const shared = `SELECT (stats->'profiles'->>'shared_values') || ' ' || CAST(stats->'profiles'->'shared' AS VARCHAR) FROM runs WHERE run_id = 2`
	if before := query(t, dir, shared); !strings.Contains(before, `"bob@x.com"`) || !strings.Contains(before, `"ann@x.com"`) {
		t.Fatalf("setup: run 2's stats do not name both shared e-mails:\n%s", before)
	}
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "email=bob@x.com"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	if got := query(t, dir, `SELECT run_id || ' ' || CAST(stats AS VARCHAR) FROM runs WHERE contains(CAST(stats AS VARCHAR), 'bob@x.com')`); got != "" {
		t.Errorf("runs.stats still names bob's e-mail after forget:\n%s", got)
	}
	if got := query(t, dir, shared); !strings.HasPrefix(got, "2 [{") || !strings.Contains(got, `"ann@x.com"`) {
		t.Errorf("runs' shared values after forgetting bob:\n%s\nwant ann's kept in run 2's, counting 2", got)
	}
	if got := query(t, dir, `SELECT CAST(stats->'profiles' AS VARCHAR) FROM runs WHERE run_id = 3`); !strings.Contains(got, `"shared_values":1}`) {
		t.Errorf("run 3's profile stats after forgetting bob: %s, want the count alone", got)
	}
}

// TestForgetRunsStatsLargest: a run's stats list its largest profiles by
// MPID (profiles.largest, in the public runs view); forget takes the
// forgotten profile and every MPID merged into it out of every run's
// list, leaves another profile's, and drops a list left empty.
func TestForgetRunsStatsLargest(t *testing.T) {
	dir := pipelineDir(t, "priority: [customerid, email]", "")
	bobID := `{"environment": "production", "user_identities": {"customer_id": "B0B"}, "timestamp_unixtime_ms": 1780232400000}`
	run(t, dir, 1, ann, bobAgn, bobID) // bob as two profiles: his e-mail's and his id's
	run(t, dir, 2, bob)                // a row with both merges them
	bobs := query(t, dir, `SELECT mpid FROM profile_identities WHERE identity_value = 'B0B'
		UNION SELECT alias_mpid FROM _mosaic.aliases WHERE mpid IN (SELECT mpid FROM profile_identities WHERE identity_value = 'B0B') ORDER BY 1`)
	annMPID := strings.TrimSpace(query(t, dir, "SELECT mpid FROM profile_identities WHERE identity_value = 'ann'"))
	const largest = `SELECT run_id || ' ' || (e->>'mpid') FROM runs, unnest(CAST(stats->'$.profiles.largest' AS JSON[])) u(e) ORDER BY run_id, e->>'mpid'`
	before := query(t, dir, largest)
	if strings.Count(bobs, "\n") != 2 || strings.Count(before, "\n") != 4 {
		t.Fatalf("setup: bob's MPIDs %q; runs' largest profiles:\n%s\nwant bob's two in run 1 and his survivor in run 2, with ann", bobs, before)
	}
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "email=bob@x.com"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	if got := query(t, dir, largest); got != "1 "+annMPID+"\n" {
		t.Errorf("runs' largest profiles after forgetting bob (MPIDs %q):\n%s\nwant ann's alone, in run 1", bobs, got)
	}
	if got := query(t, dir, `SELECT CAST(stats->'profiles' AS VARCHAR) FROM runs WHERE run_id = 2`); strings.Contains(got, "largest") {
		t.Errorf("run 2's profile stats after forgetting bob: %s, want no list of largest", got)
	}
}

// TestForgetSharedValueOfMany: an e-mail identity.max_shared kept from
// linking that others' rows carry too is not the forgotten person's: its
// entry in the run's stats and its shared_identity dropped row stay,
// without his rows (counted out, and his samples gone). One that is
// shared only because of his rows (the others' alone stay within
// max_shared) goes from both.
func TestForgetSharedValueOfMany(t *testing.T) {
	dir := sharedDir(t)
	line := func(id, email string) string {
		return `{"environment": "production", "user_identities": {"email": "` + email + `", "customer_id": "` + id + `"}, "timestamp_unixtime_ms": 1780232400000}`
	}
	// Bob's rows first, at positions 1 to 4: the samples of family@x.com
	// (the first three of its rows) name one of his.
	run(t, dir, 1, bob, line("B0B", "family@x.com"), line("B0B", "bobs.club@x.com"), line("B0B", "bobs.club@x.com"),
		ann, line("ann", "family@x.com"), line("ann", "bobs.club@x.com"), line("carl", "family@x.com"), line("dan", "family@x.com"))
	const shared = `SELECT 'stats ' || (e->>'identity_value') || ' records ' || (e->>'records')
		FROM runs, unnest(CAST(stats->'$.profiles.shared' AS JSON[])) u(e)
		UNION ALL SELECT 'dropped ' || ("row"->>'identity_value') || ' records ' || ("row"->>'records') || ' rows ' || ("row"->>'rows') ||
			' samples ' || CAST("row"->'samples' AS VARCHAR) FROM dropped_rows WHERE reason = 'shared_identity'
		ORDER BY 1`
	before := query(t, dir, shared)
	if !strings.Contains(before, "stats family@x.com records 4\n") || !strings.Contains(before, "stats bobs.club@x.com records 3\n") ||
		!strings.Contains(before, `{"origin":"data/1ns.ndjson:2","row_pos":2}`) {
		t.Fatalf("setup: the shared values are not recorded as expected:\n%s", before)
	}
	forgetB0B(t, dir)
	// bobs.club@x.com goes: without his rows it is within max_shared.
	// family@x.com stays, counting ann's, carl's and dan's rows alone.
	got := query(t, dir, shared)
	want := `dropped family@x.com records 3 rows 3 samples [{"origin":"data/1ns.ndjson:6","row_pos":6},{"origin":"data/1ns.ndjson:8","row_pos":8}]` + "\n" +
		"stats family@x.com records 3\n"
	if got != want {
		t.Errorf("shared values after forgetting bob:\n%s\nwant:\n%s", got, want)
	}
}

// TestForgetSharedValueOfHisAlone: a value over identity.max_shared that
// only his rows carry (his one linked row, and rows carrying it alone,
// which resolve to no profile) is his: forget erases its diagnostics.
func TestForgetSharedValueOfHisAlone(t *testing.T) {
	dir := sharedDir(t)
	line := func(ids string) string {
		return `{"environment": "production", "user_identities": {` + ids + `}, "timestamp_unixtime_ms": 1780232400000}`
	}
	run(t, dir, 1, bob, line(`"email": "bob@x.com", "customer_id": "B0B"`),
		line(`"email": "bob@x.com"`), line(`"email": "bob@x.com"`), line(`"email": "bob@x.com"`),
		ann, line(`"email": "ann@x.com", "customer_id": "ann"`))
	const shared = `SELECT count(*) FROM (
		SELECT 1 FROM runs, unnest(CAST(stats->'$.profiles.shared' AS JSON[])) u(e) WHERE (e->>'identity_value') = 'bob@x.com'
		UNION ALL SELECT 1 FROM dropped_rows WHERE reason = 'shared_identity' AND ("row"->>'identity_value') = 'bob@x.com')`
	if got := query(t, dir, shared); got != "2\n" {
		t.Fatalf("setup: bob@x.com is not recorded as shared in the stats and dropped rows: %q", got)
	}
	forgetB0B(t, dir)
	if got := query(t, dir, shared); got != "0\n" {
		t.Errorf("bob@x.com still shared in %s entries after forgetting bob, whose value it was alone", got)
	}
}

// TestForgetSharedValueRunOfHisAlone: a value shared by ann, carl and dan
// in run 1 is carried in run 2 by his row alone: forget leaves run 1's
// diagnostics (without him) and takes run 2's entry in the stats with its
// dropped row, which existed because of his row.
func TestForgetSharedValueRunOfHisAlone(t *testing.T) {
	dir := sharedDir(t)
	line := func(id string) string {
		return `{"environment": "production", "user_identities": {"email": "family@x.com", "customer_id": "` + id + `"}, "timestamp_unixtime_ms": 1780232400000}`
	}
	run(t, dir, 1, line("ann"), line("carl"), line("dan"))
	run(t, dir, 2, bob, line("B0B"))
	const shared = `SELECT 'stats ' || run_id || ' ' || (e->>'records') FROM runs, unnest(CAST(stats->'$.profiles.shared' AS JSON[])) u(e)
		UNION ALL SELECT 'dropped ' || run_id || ' ' || ("row"->>'records') FROM dropped_rows WHERE reason = 'shared_identity'
		ORDER BY 1`
	if before := query(t, dir, shared); before != "dropped 1 3\ndropped 2 4\nstats 1 3\nstats 2 4\n" {
		t.Fatalf("setup: family@x.com is not shared in both runs as expected:\n%s", before)
	}
	forgetB0B(t, dir)
	if got := query(t, dir, shared); got != "dropped 1 3\nstats 1 3\n" {
		t.Errorf("after forgetting bob:\n%s\nwant run 1's entries alone", got)
	}
}

// sharedDir is a folder with a pipeline whose e-mails are shared past two
// rows (identity.max_shared), for the shared-value tests.
func sharedDir(t *testing.T) string {
	return pipelineDir(t, "priority: [customerid, email], unique: [customerid], max_shared: { email: 2 }", "")
}

// forgetB0B forgets customer B0B (bob) in dir's store.
func forgetB0B(t *testing.T, dir string) {
	t.Helper()
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "customerid=B0B"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
}

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
	dir := t.TempDir()
	write(t, dir, "pipeline.yaml", `version: 1
name: forget
state: ./store.duckdb
identity: { priority: [customerid, email], unique: [customerid], max_shared: { email: 1 } }
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
`)
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

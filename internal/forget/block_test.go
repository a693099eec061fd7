package forget_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestForgetBlockedStagingDrops: with --block, a later row of the blocked
// person that staging drops before identity resolution (a batch with a
// bad timestamp, kept as its raw line; a CSV row without a timestamp, kept
// as its columns) is recorded with its reason and where it was, not with
// its contents; another person's dropped row keeps them.
func TestForgetBlockedStagingDrops(t *testing.T) {
	dir := pipelineDir(t, "priority: [customerid, email]", `  - { name: crm, source: { kind: files, path: "crm/*.csv" }, source_type: warehouse, identities: { customer_id: customerid, email: email }, timestamp: at }
`)
	run(t, dir, 1, ann, bob)
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "email=bob@x.com", "--block"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	bad := `{"environment": "production", "user_identities": {"email": "Bob@X.com"}, "user_attributes": {"tier": "gold"}, "timestamp_unixtime_ms": "soon"}`
	annBad := strings.Replace(bad, "Bob@X.com", "ann@x.com", 1)
	write(t, dir, "crm/2.csv", "customer_id,email,at\nB0B,,\nann,,\n")
	run(t, dir, 2, bobAgn, bad, annBad)
	got := query(t, dir, `SELECT reason || ' ' || CAST("row" AS VARCHAR) FROM dropped_rows WHERE run_id = 2 ORDER BY 1`)
	t.Logf("run 2 dropped:\n%s", got)
	if strings.Contains(strings.ToLower(got), "bob@x.com") || strings.Contains(got, "B0B") {
		t.Errorf("a blocked person's dropped row keeps its contents:\n%s", got)
	}
	if !strings.Contains(got, "ann@x.com") || !strings.Contains(got, `"customer_id":"ann"`) {
		t.Errorf("ann's dropped rows lost their contents:\n%s", got)
	}
	if n := strings.Count(got, `"forgotten_identity":true`); n != 2 {
		t.Errorf("run 2 dropped:\n%s\nwant bob's two rows marked forgotten_identity", got)
	}
}

// TestBlockTypesOfAnOlderStore: a store that blocked identities before the
// blocked types were kept has no list of them; its next block lists every
// known type, so that the dropped rows of the identities blocked before
// are still found, and a block on a store with no list and no blocked
// identity lists its own types alone.
func TestBlockTypesOfAnOlderStore(t *testing.T) {
	dir := pipelineDir(t, "priority: [customerid, email]", "")
	run(t, dir, 1, ann, bob)
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "email=bob@x.com", "--block"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	types := "SELECT value FROM _mosaic.meta WHERE key = 'blocked_identity_types'"
	if got := query(t, dir, types); got != "customerid,email\n" {
		t.Fatalf("blocked types after the first block: %q, want bob's own", got)
	}
	exec(t, dir, "DELETE FROM _mosaic.meta WHERE key = 'blocked_identity_types'") // as an older store
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "email=ann@x.com", "--block"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	if got := query(t, dir, types); !strings.Contains(got, "ios_idfa") || !strings.Contains(got, "email") {
		t.Errorf("blocked types of an older store after a block: %q, want every known type", got)
	}
}

// exec runs one statement on the store.
func exec(t *testing.T, dir, q string) {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(dir, "store.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

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

// TestForgetBlockedValueAnywhere: with --block, a later run's dropped row
// that holds a blocked value that is not a whole number as a whole text
// outside the identity fields (ann's batch refers bob by his e-mail, in
// another letter case; her broken line does; a CSV row has it in a column
// that is no identity) keeps only its reason and place, as forget would
// delete it; so do a CSV line the reader rejects, naming him in one of its
// fields, and bob's own row, naming him with blanks around his e-mail.
// Ann's rows that name bob@x.com.au, or bob's e-mail inside a longer
// text, keep their contents.
func TestForgetBlockedValueAnywhere(t *testing.T) {
	dir := pipelineDir(t, "priority: [customerid, email]", `  - { name: crm, source: { kind: files, path: "crm/*.csv" }, source_type: warehouse, identities: { customer_id: customerid, email: email }, timestamp: at, attributes: { note: note } }
`)
	run(t, dir, 1, ann, bob)
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "email=bob@x.com", "--block"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	refers := `{"environment": "production", "user_identities": {"email": "ann@x.com"}, "user_attributes": {"referrer": "Bob@X.com"}, "timestamp_unixtime_ms": "soon"}`
	broken := `{"environment": "production", "user_identities": {"email": "ann@x.com"}, "user_attributes": {"referrer": "bob@x.com"}, broken`
	other := `{"environment": "production", "user_identities": {"email": "ann@x.com"}, "user_attributes": {"referrer": "bob@x.com.au"}, "timestamp_unixtime_ms": "soon"}`
	write(t, dir, "crm/2.csv", "customer_id,email,at,note\nann,,yesterday,bob@x.com\nann,,yesterday,ask bob@x.com\nann,,2026-06-02T10:00:00Z,Bob@x.com,extra\n")
	own := `{"environment": "production", "user_identities": {"email": " bob@x.com\t"}, "user_attributes": {"tier": "gold"}, "timestamp_unixtime_ms": "soon"}`
	run(t, dir, 2, refers, broken, other, own)
	got := query(t, dir, `SELECT reason || ' ' || CAST("row" AS VARCHAR) FROM dropped_rows WHERE run_id = 2 ORDER BY 1`)
	t.Logf("run 2 dropped:\n%s", got)
	for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
		kept := strings.Contains(line, "bob@x.com.au") || strings.Contains(line, "ask bob@x.com")
		if stripped := strings.Contains(line, `"forgotten_identity":true`); stripped == kept {
			t.Errorf("run 2 dropped %s\nwant the rows naming bob@x.com whole stripped, the others whole", line)
		}
	}
	if n := strings.Count(got, `"forgotten_identity":true`); n != 5 || !strings.Contains(got, `\"referrer\": \"bob@x.com.au\"`) || !strings.Contains(got, `"note":"ask bob@x.com"`) {
		t.Errorf("run 2 dropped:\n%s\nwant four of ann's rows and bob's stripped, two of ann's whole", got)
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

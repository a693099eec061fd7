package forget_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestForgetDroppedRowSpellings: the dropped rows that name a forgotten
// identity are found however the row spells it: as a JSON number (a
// Parquet feed's integer column), in another letter case inside a raw
// line (staging lower-cases e-mails, the line keeps them as sent), or
// unquoted in a raw CSV line the reader rejected. Rows that name a longer
// value, or carry the number as the engine's own position, stay. Given
// the store (--state) instead of the pipeline, forget cannot tell the
// feeds' identity columns from their others and takes any field but the
// engine's own: the same rows go.
func TestForgetDroppedRowSpellings(t *testing.T) {
	for _, by := range []string{"-p", "--state"} {
		t.Run(by, func(t *testing.T) { testDroppedRowSpellings(t, by) })
	}
}

func testDroppedRowSpellings(t *testing.T, by string) {
	dir := pipelineDir(t, "priority: [customerid, email]", `  - { name: crm, source: { kind: files, path: "crm/*.csv" }, source_type: warehouse, identities: { customer_id: customerid, email: email }, timestamp: at, attributes: { full_name: full_name } }
  - { name: wh, source: { kind: files, path: "wh/*.parquet" }, source_type: warehouse, identities: { customer_id: customerid }, timestamp: at, attributes: { full_name: full_name } }
`)
	write(t, dir, "crm/1.csv", "customer_id,email,at,full_name\n4711,bob@x.com,2026-05-31T10:00:00Z,Bob Builder\n"+
		"4711,,yesterday,Bob Builder\n4711,BOB@x.com,2026-05-31T10:00:00Z,Bob Builder,extra\n")
	// Parquet rows: bob's (4711) at 1 and 2, the second dropped; others',
	// one dropped at position 4711 with id 47110.
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	os.MkdirAll(filepath.Join(dir, "wh"), 0o755)
	if _, err := db.Exec(`COPY (
		SELECT CAST(CASE WHEN i <= 2 THEN 4711 WHEN i = 4711 THEN 47110 ELSE 100000 + i END AS BIGINT) AS customer_id,
			CASE WHEN i IN (2, 4711) THEN 'yesterday' ELSE '2026-05-31T10:00:00Z' END AS at,
			CASE WHEN i <= 2 THEN 'Bob Builder' ELSE 'Someone Else' END AS full_name
		FROM range(1, 4713) t(i) ORDER BY i) TO '` + filepath.Join(dir, "wh", "1.parquet") + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	run(t, dir, 1, ann,
		`{"environment": "production", "user_identities": {"email": "Bob@X.com"}, broken`,
		`{"environment": "production", "user_identities": {"email": "bob@x.com.au"}, broken`)
	const bobs = `SELECT reason || ' ' || CAST("row" AS VARCHAR) FROM dropped_rows WHERE contains(lower(CAST("row" AS VARCHAR)), 'bob') ORDER BY 1`
	if before := query(t, dir, bobs); strings.Count(before, "\n") != 5 || !strings.Contains(before, `"customer_id":4711,`) {
		t.Fatalf("setup: the dropped rows are not the ones expected:\n%s", before)
	}
	target := filepath.Join(dir, "pipeline.yaml")
	if by == "--state" {
		target = filepath.Join(dir, "store.duckdb")
	}
	if code, out := mosaic(t, "forget", by, target, "--identity", "customerid=4711"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	if got := query(t, dir, "SELECT count(*) FROM profile_identities WHERE identity_value IN ('4711', 'bob@x.com')"); got != "0\n" {
		t.Fatalf("bob not erased: %s", got)
	}
	if got := query(t, dir, bobs); !strings.Contains(got, "bob@x.com.au") || strings.Count(got, "\n") != 1 {
		t.Errorf("dropped rows naming bob after forget:\n%s\nwant the line naming bob@x.com.au alone", got)
	}
	if got := query(t, dir, `SELECT count(*) FROM dropped_rows WHERE ("row"->>'_row_pos') = '4711' AND ("row"->>'customer_id') = '47110'`); got != "1\n" {
		t.Errorf("the dropped row of id 47110 at position 4711: %s, want it kept", got)
	}
}

// TestForgetDroppedRowsOfOthersNamingTheNumber: a forgotten customer id
// that is a small number (42) is named by the forgotten person's dropped
// rows only where an identity is: a batch's user_identities (kept whole,
// or in a raw line as a JSON number), a column the feed maps to an
// identity, a whole field of a raw CSV line. Another person's dropped
// rows that carry 42 elsewhere (an attribute, a price, a line number)
// stay after forget, and keep their contents when later runs drop them
// with bob's identities blocked.
func TestForgetDroppedRowsOfOthersNamingTheNumber(t *testing.T) {
	dir := pipelineDir(t, "priority: [customerid, email]", `  - { name: crm, source: { kind: files, path: "crm/*.csv" }, source_type: warehouse, identities: { cust_no: customerid, email: email }, timestamp: at, attributes: { price: price } }
`)
	bob42 := `{"environment": "production", "user_identities": {"email": "bob@x.com", "customer_id": "42"}, "timestamp_unixtime_ms": 1780232400000}`
	bobBad := `{"environment": "production", "user_identities": {"customer_id": "42"}, "timestamp_unixtime_ms": "soon"}`
	bobBroken := `{"environment": "production", "user_identities": {"customer_id": 42}, broken`
	annBad := `{"environment": "production", "user_identities": {"email": "ann@x.com"}, "user_attributes": {"shoe_size": 42, "lucky": "42"}, "timestamp_unixtime_ms": "soon"}`
	annBroken := `{"environment": "production", "user_identities": {"email": "ann@x.com"}, "user_attributes": {"shoe_size": 42}, broken`
	carlBroken := `{"environment": "production", "user_identities": {"email": "carl@x.com"}, broken`
	lines := []string{bob42, bobBad, bobBroken, annBad, annBroken}
	for len(lines) < 41 {
		lines = append(lines, ann)
	}
	lines = append(lines, carlBroken) // line 42
	write(t, dir, "crm/1.csv", "cust_no,email,at,price\n42,,yesterday,10\ncarl,carl@x.com,yesterday,42\n42,,2026-05-31T10:00:00Z,10,extra\n")
	run(t, dir, 1, lines...)
	const dropped = `SELECT reason || ' ' || CAST("row" AS VARCHAR) FROM dropped_rows WHERE run_id = %d ORDER BY 1`
	before := query(t, dir, fmt.Sprintf(dropped, 1))
	t.Logf("run 1 dropped:\n%s", before)
	if strings.Count(before, "\n") != 8 {
		t.Fatalf("setup: run 1 dropped:\n%s\nwant bob's four rows and four of others'", before)
	}
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "customerid=42", "--block"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	got := query(t, dir, fmt.Sprintf(dropped, 1))
	if strings.Count(got, "ann@x.com") != 2 || strings.Count(got, "carl@x.com") != 2 || strings.Count(got, "\n") != 4 {
		t.Errorf("run 1 dropped after forgetting customer 42:\n%s\nwant ann's two rows and carl's two alone", got)
	}
	// With 42 blocked, a later run's dropped rows of bob's are stripped to
	// their place; ann's and carl's keep theirs.
	write(t, dir, "crm/2.csv", "cust_no,email,at,price\n42,,yesterday,10\ncarl,carl@x.com,yesterday,42\n")
	run(t, dir, 2, bobBad, bobBroken, annBad, annBroken)
	got = query(t, dir, fmt.Sprintf(dropped, 2))
	t.Logf("run 2 dropped:\n%s", got)
	if strings.Count(got, "ann@x.com") != 2 || strings.Count(got, "carl@x.com") != 1 || strings.Count(got, `"forgotten_identity":true`) != 3 {
		t.Errorf("run 2 dropped with customer 42 blocked:\n%s\nwant ann's two rows and carl's whole, bob's three stripped", got)
	}
}

// TestForgetDroppedRowsNamingHimAnywhere: another person's dropped row
// that holds one of his values as a string outside the identity fields
// (ann's batch refers bob by his e-mail) names him, and goes; one that
// holds his whole-number customer id as a string there stays (a number is
// his only as an identity).
func TestForgetDroppedRowsNamingHimAnywhere(t *testing.T) {
	dir := pipelineDir(t, "priority: [customerid, email]", "")
	bobLine := `{"environment": "production", "user_identities": {"email": "bob@x.com", "customer_id": "42"}, "timestamp_unixtime_ms": 1780232400000}`
	annRefers := `{"environment": "production", "user_identities": {"email": "ann@x.com"}, "user_attributes": {"referrer": "Bob@X.com"}, "timestamp_unixtime_ms": "soon"}`
	annLucky := `{"environment": "production", "user_identities": {"email": "ann@x.com"}, "user_attributes": {"lucky": "42"}, "timestamp_unixtime_ms": "soon"}`
	run(t, dir, 1, bobLine, annRefers, annLucky)
	const dropped = `SELECT CAST("row" AS VARCHAR) FROM dropped_rows ORDER BY 1`
	if before := query(t, dir, dropped); strings.Count(before, "\n") != 2 {
		t.Fatalf("setup: dropped:\n%s\nwant ann's two rows", before)
	}
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "customerid=42"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	if got := query(t, dir, dropped); strings.Count(got, "\n") != 1 || !strings.Contains(got, "lucky") {
		t.Errorf("dropped after forgetting bob:\n%s\nwant ann's lucky row alone", got)
	}
}

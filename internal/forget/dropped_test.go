package forget_test

import (
	"database/sql"
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
// value, or carry the number as the engine's own position, stay.
func TestForgetDroppedRowSpellings(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "pipeline.yaml", `version: 1
name: forget
state: ./store.duckdb
identity: { priority: [customerid, email] }
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
  - { name: crm, source: { kind: files, path: "crm/*.csv" }, source_type: warehouse, identities: { customer_id: customerid, email: email }, timestamp: at, attributes: { full_name: full_name } }
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
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "customerid=4711"); code != 0 {
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

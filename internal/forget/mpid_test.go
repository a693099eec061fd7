package forget_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestForgetDroppedRowsNamingTheMPID: the dropped rows that name the
// forgotten profile by its MPID go, however a row spells it: a raw
// batch's top-level mpid as a number (a line kept whole) or a string (a
// broken line), the batch a duplicate kept as JSON, a column the feed maps
// to an MPID (in a CSV row, or in an NDJSON line that does not parse), and
// the identity stage's record of a row it dropped with no identity. Ann's
// rows that carry bob's MPID elsewhere (an attribute, a price, an "mpid"
// or MPID column nested in an attribute or an event, beside her own
// top-level one) stay. Given the store (--state) instead of the pipeline,
// forget cannot tell the feeds' MPID columns from their others and takes
// the field "mpid" alone: the CSV row and the NDJSON line naming bob in
// profile_id stay.
func TestForgetDroppedRowsNamingTheMPID(t *testing.T) {
	for _, by := range []string{"-p", "--state"} {
		t.Run(by, func(t *testing.T) { testDroppedRowsNamingTheMPID(t, by) })
	}
}

func testDroppedRowsNamingTheMPID(t *testing.T, by string) {
	dir := pipelineDir(t, "priority: [customerid, email], unique: [customerid]", `  - { name: crm, source: { kind: files, path: "crm/*.csv" }, source_type: warehouse, protection: only_update, mpid: profile_id, identities: { customer_id: customerid }, timestamp: at, attributes: { price: price } }
  - { name: wh, source: { kind: files, path: "wh/*.ndjson" }, source_type: warehouse, protection: only_update, mpid: profile_id, identities: { customer_id: customerid }, timestamp: at, attributes: { price: price } }
`)
	run(t, dir, 1, ann, bob)
	mpid := func(who string) string {
		return strings.TrimSpace(query(t, dir, "SELECT mpid FROM profile_identities WHERE identity_type = 'customerid' AND identity_value = '"+who+"'"))
	}
	b, a := mpid("B0B"), mpid("ann")
	if b == "" || a == "" {
		t.Fatalf("setup: bob's MPID %q, ann's %q", b, a)
	}
	batch := func(s string) string { return strings.NewReplacer("$B", b, "$A", a).Replace(s) }
	run(t, dir, 2,
		batch(`{"environment": "production", "mpid": $B, "user_attributes": {"tier": "gold"}, "timestamp_unixtime_ms": "soon"}`),
		batch(`{"environment": "production", "mpid": "$B", "user_attributes": {"tier": "gold"}, broken`),
		batch(`{"environment": "production", "mpid": $B, "source_request_id": "bob-1", "timestamp_unixtime_ms": 1780315200000}`),
		batch(`{"environment": "production", "mpid": $B, "source_request_id": "bob-1", "timestamp_unixtime_ms": 1780315200000}`),
		batch(`{"environment": "production", "user_identities": {"email": "ann@x.com"}, "user_attributes": {"price": $B, "mpid": "$B"}, "timestamp_unixtime_ms": "soon"}`),
		batch(`{"environment": "production", "mpid": $A, "user_attributes": {"ref": {"mpid": $B}}, "events": [{"data": {"mpid": $B}}], broken`),
		batch(`{"environment": "production", "mpid": $A, "source_request_id": "ann-1", "user_attributes": {"ref": "$B"}, "timestamp_unixtime_ms": 1780315200000}`),
		batch(`{"environment": "production", "mpid": $A, "source_request_id": "ann-1", "user_attributes": {"ref": "$B"}, "timestamp_unixtime_ms": 1780315200000}`))
	// The CSV rows: one naming bob's MPID alone, with no timestamp; one
	// the identity stage drops (a customer id bob does not hold, and
	// customerid is unique); ann's, priced at bob's MPID, with no
	// timestamp; and bob's line the reader rejects (a column too many),
	// kept as its raw text.
	write(t, dir, "crm/2.csv", batch("profile_id,customer_id,at,price\n$B,,yesterday,10\n$B,OTHER,2026-06-02T10:00:00Z,10\n$A,ann,yesterday,$B\n$B,,2026-06-02T10:00:00Z,10,extra\n"))
	// The NDJSON lines that do not parse, kept as their text: bob's, naming
	// him in profile_id; ann's, pricing at his MPID, and naming him in a
	// profile_id nested in an attribute.
	write(t, dir, "wh/2.ndjson", batch(`{"profile_id": $B, "at": "2026-06-02T10:00:00Z", broken`+"\n"+
		`{"profile_id": "$A", "price": $B, broken`+"\n"+
		`{"profile_id": $A, "ref": {"profile_id": $B}, broken`+"\n"))
	run(t, dir, 3)
	naming := `SELECT reason || ' ' || CAST("row" AS VARCHAR) FROM dropped_rows WHERE contains(CAST("row" AS VARCHAR), '` + strings.TrimPrefix(b, "-") + `') ORDER BY 1`
	before := query(t, dir, naming)
	t.Logf("dropped rows with bob's MPID:\n%s", before)
	if strings.Count(before, "\n") != 13 || !strings.Contains(before, "unique_conflict") || !strings.Contains(before, "duplicate_batch") {
		t.Fatalf("setup: the dropped rows with bob's MPID are not the ones expected:\n%s", before)
	}
	target := filepath.Join(dir, "pipeline.yaml")
	if by == "--state" {
		target = filepath.Join(dir, "store.duckdb")
	}
	if code, out := mosaic(t, "forget", by, target, "--mpid", b); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	got := query(t, dir, naming)
	want := 6 // ann's: two batch lines, a duplicate batch, a CSV row, two NDJSON lines
	if by == "--state" {
		want += 2 // bob's CSV row and NDJSON line, naming him in a column forget cannot tell
	}
	if strings.Count(got, "\n") != want || strings.Count(got, "ann@x.com")+strings.Count(got, a) != 6 {
		t.Errorf("dropped rows with bob's MPID after forget:\n%s\nwant ann's six alone", got)
	}
	if by == "--state" && (!strings.Contains(got, fmt.Sprintf(`"profile_id":"%s"`, b)) || !strings.Contains(got, fmt.Sprintf(`{\"profile_id\": %s,`, b))) {
		t.Errorf("dropped rows with bob's MPID after forget by --state:\n%s\nwant the rows naming him in profile_id", got)
	}
}

// TestForgetBlockedMPID: with --block, bob's MPID is blocked with his
// identities. A later row carrying it (alone, or beside an e-mail bob
// never had) is dropped before identity resolution as forgotten_identity
// without it, and makes no profile; a row staging drops first that names
// it as an MPID (a raw line, a duplicate batch, a CSV row's MPID column)
// keeps only its reason and place. Ann's rows that carry it as a price
// or an attribute keep their contents.
func TestForgetBlockedMPID(t *testing.T) {
	dir := pipelineDir(t, "priority: [customerid, email]", `  - { name: crm, source: { kind: files, path: "crm/*.csv" }, source_type: warehouse, mpid: profile_id, identities: { customer_id: customerid }, timestamp: at, attributes: { price: price } }
`)
	run(t, dir, 1, ann, bob)
	b := strings.TrimSpace(query(t, dir, "SELECT mpid FROM profile_identities WHERE identity_value = 'B0B'"))
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--mpid", b, "--block"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	batch := func(s string) string { return strings.ReplaceAll(s, "$B", b) }
	write(t, dir, "crm/2.csv", batch("profile_id,customer_id,at,price\n$B,,yesterday,10\n,ann,yesterday,$B\n"))
	run(t, dir, 2,
		batch(`{"environment": "production", "mpid": $B, "user_attributes": {"tier": "gold"}, "timestamp_unixtime_ms": "soon"}`),
		batch(`{"environment": "production", "mpid": "$B", "user_attributes": {"tier": "gold"}, "timestamp_unixtime_ms": 1780315200000}`),
		batch(`{"environment": "production", "mpid": $B, "user_identities": {"email": "bob.new@x.com"}, "timestamp_unixtime_ms": 1780315200000}`),
		batch(`{"environment": "production", "mpid": $B, "source_request_id": "bob-1", "timestamp_unixtime_ms": 1780315200000}`),
		batch(`{"environment": "production", "mpid": $B, "source_request_id": "bob-1", "timestamp_unixtime_ms": 1780315200000}`),
		batch(`{"environment": "production", "user_identities": {"email": "ann@x.com"}, "user_attributes": {"price": $B}, "timestamp_unixtime_ms": "soon"}`),
		batch(`{"environment": "production", "user_identities": {"email": "ann@x.com"}, "user_attributes": {"ref": "$B"}, "timestamp_unixtime_ms": 1780315200000}`))
	got := query(t, dir, `SELECT reason || ' ' || CAST("row" AS VARCHAR) FROM dropped_rows WHERE run_id = 2 ORDER BY 1`)
	t.Logf("run 2 dropped:\n%s", got)
	digits := strings.TrimPrefix(b, "-")
	for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
		if strings.Contains(line, digits) && !strings.Contains(line, "ann") {
			t.Errorf("a dropped row names bob's blocked MPID: %s", line)
		}
	}
	if n := strings.Count(got, "ann"); n != 2 || strings.Count(got, digits) != 2 {
		t.Errorf("run 2 dropped:\n%s\nwant ann's two rows whole", got)
	}
	if n := strings.Count(got, `forgotten_identity {`); n != 3 || strings.Count(got, `"forgotten_identity":true`) != 3 {
		t.Errorf("run 2 dropped:\n%s\nwant three of bob's rows dropped as forgotten_identity and three stripped", got)
	}
	if got := query(t, dir, "SELECT count(*) FROM profile_identities WHERE identity_value = 'bob.new@x.com'"); got != "0\n" {
		t.Errorf("profiles of bob.new@x.com: %s, want none (the row carried bob's blocked MPID)", got)
	}
}

package forget_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestForgetWithoutProfile: an identity no profile holds, named only by
// dropped rows (a CRM row with a bad timestamp, kept as its columns; a
// broken batch line, kept raw), is forgotten all the same: the rows go,
// the request is audited with no profile erased, and the CLI says so.
// Ann's dropped row stays. With --block, a later row of hers makes no
// profile. An identity or MPID nothing names is still not found, and
// audited by nothing.
func TestForgetWithoutProfile(t *testing.T) {
	for _, block := range []bool{false, true} {
		t.Run(map[bool]string{false: "forget", true: "block"}[block], func(t *testing.T) { testForgetWithoutProfile(t, block) })
	}
}

func testForgetWithoutProfile(t *testing.T, block bool) {
	dir := pipelineDir(t, "priority: [customerid, email]", `  - { name: crm, source: { kind: files, path: "crm/*.csv" }, source_type: warehouse, identities: { customer_id: customerid, email: email }, timestamp: at, attributes: { full_name: full_name } }
`)
	pipe := filepath.Join(dir, "pipeline.yaml")
	write(t, dir, "crm/1.csv", "customer_id,email,at,full_name\nC-77,Barbara@Example.com,yesterday,Barbara Jensen\nann,ann@x.com,yesterday,Ann Smith\n")
	run(t, dir, 1, ann, `{"environment": "production", "user_identities": {"email": "barbara@example.com"}, broken`)
	const hers = `SELECT count(*) FROM dropped_rows WHERE contains(lower(CAST("row" AS VARCHAR)), 'barbara')`
	if got := query(t, dir, hers); got != "2\n" {
		t.Fatalf("setup: %s dropped rows name barbara, want 2", got)
	}
	args := []string{"forget", "-p", pipe, "--identity", "email=barbara@example.com", "--reason", "ticket 9"}
	if block {
		args = append(args, "--block")
	}
	code, out := mosaic(t, args...)
	if code != 0 || !strings.Contains(out, "no profile holds email=barbara@example.com; 2 dropped rows naming it erased") {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	if block != strings.Contains(out, "it is blocked") {
		t.Errorf("forget (block %v) says:\n%s", block, out)
	}
	if got := query(t, dir, hers); got != "0\n" {
		t.Errorf("%s dropped rows still name barbara", got)
	}
	if got := query(t, dir, `SELECT count(*) FROM dropped_rows WHERE contains(CAST("row" AS VARCHAR), 'Ann Smith')`); got != "1\n" {
		t.Errorf("ann's dropped row: %s, want it kept", got)
	}
	if got := query(t, dir, "SELECT reason || ' ' || profiles || ' ' || blocked || ' ' || CAST(outputs AS VARCHAR) FROM forgotten"); got != "ticket 9 0 "+map[bool]string{false: "false", true: "true"}[block]+" []\n" {
		t.Errorf("forgotten: %q", got)
	}
	if got := query(t, dir, "SELECT count(*) FROM profiles"); got != "1\n" {
		t.Errorf("profiles: %s, want ann's", got)
	}
	// Her row arrives, valid.
	write(t, dir, "crm/2.csv", "customer_id,email,at,full_name\nC-77,barbara@example.com,2026-06-02T10:00:00Z,Barbara Jensen\n")
	run(t, dir, 2)
	want := map[bool]string{false: "1\n", true: "0\n"}[block]
	if got := query(t, dir, "SELECT count(*) FROM profile_identities WHERE identity_value = 'barbara@example.com'"); got != want {
		t.Errorf("profiles holding her e-mail after her row arrives: %s, want %s", got, want)
	}

	if code, out := mosaic(t, "forget", "-p", pipe, "--identity", "email=nobody@x.com"); code != 1 || !strings.Contains(out, "no such profile") {
		t.Errorf("forgetting nobody: exit %d\n%s", code, out)
	}
	if code, out := mosaic(t, "forget", "-p", pipe, "--mpid", "4242"); code != 1 || !strings.Contains(out, "no such profile has MPID 4242") {
		t.Errorf("forgetting MPID 4242: exit %d\n%s", code, out)
	}
	if got := query(t, dir, "SELECT count(*) FROM forgotten"); got != "1\n" {
		t.Errorf("forget requests audited: %s, want 1", got)
	}
}

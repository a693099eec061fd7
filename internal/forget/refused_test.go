package forget_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestForgetRefusedIdentities: identity values the forgotten person's rows
// carried but the profile does not hold (an e-mail over identity.limits,
// an id on an only_read row) leave the identity dictionary and the
// dropped rows that name them (identity_limit) with the profile.
func TestForgetRefusedIdentities(t *testing.T) {
	dir := pipelineDir(t, "priority: [customerid, email], unique: [customerid], limits: { email: 1 }", `  - { name: reads, source: { kind: files, path: "reads/*.ndjson", format: batch }, source_type: sdk, protection: only_read }
`)
	bob2 := `{"environment": "production", "user_identities": {"email": "bob.second@x.com", "customer_id": "B0B"}, "timestamp_unixtime_ms": 1780236000000}`
	read := `{"environment": "production", "source_request_id": "r1", "user_identities": {"email": "bob@x.com", "other": "bob-other-7"}, ` +
		`"events": [{"event_type": "custom_event", "data": {"event_name": "view", "custom_event_type": "other"}}], "timestamp_unixtime_ms": 1780236000000}`
	// Bob's row also names ann's e-mail (a join refused: the two hold
	// different customer ids), and a broken line of ann's names it: it is
	// ann's, and stays.
	bobAnn := `{"environment": "production", "user_identities": {"email": "ann@x.com", "customer_id": "B0B"}, "timestamp_unixtime_ms": 1780236000000}`
	write(t, dir, "reads/1.ndjson", read+"\n")
	run(t, dir, 1, ann, bob, bob2, bobAnn, `{"environment": "production", "user_identities": {"email": "ann@x.com"}, broken`)
	const leftover = `SELECT 'dict ' || identity_value FROM _mosaic.identity_dict WHERE identity_value IN ('bob.second@x.com', 'bob-other-7')
		UNION ALL SELECT 'dropped ' || reason || ' ' || CAST("row" AS VARCHAR) FROM _mosaic.dropped_rows WHERE contains(CAST("row" AS VARCHAR), 'bob')
		ORDER BY 1`
	if before := query(t, dir, leftover); !strings.Contains(before, "dict bob.second@x.com") || !strings.Contains(before, "dict bob-other-7") ||
		!strings.Contains(before, "dropped identity_limit") {
		t.Fatalf("setup: the refused identities are not where expected:\n%s", before)
	}
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "email=bob@x.com"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	if got := query(t, dir, "SELECT identity_value FROM profile_identities ORDER BY 1"); got != "ann\nann@x.com\n" {
		t.Fatalf("identities after forget: %q, want ann's alone", got)
	}
	if got := query(t, dir, `SELECT reason FROM dropped_rows WHERE contains(CAST("row" AS VARCHAR), 'ann@x.com') ORDER BY 1`); !strings.Contains(got, "invalid_json") {
		t.Errorf("ann's dropped rows after forgetting bob: %q, want her broken line kept", got)
	}
	if got := query(t, dir, leftover); got != "" {
		t.Errorf("bob's identities left after forget:\n%s", got)
	}
	if got := query(t, dir, everything); strings.Contains(got, "bob") {
		t.Errorf("the store still names bob:\n%s", got)
	}
}

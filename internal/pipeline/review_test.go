package pipeline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEdgeInputsNeverFailARun: inputs that once failed a whole run (and so
// every run after it) are dropped with a reason or read correctly instead.
func TestEdgeInputsNeverFailARun(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "in/a_header_only.csv", "id,email,ts,mpid\n")
	writeFile(t, dir, "in/b.csv", strings.Join([]string{
		"id,email,ts,mpid",
		"C1,bob@x.com\t,2026-05-01T00:00:00Z,",    // a tab is trimmed like a space
		"C2,BOB@x.com,2026-05-02T00:00:00Z,",      // the same email: one profile? no: C1 and C2 are unique
		"C3,c@x.com,1777593600000000000,",         // epoch nanoseconds: out of range, not a failure
		"C4,d@x.com,infinity,",                    // not a time anything happened
		"C5,e@x.com,2026-05-01T00:00:00Z,1.7",     // an mpid with decimals is not an mpid
		"C6,f@x.com,2026-05-01T00:00:00Z,1e3",     // nor with an exponent
		"C7,\u00a0g@x.com ,2026-05-01T00:00:00Z,", // a no-break space is trimmed too
	}, "\n")+"\n")
	writeFile(t, dir, "in/c.ndjson", "not json\n[1]\n")
	p := loadPipeline(t, dir, `version: 1
name: edges
identity: { priority: [email, customerid] }
feeds:
  - name: csv
    source: { kind: files, path: in/*.csv }
    source_type: csv
    timestamp: ts
    mpid: mpid
    identities: { id: customerid, email: email }
  - name: json
    source: { kind: files, path: in/*.ndjson }
    source_type: sdk
    timestamp: ts
    identities: { id: customerid }
`)
	run(t, p, Options{})
	got := query(t, p, `SELECT reason || ' ' || coalesce("row"->>'id', "row"->>'text') || ' row ' || coalesce("row"->>'_row_pos', "row"->>'line')
		FROM dropped_rows ORDER BY ALL`)
	want := []string{
		"invalid_json not json row 1",
		"invalid_mpid C5 row 5",
		"invalid_mpid C6 row 6",
		"invalid_timestamp C3 row 3",
		"invalid_timestamp C4 row 4",
		"json_not_object [1] row 2",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dropped (-want +got):\n%s", diff)
	}
	emails := query(t, p, "SELECT identity_value FROM profile_identities WHERE identity_type = 'email' ORDER BY ALL")
	if diff := cmp.Diff([]string{"bob@x.com", "g@x.com"}, emails); diff != "" {
		t.Errorf("normalised emails (-want +got):\n%s", diff)
	}
	if second := run(t, p, Options{}); second.Stats.Feeds["csv"].Read != 0 {
		t.Errorf("the files were not recorded as read: %+v", second.Stats.Feeds)
	}
}

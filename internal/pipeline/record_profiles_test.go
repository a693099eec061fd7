package pipeline

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// TestRecordProfiles: each staged row names the profile it landed in then
// and the one it belongs to now. Run 1 makes two profiles (a customer ID,
// an e-mail); run 2's row carries both and merges the e-mail's into the
// customer's, so run 1's e-mail row now belongs to the customer; and
// profile_merges says which row and identity made that merge.
func TestRecordProfiles(t *testing.T) {
	dir := t.TempDir()
	const feed = `version: 1
name: rec
feeds:
  - name: crm
    source: { kind: files, path: crm/*.csv }
    source_type: warehouse
    timestamp: ts
    identities: { id: customerid, email: email }
`
	writeFile(t, dir, "crm/1.csv", "id,email,ts\nC1,,2026-05-01T00:00:00Z\n,b@x.com,2026-05-01T01:00:00Z\n")
	p := loadPipeline(t, dir, feed)
	run(t, p, Options{})
	writeFile(t, dir, "crm/2.csv", "id,email,ts\nC1,b@x.com,2026-05-02T00:00:00Z\n")
	run(t, p, Options{})

	ctx := context.Background()
	s, err := engine.Open(ctx, p.State, engine.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.Conn().QueryContext(ctx, `
		SELECT r.run_id, r.feed, r."row"->>'origin', CAST(r."row"->>'row_pos' AS INTEGER),
		       r.mpid_then = c.mpid, r.mpid = c.mpid
		FROM record_profiles r, (SELECT mpid FROM profile_identities WHERE identity_value = 'C1') c
		ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got [][]any
	for rows.Next() {
		var runID, pos int64
		var feed, origin string
		var thenC1, nowC1 bool
		if err := rows.Scan(&runID, &feed, &origin, &pos, &thenC1, &nowC1); err != nil {
			t.Fatal(err)
		}
		got = append(got, []any{runID, feed, origin, pos, thenC1, nowC1})
	}
	want := [][]any{
		{int64(1), "crm", "crm/1.csv", int64(1), true, true},
		{int64(1), "crm", "crm/1.csv", int64(2), false, true}, // the e-mail's profile then, merged since
		{int64(2), "crm", "crm/2.csv", int64(1), true, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record_profiles (-want +got):\n%s", diff)
	}
	var runID, pos int64
	var feedName, origin, typ, value string
	var intoC1, fromB bool
	err = s.Conn().QueryRowContext(ctx, `
		SELECT m.run_id, m.feed, m."row"->>'origin', CAST(m."row"->>'row_pos' AS INTEGER), m.identity_type, m.identity_value,
		       m.mpid = (SELECT mpid FROM profile_identities WHERE identity_value = 'C1'),
		       m.merged_mpid = (SELECT mpid_then FROM record_profiles WHERE run_id = 1 AND ("row"->>'row_pos') = '2')
		FROM profile_merges m`).Scan(&runID, &feedName, &origin, &pos, &typ, &value, &intoC1, &fromB)
	if err != nil {
		t.Fatal(err)
	}
	merge := []any{runID, feedName, origin, pos, typ, value, intoC1, fromB}
	if diff := cmp.Diff([]any{int64(2), "crm", "crm/2.csv", int64(1), "email", "b@x.com", true, true}, merge); diff != "" {
		t.Errorf("profile_merges (-want +got):\n%s", diff)
	}
}

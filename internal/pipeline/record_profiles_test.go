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
// customer's, so run 1's e-mail row now belongs to the customer.
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
}

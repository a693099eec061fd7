package forget_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestForgetOnlyReadEvents: the events only_read feeds kept (no MPID) of
// a forgotten person's rows are erased: batches whose request id was kept
// as a UUID, as text, or that had none, and rows of a columnar feed (no
// batch id at all); another person's stay.
func TestForgetOnlyReadEvents(t *testing.T) {
	dir := t.TempDir()
	yaml := `version: 1
name: forget
state: ./store.duckdb
identity: { priority: [customerid, email] }
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
  - { name: reads, source: { kind: files, path: "reads/*.ndjson", format: batch }, source_type: sdk, protection: only_read }
  - { name: visits, source: { kind: files, path: "visits/*.csv" }, source_type: csv, protection: only_read, identities: { email: email }, timestamp: at, event_name: kind }
`
	if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func(id, email string) string {
		return `{"environment": "production", "source_request_id": "` + id + `", "user_identities": {"email": "` + email + `"}, ` +
			`"events": [{"event_type": "custom_event", "data": {"event_name": "view", "custom_event_type": "other"}}], "timestamp_unixtime_ms": 1780228800000}`
	}
	os.MkdirAll(filepath.Join(dir, "reads"), 0o755)
	reads := read("0c8f1d3a-9b2e-4f6a-8c1d-2e3f4a5b6c7d", "bob@x.com") + "\n" + read("bob-2", "bob@x.com") + "\n" +
		strings.Replace(read("", "bob@x.com"), `"source_request_id": "", `, "", 1) + "\n" +
		read("0c8f1d3a-9b2e-4f6a-8c1d-2e3f4a5b6c7e", "ann@x.com") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "reads", "1.ndjson"), []byte(reads), 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "visits"), 0o755)
	visits := "email,at,kind\nbob@x.com,2026-06-01T10:00:00Z,store_visit\nann@x.com,2026-06-01T11:00:00Z,store_visit\n"
	if err := os.WriteFile(filepath.Join(dir, "visits", "1.csv"), []byte(visits), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, dir, 1, ann, bob)
	if got := query(t, dir, "SELECT count(*) FROM events WHERE mpid IS NULL"); got != "6\n" {
		t.Fatalf("only_read events kept: %s, want 6", got)
	}
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "email=bob@x.com"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	left := "SELECT feed || ' ' || coalesce(batch_id, '-') FROM events WHERE mpid IS NULL ORDER BY feed"
	if got := query(t, dir, left); got != "reads 0c8f1d3a-9b2e-4f6a-8c1d-2e3f4a5b6c7e\nvisits -\n" {
		t.Errorf("only_read events left:\n%s\nwant ann's alone (a batch and a visit)", got)
	}
	if got := query(t, dir, "SELECT count(*) FROM events WHERE mpid IS NULL AND event_name = 'store_visit' AND occurred_at = '2026-06-01T11:00:00Z'"); got != "1\n" {
		t.Errorf("ann's visit: %s, want it kept", got)
	}
}

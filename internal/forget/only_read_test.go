package forget_test

import (
	"os"
	"path/filepath"
	"testing"
)

// TestForgetOnlyReadEvents: the events an only_read feed kept (no MPID) of
// a forgotten person's batches are erased by the batches' request ids,
// whether a request id was kept as a UUID or as text; another person's
// stay.
func TestForgetOnlyReadEvents(t *testing.T) {
	dir := t.TempDir()
	yaml := `version: 1
name: forget
state: ./store.duckdb
identity: { priority: [customerid, email] }
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
  - { name: reads, source: { kind: files, path: "reads/*.ndjson", format: batch }, source_type: sdk, protection: only_read }
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
		read("0c8f1d3a-9b2e-4f6a-8c1d-2e3f4a5b6c7e", "ann@x.com") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "reads", "1.ndjson"), []byte(reads), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, dir, 1, ann, bob)
	if got := query(t, dir, "SELECT count(*) FROM events WHERE mpid IS NULL"); got != "3\n" {
		t.Fatalf("only_read events kept: %s, want 3", got)
	}
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "email=bob@x.com"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	if got := query(t, dir, "SELECT batch_id FROM events WHERE mpid IS NULL"); got != "0c8f1d3a-9b2e-4f6a-8c1d-2e3f4a5b6c7e\n" {
		t.Errorf("only_read events left: %q, want ann's alone", got)
	}
}

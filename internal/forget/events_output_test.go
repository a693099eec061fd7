package forget_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
)

// TestForgetEventsOutput: an events output keys its records feed:row_id
// and keeps the forwarded batch, enriched with the profile, both for a
// record it failed (output_failures) and for one it delivered before its
// position passed the run (output_records). Forget erases both for the
// forgotten person's rows; another person's stay, and the next sync does
// not send the erased rows again.
func TestForgetEventsOutput(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MOSAIC_TEST_HOOK_SECRET", secret)
	failing, partial := webhooktest.New(t, secret), webhooktest.New(t, secret)
	write(t, dir, "pipeline.yaml", `version: 1
name: forget
state: ./store.duckdb
identity: { priority: [customerid, email], unique: [customerid] }
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
outputs:
  - { name: failing, kind: webhook, url: `+failing.URL+`, secret_env: MOSAIC_TEST_HOOK_SECRET, send: events }
  - { name: partial, kind: webhook, url: `+partial.URL+`, secret_env: MOSAIC_TEST_HOOK_SECRET, send: events, batch_size: 1 }
`)
	// failing fails every request; partial, one batch a request, refuses
	// ann's (the receiver wants a source_request_id, which bob's and
	// cy's have), takes bob's, then refuses cy's as forbidden, which
	// fails its sync: its position stays before the run, and it keeps the
	// batch it delivered.
	bobID := strings.Replace(bob, `"environment": "production", `, `"environment": "production", "source_request_id": "bob-1", `, 1)
	cy := `{"environment": "production", "source_request_id": "cy-1", "user_identities": {"email": "cy@x.com"}, "events": [{"event_type": "custom_event", "data": {"event_name": "order", "custom_event_type": "other"}}], "timestamp_unixtime_ms": 1780236000000}`
	write(t, dir, "data/1.ndjson", ann+"\n"+bobID+"\n"+cy+"\n")
	failing.FailNext(1000, 400)
	partial.Reject(403, "cy-1")
	if err := runErr(t, dir, 1); err == nil {
		t.Fatal("run 1: the outputs' failures were not reported")
	}
	const kept = `SELECT 'failure ' || output || ' ' || key || ' ' || CAST(payload AS VARCHAR) FROM output_failures
		UNION ALL SELECT 'record ' || output || ' ' || key || ' ' || CAST(payload AS VARCHAR) FROM output_records
		ORDER BY 1`
	before := query(t, dir, kept)
	if !strings.Contains(before, "failure failing users:2 ") || !strings.Contains(before, "record partial users:2 ") ||
		!strings.Contains(before, "failure partial users:1 ") || strings.Count(before, "bob@x.com") != 2 {
		t.Fatalf("setup: the outputs do not keep bob's batch as expected:\n%s", before)
	}
	if code, out := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "email=bob@x.com"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	after := query(t, dir, kept)
	if strings.Contains(after, "bob") || strings.Contains(after, "B0B") || strings.Contains(after, "users:2") {
		t.Errorf("the outputs still keep bob's batch after forget:\n%s", after)
	}
	if !strings.Contains(after, "failure failing users:1 ") || !strings.Contains(after, "failure partial users:1 ") {
		t.Errorf("ann's failures after forgetting bob:\n%s\nwant both kept", after)
	}
	// The next sync sends ann's batch again (and fails it again), never
	// bob's.
	sent := map[*webhooktest.Receiver]int{failing: len(failing.Requests()), partial: len(partial.Requests())}
	mosaic(t, "sync", filepath.Join(dir, "pipeline.yaml"))
	for rc, n := range sent {
		var bodies string
		for _, req := range rc.Requests()[n:] {
			bodies += string(req.Body)
		}
		if strings.Contains(bodies, "bob@x.com") || !strings.Contains(bodies, "ann@x.com") {
			t.Errorf("the sync after forget sent:\n%s\nwant ann's batch alone", bodies)
		}
	}
}

package pipeline

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// TestBatchUUIDIds: request and event ids that are canonical UUIDs are
// stored as UUIDs, any other id as its text, and the events view reads each
// back exactly as it came; the same batches in another file are recognised
// by their request ids either way.
func TestBatchUUIDIds(t *testing.T) {
	dir := t.TempDir()
	const text = `` +
		`{"environment":"production","source_request_id":"ae177935-54fd-4a0d-875d-02080755af67","user_identities":{"customer_id":"C1"},"events":[{"event_type":"custom_event","data":{"event_name":"a","timestamp_unixtime_ms":1777593600000,"source_message_id":"0c8f1d3a-9b2e-4f6a-8c1d-2e3f4a5b6c7d"}}]}` + "\n" +
		`{"environment":"production","source_request_id":"AE177935-54FD-4A0D-875D-02080755AF68","user_identities":{"customer_id":"C2"},"events":[{"event_type":"custom_event","data":{"event_name":"b","timestamp_unixtime_ms":1777593600001,"source_message_id":"{0c8f1d3a-9b2e-4f6a-8c1d-2e3f4a5b6c7e}"}}]}` + "\n" +
		`{"environment":"production","source_request_id":"r-3","user_identities":{"customer_id":"C3"},"events":[{"event_type":"custom_event","data":{"event_name":"c","timestamp_unixtime_ms":1777593600002,"source_message_id":"0c8f1d3a9b2e4f6a8c1d2e3f4a5b6c7f"}},{"event_type":"custom_event","data":{"event_name":"d","timestamp_unixtime_ms":1777593600003}}]}` + "\n"
	writeFile(t, dir, "in/a.ndjson", text)
	p := loadPipeline(t, dir, "version: 1\nname: p\nstate: ./s.duckdb\nidentity: { priority: [customerid] }\nfeeds:\n"+
		"  - { name: a, source: { kind: files, path: in/*.ndjson, format: batch }, source_type: sdk }\n")
	run := func() engine.FeedStats {
		t.Helper()
		res, err := (&Runner{Registry: builtin.Registry()}).Run(context.Background(), p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res.Stats.Feeds["a"]
	}
	if st := run(); st.Kept != 3 {
		t.Fatalf("first run kept %d batches, want 3", st.Kept)
	}
	want := []string{
		"a 0c8f1d3a-9b2e-4f6a-8c1d-2e3f4a5b6c7d ae177935-54fd-4a0d-875d-02080755af67",
		"b {0c8f1d3a-9b2e-4f6a-8c1d-2e3f4a5b6c7e} AE177935-54FD-4A0D-875D-02080755AF68",
		"c 0c8f1d3a9b2e4f6a8c1d2e3f4a5b6c7f r-3",
		"d r-3:1 r-3",
	}
	if diff := cmp.Diff(want, query(t, p, `SELECT event_name || ' ' || event_id || ' ' || batch_id FROM events ORDER BY event_name`)); diff != "" {
		t.Errorf("events view (-want +got):\n%s", diff)
	}
	// Only the canonical ones are stored as UUIDs (else the view above would
	// pass with every id kept as text).
	if diff := cmp.Diff([]string{"1 1 1 1"}, query(t, p, `SELECT count(event_uuid) || ' ' || count(batch_uuid) || ' ' ||
		(SELECT count(event_uuid) FROM _mosaic.feed_events) || ' ' || (SELECT count(batch_uuid) FROM _mosaic.feed_events) FROM _mosaic.events`)); diff != "" {
		t.Errorf("UUIDs stored: events' ids, batch ids, staged events' ids, batch ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1"}, query(t, p, `SELECT count(request_uuid) FROM _mosaic.feed_rows`)); diff != "" {
		t.Errorf("request ids stored as UUIDs (-want +got):\n%s", diff)
	}
	writeFile(t, dir, "in/b.ndjson", text)
	if st := run(); st.Kept != 0 || st.AlreadyIngested != 3 {
		t.Errorf("the same batches in another file: kept %d, already ingested %d; want 0 and 3", st.Kept, st.AlreadyIngested)
	}
}

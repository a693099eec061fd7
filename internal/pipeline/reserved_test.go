package pipeline

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestBatchAttributeNamedLikeCalculatedIsDropped: calculated attributes'
// names are reserved. A batch setting a user attribute of such a name keeps
// its batch and its other attributes, the value lands in dropped_rows as
// calculated_name, and profile_attributes holds the key once, calculated.
// (A columnar feed mapping such a name is a validation error: see
// internal/config's errors_calculated_test.go.)
func TestBatchAttributeNamedLikeCalculatedIsDropped(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "in/1.ndjson", `{"environment":"production","user_identities":{"customer_id":"u"},"timestamp_unixtime_ms":1777593600000,`+
		`"user_attributes":{"orders":99,"tier":"gold"},`+
		`"events":[{"event_type":"custom_event","data":{"event_name":"purchase","custom_event_type":"transaction","timestamp_unixtime_ms":1777593600000}}]}`+"\n")
	p := loadPipeline(t, dir, `version: 1
name: reserved
state: ./store.duckdb
identity: { priority: [customerid] }
feeds:
  - name: app
    source: { kind: files, path: in/*.ndjson, format: batch }
    source_type: sdk
calculated_attributes:
  - { name: orders, calculation: count, event: purchase }
`)
	res := run(t, p, Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if got := res.Stats.DroppedByReason["calculated_name"]; got != 1 {
		t.Errorf("dropped_by_reason.calculated_name = %d, want 1 (%v)", got, res.Stats.DroppedByReason)
	}
	if st := res.Stats.Feeds["app"]; st.Kept != 1 {
		t.Errorf("feed app kept %d batches, want 1 (only the attribute is dropped): %+v", st.Kept, st)
	}
	got := query(t, p, `SELECT key || '=' || CAST(value AS VARCHAR) || ' ' || source_type FROM profile_attributes ORDER BY ALL`)
	want := []string{"orders=1 calculated", `tier="gold" sdk`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("profile_attributes (-want +got):\n%s", diff)
	}
	got = query(t, p, `SELECT reason || ' ' || CAST("row"->'attribute' AS VARCHAR) || ' ' || CAST("row"->'value' AS VARCHAR) FROM dropped_rows ORDER BY ALL`)
	if diff := cmp.Diff([]string{`calculated_name "orders" 99`}, got); diff != "" {
		t.Errorf("dropped_rows (-want +got):\n%s", diff)
	}
}

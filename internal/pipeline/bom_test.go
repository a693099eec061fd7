package pipeline

import (
	"fmt"
	"testing"
	"time"
)

// TestByteOrderMarkIsSkipped: files that start with a UTF-8 byte-order mark,
// as Windows tools write them, lose nothing: the batch file's first batch
// and the NDJSON and CSV files' first rows are kept.
func TestByteOrderMarkIsSkipped(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	dir := t.TempDir()
	batch := `{"environment":"production","user_identities":{"customer_id":"B%d"},"timestamp_unixtime_ms":1777593600000}` + "\n"
	writeFile(t, dir, "batches/1.ndjson", bom+fmtLine(batch, 1)+fmtLine(batch, 2))
	writeFile(t, dir, "rows/1.ndjson", bom+`{"id":"N1","ts":"2026-05-01T00:00:00Z"}`+"\n"+`{"id":"N2","ts":"2026-05-01T00:00:00Z"}`+"\n")
	writeFile(t, dir, "rows/1.csv", bom+"id,ts\nC1,2026-05-01T00:00:00Z\nC2,2026-05-01T00:00:00Z\n")
	p := loadPipeline(t, dir, `version: 1
name: bom
state: ./store.duckdb
feeds:
  - { name: batches, source: { kind: files, path: batches/*.ndjson, format: batch }, source_type: sdk }
  - { name: ndjson, source: { kind: files, path: rows/*.ndjson }, source_type: sdk, timestamp: ts, identities: { id: customerid } }
  - { name: csv, source: { kind: files, path: rows/*.csv }, source_type: sdk, timestamp: ts, identities: { id: customerid } }
`)
	res := run(t, p, Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	for _, feed := range []string{"batches", "ndjson", "csv"} {
		if st := res.Stats.Feeds[feed]; st.Kept != 2 || st.Dropped != 0 {
			t.Errorf("feed %s kept %d and dropped %d rows, want 2 and 0: %+v", feed, st.Kept, st.Dropped, res.Stats.DroppedByReason)
		}
	}
}

// fmtLine is format with n.
func fmtLine(format string, n int) string {
	return fmt.Sprintf(format, n)
}

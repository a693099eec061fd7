package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDroppedBatchesKeepTheirText: a run stages a batch's raw text only
// where it may need it, and every batch dropped whole still lands in
// dropped_rows with its text: a source_request_id repeated in a later
// chunk of the file or in a later file, a batch whose only identity is
// blank (no_identity), and one whose only identity the blocklist takes.
func TestDroppedBatchesKeepTheirText(t *testing.T) {
	dir := t.TempDir()
	b := func(req, ids string) string {
		return fmt.Sprintf(`{"environment":"production","source_request_id":%q,"user_identities":{%s},"timestamp_unixtime_ms":1777593600000}`+"\n", req, ids)
	}
	var first strings.Builder
	for i := range 9000 { // three decoder chunks
		first.WriteString(b(fmt.Sprint("r", i), fmt.Sprintf(`"customer_id":"C%d"`, i)))
	}
	first.WriteString(b("r10", `"customer_id":"C10"`))               // repeated in a later chunk
	first.WriteString(b("blank", `"customer_id":" \u00a0\t "`))      // no_identity
	first.WriteString(b("blocked", `"email":"noreply@example.com"`)) // no_identity
	writeFile(t, dir, "b/1.ndjson", first.String())
	writeFile(t, dir, "b/2.ndjson", b("r20", `"customer_id":"C20"`)+b("r9000", `"customer_id":"C9000"`))
	p := loadPipeline(t, dir, `version: 1
name: text
identity: { blocklist: { email: ["^noreply@"] } }
feeds:
  - { name: b, source: { kind: files, path: b/*.ndjson, format: batch }, source_type: sdk }
`)
	if got := run(t, p, Options{}).Stats.Feeds["b"]; got.Kept != 9001 || got.Dropped != 4 {
		t.Fatalf("run: %+v, want 9001 kept, 4 dropped", got)
	}
	got := query(t, p, `SELECT reason || ' ' || ("row"->>'origin') || ' ' || coalesce(("row"->'batch'->>'source_request_id'), 'WITHOUT ITS TEXT')
		FROM dropped_rows ORDER BY ALL`)
	want := []string{
		"duplicate_batch b/1.ndjson:9001 r10",
		"duplicate_batch b/2.ndjson:1 r20",
		"no_identity b/1.ndjson:9002 blank",
		"no_identity b/1.ndjson:9003 blocked",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dropped batches (-want +got):\n%s", diff)
	}
}

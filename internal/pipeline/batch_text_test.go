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
// blank (no_identity), and one whose only identity the blocklist takes;
// with an events output too (every batch's text, feed_batches).
func TestDroppedBatchesKeepTheirText(t *testing.T) {
	t.Setenv("TEXT_TEST_KEY", "k")
	t.Setenv("TEXT_TEST_SECRET", "s")
	for _, tc := range []struct{ name, outputs string }{
		{"no outputs", ""},
		{"events output", "outputs:\n  - { name: fwd, kind: mparticle, send: events, url: 'http://127.0.0.1:9', key_env: TEXT_TEST_KEY, secret_env: TEXT_TEST_SECRET }\n"},
	} {
		t.Run(tc.name, func(t *testing.T) { droppedBatchesKeepTheirText(t, tc.outputs) })
	}
}

func droppedBatchesKeepTheirText(t *testing.T, outputs string) {
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
`+outputs)
	if got := run(t, p, Options{NoSync: true}).Stats.Feeds["b"]; got.Kept != 9001 || got.Dropped != 4 {
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
	texts := query(t, p, "SELECT count(*) FROM _mosaic.feed_batches")
	if want := map[bool]string{false: "0", true: "9001"}[outputs != ""]; texts[0] != want {
		t.Errorf("%s kept batches' texts, want %s", texts[0], want)
	}
}

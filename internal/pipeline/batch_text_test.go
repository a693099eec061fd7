package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/engine"
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

// TestUsableIdentityAgreesWithStaging holds engine.UsableIdentity, which
// tells a source which batches may be dropped as no_identity, to what
// staging does: for each value, a batch without mpid carrying only that
// identity is kept exactly when the test calls it usable (ASCII values),
// and no other value is called usable.
func TestUsableIdentityAgreesWithStaging(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ typ, value string }{
		{"customer_id", "c1"}, {"customer_id", "  c2 \t"}, {"customer_id", "\r\n"}, {"customer_id", "\f c3\f"},
		{"customer_id", "0000"}, {"customer_id", "00a0"}, {"customer_id", "null"}, {"customer_id", "NULL"},
		{"email", "Test@x.com"}, {"email", " test@x.com"}, {"email", "tester@x.com"}, {"email", "x@test.com"},
		{"email", "TEST@x.com"}, {"other", "anonymous"}, {"other", "anonymous2"}, {"other", "ANONYMOUS"},
		{"customer_id", strings.Repeat("a", 1024)}, {"customer_id", strings.Repeat("a", 1025)},
		{"customer_id", " " + strings.Repeat("a", 1024) + " "}, {"customer_id", "\u00a0c4\u00a0"}, {"customer_id", "josé"},
		{"customer_id", "\u00a0"}, {"email", "ÉMILE@x.com"}, {"customer_id", "\f"}, {"customer_id", " \f0\f "}, {"customer_id", "\v"},
	}
	var lines strings.Builder
	for i, c := range cases {
		fmt.Fprintf(&lines, `{"environment":"production","source_request_id":"r%d","user_identities":{%q:%q}}`+"\n", i, c.typ, c.value)
	}
	writeFile(t, dir, "b.ndjson", lines.String())
	p := loadPipeline(t, dir, `version: 1
name: usable
identity:
  blocklist:
    email: ["^test@"]
    "*": ["^0+$", "^null$", "^anonymous$"]
feeds:
  - { name: b, source: { kind: files, path: b.ndjson, format: batch }, source_type: sdk }
`)
	run(t, p, Options{})
	kept := map[string]bool{}
	for _, r := range query(t, p, `SELECT request_id FROM _mosaic.feed_rows`) {
		kept[r] = true
	}
	usable := engine.UsableIdentity(p)
	typ := map[string]string{"customer_id": "customerid", "email": "email", "other": "other"}
	for i, c := range cases {
		got, ascii := usable(typ[c.typ], c.value), !strings.ContainsFunc(c.value, func(r rune) bool { return r > 127 })
		if k := kept[fmt.Sprint("r", i)]; got && !k || ascii && got != k {
			t.Errorf("%s %q: usable %v, kept by staging %v", c.typ, c.value, got, k)
		}
	}
}

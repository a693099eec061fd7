package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBatchFileAcrossChunks: a batch file longer than a decoder's chunk
// (16,384 lines: connectors/files/decode.go) is staged in file order, each batch with its own line,
// and its malformed lines (on both sides of chunk boundaries, the first
// and the last) are dropped with theirs; a blank line is skipped; a line
// longer than the reader's buffer (1 MiB) is one line, dropped as too
// large.
func TestBatchFileAcrossChunks(t *testing.T) {
	const chunk = 16384
	const n = 2*chunk + 808
	bad := map[int]bool{1: true, chunk: true, chunk + 1: true, 2*chunk + 1: true, n: true}
	const long = chunk + 2
	var b strings.Builder
	for line := 1; line <= n; line++ {
		switch {
		case bad[line]:
			b.WriteString(`{"environment":"production",` + "\n")
		case line == long:
			b.WriteString(`{"environment":"production","user_attributes":{"a":"` + strings.Repeat("x", 3<<19) + `"}}` + "\n")
		case line == 5000:
			b.WriteString("  \n")
		default:
			fmt.Fprintf(&b, `{"environment":"production","user_identities":{"customer_id":"C%d"},"timestamp_unixtime_ms":1780228800000}`+"\n", line)
		}
	}
	dir := t.TempDir()
	writeFile(t, dir, "in/a.ndjson", b.String())
	p := loadPipeline(t, dir, "version: 1\nname: p\nstate: ./s.duckdb\nidentity: { priority: [customerid] }\nfeeds:\n"+
		"  - { name: a, source: { kind: files, path: in/a.ndjson, format: batch }, source_type: sdk }\n")
	res := run(t, p, Options{})
	if st := res.Stats.Feeds["a"]; st.Read != n-1 || st.Kept != n-1-6 || st.Dropped != 6 {
		t.Errorf("stats %+v, want %d read, %d kept, 6 dropped", st, n-1, n-7)
	}
	got := query(t, p, `SELECT string_agg(CAST("row"->>'$.line' AS VARCHAR), ' ' ORDER BY CAST("row"->>'$.line' AS INT)) FROM dropped_rows`)
	if want := fmt.Sprint(1, chunk, chunk+1, long, 2*chunk+1, n); got[0] != want {
		t.Errorf("dropped lines %s, want %s", got[0], want)
	}
	// Kept batches in file order: each row's origin names the line its
	// identity came from, and rows rank by position as by line.
	got = query(t, p, `SELECT count(*) FILTER (WHERE origin <> 'in/a.ndjson:' || substr(identity_value, 2) OR by_pos <> by_line) || ' ' || count(*)
		FROM (SELECT r.origin, i.identity_value, row_number() OVER (ORDER BY r.row_pos) AS by_pos,
		             row_number() OVER (ORDER BY CAST(split_part(r.origin, ':', 2) AS INT)) AS by_line
		      FROM _mosaic.feed_rows r JOIN _mosaic.feed_identities i USING (row_id))`)
	if diff := cmp.Diff([]string{fmt.Sprintf("0 %d", n-7)}, got); diff != "" {
		t.Errorf("rows out of place, of all (-want +got):\n%s", diff)
	}
}

package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
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

// TestBatchReadKeptInChunks: a batch feed read in chunks (one a record of
// the decoder's, here; 8,388,608 batches by default) keeps what a read
// kept in one go keeps, drops the same batches for the same reasons and
// counts the same: a batch repeated from an earlier chunk (kept there, or
// dropped for want of an identity) is a duplicate.
func TestBatchReadKeptInChunks(t *testing.T) {
	t.Run("text ids", func(t *testing.T) { testBatchReadKeptInChunks(t, "r%d", "none") })
	t.Run("UUID ids", func(t *testing.T) {
		testBatchReadKeptInChunks(t, "0c8f1d3a-9b2e-4f6a-8c1d-%012d", "0c8f1d3a-9b2e-4f6a-8c1d-ffffffffffff")
	})
}

// testBatchReadKeptInChunks is TestBatchReadKeptInChunks with request ids
// written by format from a batch's line, none the id of those with no
// identity.
func testBatchReadKeptInChunks(t *testing.T, format, none string) {
	const n = 2*16384 + 4000
	line := func(i int) string {
		return fmt.Sprintf(`{"environment":"production","source_request_id":"`+format+`","user_identities":{"customer_id":"C%d"},"timestamp_unixtime_ms":%d}`+"\n", i, i%7000, 1777593600000+i)
	}
	noIdentity := `{"environment":"production","source_request_id":"` + none + `","timestamp_unixtime_ms":1777593600000}` + "\n"
	copyOf := map[int]int{20000: 5, 20001: 5, 36000: 20, 100: 99} // a repeat in a later chunk, twice; two chunks later; in the same chunk
	var a strings.Builder
	for i := 1; i <= n; i++ {
		switch {
		case i == 3 || i == 17000: // the second in the next chunk
			a.WriteString(noIdentity)
		case copyOf[i] != 0:
			a.WriteString(line(copyOf[i]))
		default:
			a.WriteString(line(i))
		}
	}
	b := line(7) + line(n+1) + line(36000) // a repeat in the next file; a new batch; the copy of line 20's place
	dump := func(chunk int64) []string {
		dir := t.TempDir()
		writeFile(t, dir, "in/a.ndjson", a.String())
		writeFile(t, dir, "in/b.ndjson", b)
		p := loadPipeline(t, dir, "version: 1\nname: p\nstate: ./s.duckdb\nidentity: { priority: [customerid] }\nfeeds:\n"+
			"  - { name: a, source: { kind: files, path: in/*.ndjson, format: batch }, source_type: sdk }\n")
		if _, err := (&Runner{Registry: builtin.Registry(), BatchChunk: chunk}).Run(context.Background(), p, Options{}); err != nil {
			t.Fatal(err)
		}
		return query(t, p, `SELECT 'run ' || run_id || ': ' || (stats->'feeds'->'a') FROM runs
			UNION ALL SELECT 'dropped: ' || string_agg(reason || ' ' || ("row"->>'origin'), ', ' ORDER BY "row"->>'origin') FROM dropped_rows
			UNION ALL SELECT 'profiles ' || count(*) FROM profiles
			UNION ALL SELECT 'rows ' || count(*) || ' ' || count(DISTINCT coalesce(request_id, CAST(request_uuid AS VARCHAR))) FROM _mosaic.feed_rows ORDER BY 1`)
	}
	whole, chunked := dump(0), dump(1)
	if diff := cmp.Diff(whole, chunked); diff != "" {
		t.Errorf("kept in chunks (-in one go +in chunks):\n%s", diff)
	}
	want := []string{
		"dropped: duplicate_batch in/a.ndjson:100, duplicate_batch in/a.ndjson:17000, duplicate_batch in/a.ndjson:20000, " +
			"duplicate_batch in/a.ndjson:20001, no_identity in/a.ndjson:3, duplicate_batch in/a.ndjson:36000, duplicate_batch in/b.ndjson:1",
		fmt.Sprintf("rows %d %d", n+3-7, n+3-7),
	}
	for _, w := range want {
		if !slices.Contains(whole, w) {
			t.Errorf("got %q, want %q among them", whole, w)
		}
	}
}

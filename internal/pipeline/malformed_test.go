package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMalformedRowsAreDroppedWithReasons feeds 1,000 malformed CSV and
// NDJSON rows of many kinds between good ones: each lands in dropped_rows
// with its own reason, and the good rows are all kept.
func TestMalformedRowsAreDroppedWithReasons(t *testing.T) {
	dir := t.TempDir()
	want := map[string]int{}
	good := 0
	var csvA, ndjson strings.Builder
	csvA.WriteString("id,email,ts,mpid\n")
	// 100 rounds of 8 malformed CSV and NDJSON kinds with good rows between.
	for i := range 100 {
		fmt.Fprintf(&csvA, "C%d,u%d@x.com,2026-05-01T00:00:00Z,\n", i, i)
		fmt.Fprintf(&csvA, "C%d,u%d@x.com,2026-05-01T00:00:00Z,,surplus\n", i, i)
		fmt.Fprintf(&csvA, "C%d\n", i)
		fmt.Fprintf(&csvA, "C%d,u%d@x.com,not a time,\n", i, i)
		fmt.Fprintf(&csvA, "C%d,u%d@x.com,,\n", i, i)
		fmt.Fprintf(&csvA, ",,2026-05-01T00:00:00Z,\n")
		fmt.Fprintf(&csvA, "C%d,u%d@x.com,2026-05-01T00:00:00Z,12abc\n", i, i)
		fmt.Fprintf(&csvA, "C%d,anonymous,2026-05-01T00:00:00Z,\n", i)                           // kept, one identity blocklisted
		fmt.Fprintf(&csvA, "C%d,%s@x.com,2026-05-01T00:00:00Z,\n", i, strings.Repeat("x", 1100)) // kept, one identity too long
		good += 3
		want["identity_too_long"]++
		want["csv_too_many_columns"]++
		want["csv_missing_columns"]++
		want["invalid_timestamp"]++
		want["missing_timestamp"]++
		want["no_identity"]++
		want["invalid_mpid"]++
		want["blocklisted"]++

		fmt.Fprintf(&ndjson, `{"id":"N%d","email":"n%d@x.com","ts":1777593600000}`+"\n", i, i)
		fmt.Fprintf(&ndjson, `{"id":"N%d","email":`+"\n", i)
		fmt.Fprintf(&ndjson, `["N%d"]`+"\n", i)
		fmt.Fprintf(&ndjson, `{"id":"N%d","ts":"31/12/2026"}`+"\n", i)
		fmt.Fprintf(&ndjson, `{"id":"N%d"}`+"\n", i)
		fmt.Fprintf(&ndjson, `{"id":"  ","email":null,"ts":"2026-05-01T00:00:00Z"}`+"\n")
		fmt.Fprintf(&ndjson, `{"id":"N%d","ts":"2026-05-01T00:00:00Z","mpid":"x"}`+"\n", i)
		good++
		want["invalid_json"]++
		want["json_not_object"]++
		want["invalid_timestamp"]++
		want["missing_timestamp"]++
		want["no_identity"]++
		want["invalid_mpid"]++
	}
	writeFile(t, dir, "in/a.csv", csvA.String())
	// Invalid UTF-8, and a quote left open (which swallows the rest of its file).
	writeFile(t, dir, "in/b.csv", "id,email,ts,mpid\nB1,b1@x.com,2026-05-01T00:00:00Z,\nB2,b\xff\xfe@x.com,2026-05-01T00:00:00Z,\nB3,\"b3@x.com,2026-05-01T00:00:00Z,\n")
	good++
	want["csv_invalid_encoding"]++
	want["csv_unquoted_value"]++
	ndjson.WriteString("{\"id\":\"N\xff\xfe\",\"ts\":\"2026-05-01T00:00:00Z\"}\n") // invalid UTF-8
	want["ndjson_invalid_encoding"]++
	writeFile(t, dir, "in/c.ndjson", ndjson.String())

	p := loadPipeline(t, dir, `version: 1
name: malformed
identity: { blocklist: { "*": ["^anonymous$"] } }
feeds:
  - name: csv
    source: { kind: files, path: in/*.csv }
    source_type: csv
    timestamp: ts
    mpid: mpid
    identities: { id: customerid, email: email }
  - name: json
    source: { kind: files, path: in/*.ndjson }
    source_type: sdk
    timestamp: ts
    mpid: mpid
    identities: { id: customerid, email: email }
`)
	res := run(t, p, Options{})

	got := map[string]int{}
	for _, line := range query(t, p, "SELECT reason || '=' || count(*) FROM dropped_rows GROUP BY reason") {
		var reason string
		var n int
		fmt.Sscanf(strings.Replace(line, "=", " ", 1), "%s %d", &reason, &n)
		got[reason] = n
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dropped rows by reason (-want +got):\n%s", diff)
	}
	malformed := 0
	for r, n := range want {
		if r != "blocklisted" && r != "identity_too_long" {
			malformed += n
		}
	}
	if malformed < 1000 || len(want) < 10 {
		t.Fatalf("the test feeds %d malformed rows of %d kinds; it must feed at least 1,000 of 8", malformed, len(want)-2)
	}
	if kept := query(t, p, "SELECT count(*) FROM _mosaic.feed_rows"); kept[0] != fmt.Sprint(good) {
		t.Errorf("kept rows = %s, want %d", kept[0], good)
	}
	st := res.Stats.Feeds["csv"]
	if st.Kept+st.Dropped != st.Read {
		t.Errorf("feed stats do not add up: %+v", st)
	}
	wantStats := map[string]int64{}
	for r, n := range want {
		wantStats[r] = int64(n)
	}
	if diff := cmp.Diff(wantStats, res.Stats.DroppedByReason); diff != "" {
		t.Errorf("run stats dropped_by_reason (-want +got):\n%s", diff)
	}
	// A CSV reject names its file and line.
	line := query(t, p, `SELECT "row"->>'file' || ':' || ("row"->>'line') FROM dropped_rows WHERE reason = 'csv_invalid_encoding'`)
	if diff := cmp.Diff([]string{"in/b.csv:3"}, line); diff != "" {
		t.Errorf("invalid encoding origin (-want +got):\n%s", diff)
	}
}

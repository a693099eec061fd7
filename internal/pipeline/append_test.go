package pipeline

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// appendFile appends content to dir/name.
func appendFile(t *testing.T, dir, name, content string) {
	t.Helper()
	fh, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, err := fh.WriteString(content); err != nil {
		t.Fatal(err)
	}
}

// touchLater moves a file's modification time a minute on, so that a
// rewrite of the same size is seen as a change.
func touchLater(t *testing.T, dir, name string) {
	t.Helper()
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(dir, name), later, later); err != nil {
		t.Fatal(err)
	}
}

const appendPipeline = `version: 1
name: app
feeds:
  - { name: rows, source: { kind: files, path: rows.ndjson }, source_type: sdk, timestamp: ts, identities: { id: customerid } }
  - { name: table, source: { kind: files, path: table.csv }, source_type: warehouse, timestamp: ts, identities: { id: customerid } }
`

const (
	n1 = `{"id":"N1","ts":"2026-05-01T00:00:00Z"}` + "\n"
	n2 = `{"id":"N2","ts":"2026-05-02T00:00:00Z"}` + "\n"
	n3 = `{"id":"N3","ts":"2026-05-03T00:00:00Z"}` + "\n"
	x2 = `{"id":"X2","ts":"2026-05-02T00:00:00Z"}` + "\n" // n2's size
)

// dropped lists the dropped rows as "feed reason line", in order.
func dropped(t *testing.T, p *config.Pipeline) []string {
	t.Helper()
	return query(t, p,
		`SELECT feed || ' ' || reason || ' ' || coalesce(json_extract_string("row", '$.line'), '-') FROM _mosaic.dropped_rows ORDER BY run_id, feed, 1`)
}

// TestAppendedFileReadsOnlyItsNewLines: a line file that grew is read from
// where the last read ended, with its line numbers; a CSV's header is
// still known.
func TestAppendedFileReadsOnlyItsNewLines(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rows.ndjson", n1+n2)
	writeFile(t, dir, "table.csv", "id,ts\nC1,2026-05-01T00:00:00Z\n")
	p := loadPipeline(t, dir, appendPipeline)
	if first := run(t, p, Options{}); first.Stats.Feeds["rows"].Kept != 2 || first.Stats.Feeds["table"].Kept != 1 {
		t.Fatalf("first run: %+v", first.Stats.Feeds)
	}

	appendFile(t, dir, "rows.ndjson", "not json\n"+n3)
	appendFile(t, dir, "table.csv", "C2,2026-05-02T00:00:00Z\nC3,2026-05-03T00:00:00Z,extra\n")
	second := run(t, p, Options{})
	if got := second.Stats.Feeds["rows"]; got.Read != 2 || got.Kept != 1 || got.Dropped != 1 {
		t.Errorf("appended NDJSON: %+v, want 2 read (the new lines), 1 kept, 1 dropped", got)
	}
	if got := second.Stats.Feeds["table"]; got.Read != 2 || got.Kept != 1 || got.Dropped != 1 {
		t.Errorf("appended CSV: %+v, want 2 read, 1 kept, 1 dropped", got)
	}
	if diff := cmp.Diff([]string{"rows invalid_json 3", "table csv_too_many_columns 4"}, dropped(t, p)); diff != "" {
		t.Errorf("dropped rows (-want +got), lines are the files' own:\n%s", diff)
	}
	origins := query(t, p, "SELECT origin FROM _mosaic.feed_rows ORDER BY origin")
	if diff := cmp.Diff([]string{"rows.ndjson:1", "rows.ndjson:2", "rows.ndjson:4", "table.csv", "table.csv"}, origins); diff != "" {
		t.Errorf("staged rows (-want +got): each once, with its line:\n%s", diff)
	}
	if third := run(t, p, Options{}); third.Stats.Feeds["rows"].Read != 0 || third.Stats.Feeds["table"].Read != 0 {
		t.Errorf("unchanged files read again: %+v", third.Stats.Feeds)
	}
}

// TestChangedFileIsReadWhole: a file changed in place (same size, or
// larger with another beginning) or truncated is read whole.
func TestChangedFileIsReadWhole(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rows.ndjson", n1+n2)
	writeFile(t, dir, "table.csv", "id,ts\nC1,2026-05-01T00:00:00Z\nC2,2026-05-02T00:00:00Z\n")
	p := loadPipeline(t, dir, appendPipeline)
	run(t, p, Options{})

	steps := []struct {
		name, content string
		want          int64
	}{
		{"same size, changed", n1 + x2, 2},
		{"larger, beginning changed", x2 + n2 + n3, 3},
		{"truncated", n1, 1},
		{"grew again", n1 + n3, 1}, // only the new line
	}
	for _, s := range steps {
		writeFile(t, dir, "rows.ndjson", s.content)
		touchLater(t, dir, "rows.ndjson")
		if got := run(t, p, Options{}).Stats.Feeds["rows"]; got.Read != s.want || got.Dropped != 0 {
			t.Errorf("%s: read %d rows (dropped %d), want %d", s.name, got.Read, got.Dropped, s.want)
		}
	}
	writeFile(t, dir, "table.csv", "id,ts\nC9,2026-05-01T00:00:00Z\nC2,2026-05-02T00:00:00Z\nC3,2026-05-03T00:00:00Z\n")
	if got := run(t, p, Options{}).Stats.Feeds["table"]; got.Read != 3 {
		t.Errorf("CSV changed in place and grown: read %d rows, want 3 (whole)", got.Read)
	}
}

// TestUnterminatedLastLine: a last line without its newline is read once,
// whole: an NDJSON line cut short waits for the rest; one that is whole
// JSON is read at once; a CSV line waits until the file stays unchanged
// for a run.
func TestUnterminatedLastLine(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rows.ndjson", n1+`{"id":"N2","ts":`)
	writeFile(t, dir, "table.csv", "id,ts\nC1,2026-05-01T00:00:00Z\nC2,2026-05")
	p := loadPipeline(t, dir, appendPipeline)
	first := run(t, p, Options{})
	if got := first.Stats.Feeds["rows"]; got.Read != 1 || got.Dropped != 0 {
		t.Errorf("first run, NDJSON: %+v, want 1 read, none dropped", got)
	}
	if got := first.Stats.Feeds["table"]; got.Read != 1 || got.Dropped != 0 {
		t.Errorf("first run, CSV: %+v, want 1 read, none dropped", got)
	}

	appendFile(t, dir, "rows.ndjson", `"2026-05-02T00:00:00Z"}`+"\n"+`{"id":"N3","ts":"2026-05-03T00:00:00Z"}`)
	appendFile(t, dir, "table.csv", "-02T00:00:00Z\nC3,2026-05-03T00:00:00Z")
	second := run(t, p, Options{})
	if got := second.Stats.Feeds["rows"]; got.Read != 2 || got.Kept != 2 {
		t.Errorf("second run, NDJSON: %+v, want N2 whole and N3 (whole JSON, unterminated)", got)
	}
	if got := second.Stats.Feeds["table"]; got.Read != 1 || got.Kept != 1 {
		t.Errorf("second run, CSV: %+v, want C2 only", got)
	}
	third := run(t, p, Options{}) // nothing changed: the CSV's last line is done
	if got := third.Stats.Feeds["table"]; got.Read != 1 || third.Stats.Feeds["rows"].Read != 0 {
		t.Errorf("third run: %+v, want C3 only", third.Stats.Feeds)
	}
	appendFile(t, dir, "rows.ndjson", "\n"+`{"id":"N4","ts":"2026-05-04T00:00:00Z"}`+"\n")
	appendFile(t, dir, "table.csv", "\nC4,2026-05-04T00:00:00Z\n")
	fourth := run(t, p, Options{})
	if fourth.Stats.Feeds["rows"].Read != 1 || fourth.Stats.Feeds["table"].Read != 1 {
		t.Errorf("fourth run: %+v, want N4 and C4 only", fourth.Stats.Feeds)
	}
	if d := dropped(t, p); len(d) != 0 {
		t.Errorf("dropped rows: %v, want none", d)
	}
	origins := query(t, p, "SELECT origin FROM _mosaic.feed_rows WHERE feed = 'rows' ORDER BY origin")
	if diff := cmp.Diff([]string{"rows.ndjson:1", "rows.ndjson:2", "rows.ndjson:3", "rows.ndjson:4"}, origins); diff != "" {
		t.Errorf("NDJSON rows (-want +got):\n%s", diff)
	}
	ids := query(t, p, "SELECT string_agg(identity_value, ',' ORDER BY identity_value) FROM _mosaic.feed_identities")
	if ids[0] != "C1,C2,C3,C4,N1,N2,N3,N4" {
		t.Errorf("identities %s, want each row once, whole", ids[0])
	}
}

// TestBatchesReadAgainAreCountedNotDropped: batches whose source_request_id
// a past run kept are counted as already ingested, not dropped; one
// repeated within the new data is a duplicate_batch drop; an appended batch
// file reads only its new lines.
func TestBatchesReadAgainAreCountedNotDropped(t *testing.T) {
	dir := t.TempDir()
	b := func(req, id string) string {
		return `{"environment":"production","source_request_id":"` + req + `","user_identities":{"customer_id":"` + id + `"},"timestamp_unixtime_ms":1777593600000}` + "\n"
	}
	writeFile(t, dir, "b.ndjson", b("r1", "B1")+b("r2", "B2")+b("r3", "B3"))
	p := loadPipeline(t, dir, `version: 1
name: batches
feeds:
  - { name: batches, source: { kind: files, path: b.ndjson, format: batch }, source_type: sdk }
`)
	if got := run(t, p, Options{}).Stats.Feeds["batches"]; got.Kept != 3 {
		t.Fatalf("first run: %+v", got)
	}
	// Changed in place: read whole.
	writeFile(t, dir, "b.ndjson", b("r1", "B9")+b("r2", "B2")+b("r3", "B3")+b("r4", "B4")+b("r4", "B4"))
	got := run(t, p, Options{}).Stats.Feeds["batches"]
	if got.Read != 5 || got.AlreadyIngested != 3 || got.Kept != 1 || got.Dropped != 1 {
		t.Errorf("re-read: %+v, want 5 read, 3 already ingested, 1 kept, 1 dropped", got)
	}
	appendFile(t, dir, "b.ndjson", b("r5", "B5")+"{\n")
	got = run(t, p, Options{}).Stats.Feeds["batches"]
	if got.Read != 2 || got.AlreadyIngested != 0 || got.Kept != 1 || got.Dropped != 1 {
		t.Errorf("appended: %+v, want 2 read, 1 kept, 1 dropped", got)
	}
	if diff := cmp.Diff([]string{"batches duplicate_batch -", "batches invalid_json 7"}, dropped(t, p)); diff != "" {
		t.Errorf("dropped rows (-want +got):\n%s", diff)
	}
}

// TestUnterminatedBatchLine: a `format: batch` file, whose read state is
// hashed beside its read, continues like the other line files: a cut last
// batch waits for its rest, a whole one without its newline is read, and
// the line after it is numbered on.
func TestUnterminatedBatchLine(t *testing.T) {
	dir := t.TempDir()
	batch := func(id string) string {
		return `{"environment":"production","user_identities":{"customerid":"` + id + `"}}`
	}
	writeFile(t, dir, "b.ndjson", batch("B1")+"\n"+batch("B2")[:40])
	p := loadPipeline(t, dir, `version: 1
name: app
feeds:
  - { name: b, source: { kind: files, path: b.ndjson, format: batch }, source_type: events_api }
`)
	reads := []int64{}
	step := func(appended string) {
		if appended != "" {
			appendFile(t, dir, "b.ndjson", appended)
		}
		reads = append(reads, run(t, p, Options{}).Stats.Feeds["b"].Read)
	}
	step("")
	step(batch("B2")[40:] + "\n" + batch("B3"))
	step("")
	step("\n" + batch("B4") + "\n")
	if diff := cmp.Diff([]int64{1, 2, 0, 1}, reads); diff != "" {
		t.Errorf("batches read per run (-want +got):\n%s", diff)
	}
	if d := dropped(t, p); len(d) != 0 {
		t.Errorf("dropped rows: %v, want none", d)
	}
	origins := query(t, p, "SELECT origin || ' ' || identity_value FROM _mosaic.feed_rows JOIN _mosaic.feed_identities USING (row_id) ORDER BY origin")
	if diff := cmp.Diff([]string{"b.ndjson:1 B1", "b.ndjson:2 B2", "b.ndjson:3 B3", "b.ndjson:4 B4"}, origins); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
}

// TestHeldBackLineWarnsOncePerHold: a file that keeps growing without a
// final newline holds its last line back at every run, which is no news
// after the first: the run that starts holding one back warns (in the
// feed's stats and the run's), the runs after it while the file grows
// without one do not, and a run that holds one back again after a run
// read the file to its end warns again.
func TestHeldBackLineWarnsOncePerHold(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rows.ndjson", n1)
	writeFile(t, dir, "table.csv", "id,ts\nC1,2026-05-01T00:00:00Z\nC2,2026-05")
	p := loadPipeline(t, dir, appendPipeline)
	const held = "table.csv: line 3 has no newline at its end: held back until it has one, or until a run finds the file unchanged"
	type got struct {
		Read     int64
		Warnings []string
	}
	step := func(name, appended string, want got) {
		t.Helper()
		if appended != "" {
			appendFile(t, dir, "table.csv", appended)
		}
		res := run(t, p, Options{})
		st := res.Stats.Feeds["table"]
		g := got{Read: st.Read, Warnings: st.Warnings}
		for i, w := range g.Warnings { // the message's start is the point
			if len(w) > len(held) {
				g.Warnings[i] = w[:len(held)]
			}
		}
		if diff := cmp.Diff(want, g); diff != "" {
			t.Errorf("%s: the table feed (-want +got):\n%s", name, diff)
		}
		if n := len(res.Stats.Warnings); n != len(want.Warnings) {
			t.Errorf("%s: the run's warnings are %q, want the feed's %d", name, res.Stats.Warnings, len(want.Warnings))
		}
	}
	step("first run", "", got{Read: 1, Warnings: []string{held}})
	// C2 ends, C3 is being written: held back again, said already.
	step("grown, still no final newline", "-02T00:00:00Z\nC3,2026-05", got{Read: 1})
	step("grown again", "-03T00:00:00Z\nC4,2026", got{Read: 1})
	step("ends with a newline", "-05-04T00:00:00Z\n", got{Read: 1})
	// A new line held back after the file was read to its end: news.
	step("held back again", "C5,2026-05-05T00:00:00Z\nC6,2026-05", got{Read: 1, Warnings: []string{
		"table.csv: line 7 has no newline at its end: held back until it has one, or until a run finds the file unchanged"}})
	step("unchanged: read", "", got{Read: 1})
}

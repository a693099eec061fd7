package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

const twoFeeds = `version: 1
name: inc
feeds:
  - name: crm
    source: { kind: files, path: crm/*.csv }
    source_type: warehouse
    timestamp: updated_at
    cursor: updated_at
    identities: { id: customerid }
    attributes: { tier: tier }
  - name: web
    source: { kind: files, path: web/*.ndjson }
    source_type: sdk
    timestamp: ts
    identities: { cookie: device_application_stamp }
`

func TestFilesAreReadOnceAndFullRefreshRereads(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "crm/1.csv", "id,tier,updated_at\nC1,gold,2026-05-01T00:00:00Z\nC2,silver,2026-05-02T00:00:00Z\n")
	writeFile(t, dir, "web/1.ndjson", `{"cookie":"k1","ts":"2026-05-01T00:00:00Z"}`+"\n")
	p := loadPipeline(t, dir, twoFeeds)

	first := run(t, p, Options{})
	if first.Stats.Feeds["crm"].Kept != 2 || first.Stats.Feeds["web"].Kept != 1 {
		t.Fatalf("first run kept %+v", first.Stats.Feeds)
	}
	if second := run(t, p, Options{}); second.Stats.Feeds["crm"].Read != 0 || second.Stats.Feeds["web"].Read != 0 {
		t.Fatalf("second run re-read files: %+v", second.Stats.Feeds)
	}

	// A new file is read; its row at or below the watermark is skipped.
	writeFile(t, dir, "crm/2.csv", "id,tier,updated_at\nC3,gold,2026-05-03T00:00:00Z\nC1,bronze,2026-04-01T00:00:00Z\n")
	third := run(t, p, Options{})
	if diff := cmp.Diff(engine.FeedStats{Read: 2, Kept: 1, Seen: 1, Watermark: "2026-05-03T00:00:00Z"}, third.Stats.Feeds["crm"]); diff != "" {
		t.Errorf("third run crm (-want +got):\n%s", diff)
	}
	// A file that grew is read from where the last read ended.
	later := time.Now().Add(time.Minute)
	writeFile(t, dir, "web/1.ndjson", `{"cookie":"k1","ts":"2026-05-01T00:00:00Z"}`+"\n"+`{"cookie":"k2","ts":"2026-05-04T00:00:00Z"}`+"\n")
	os.Chtimes(filepath.Join(dir, "web/1.ndjson"), later, later)
	if fourth := run(t, p, Options{}); fourth.Stats.Feeds["web"].Read != 1 {
		t.Errorf("appended file: read %d rows, want 1 (the new line)", fourth.Stats.Feeds["web"].Read)
	}
	if got := query(t, p, "SELECT count(*) FROM _mosaic.feed_rows"); got[0] != "5" {
		t.Fatalf("rows before full refresh = %s, want 5", got[0])
	}

	full := run(t, p, Options{FullRefresh: true})
	if full.Stats.Feeds["crm"].Kept != 4 || full.Stats.Feeds["web"].Kept != 2 {
		t.Errorf("full refresh kept %+v", full.Stats.Feeds)
	}
	if got := query(t, p, "SELECT count(*) FROM _mosaic.feed_rows"); got[0] != "6" {
		t.Errorf("rows after full refresh = %s, want 6 (4 crm + 2 web, nothing twice)", got[0])
	}
	runs := query(t, p, "SELECT run_id || ' ' || status FROM runs ORDER BY run_id")
	if diff := cmp.Diff([]string{"1 succeeded", "2 succeeded", "3 succeeded", "4 succeeded", "5 succeeded"}, runs); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
}

// TestFullRefreshRecomputesCalculated: a full refresh re-reads the events
// and forgets the calculated values built from them, so a count is the
// number of events, not the old count plus the events read again.
func TestFullRefreshRecomputesCalculated(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "web/1.csv", "cookie,event,ts\nk1,page_view,2026-05-01T00:00:00Z\nk1,page_view,2026-05-02T00:00:00Z\n")
	p := loadPipeline(t, dir, `version: 1
name: calc
feeds:
  - name: web
    source: { kind: files, path: web/*.csv }
    source_type: sdk
    timestamp: ts
    identities: { cookie: device_application_stamp }
    event_name: event
calculated_attributes:
  - { name: views, calculation: count, event: page_view }
`)
	const views = "SELECT CAST(value AS VARCHAR) FROM profile_attributes WHERE key = 'views'"
	run(t, p, Options{})
	if got := query(t, p, views); len(got) != 1 || got[0] != "2" {
		t.Fatalf("views after the first run = %v, want [2]", got)
	}
	run(t, p, Options{FullRefresh: true})
	if got := query(t, p, views); len(got) != 1 || got[0] != "2" {
		t.Errorf("views after a full refresh = %v, want [2]", got)
	}
}

// publicViews returns every public view's rows (and the private staged
// rows and source state), sorted, as JSON text.
func publicViews(t *testing.T, state string) map[string][]string {
	t.Helper()
	views := []string{"profiles", "profile_identities", "profile_attributes", "profile_aliases", "events",
		"audience_members", "audience_history", "dropped_rows"}
	out := map[string][]string{}
	for _, v := range views {
		out[v] = queryState(t, state, "SELECT CAST(to_json(t) AS VARCHAR) FROM "+v+" t ORDER BY ALL")
	}
	out["feed_rows"] = queryState(t, state, "SELECT CAST(to_json(t) AS VARCHAR) FROM _mosaic.feed_rows t ORDER BY ALL")
	out["source_state"] = queryState(t, state, "SELECT CAST(to_json(t) AS VARCHAR) FROM _mosaic.source_state t ORDER BY ALL")
	return out
}

func TestFailedRunLeavesStoreAsBefore(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "crm/1.csv", "id,tier,updated_at\nC1,gold,2026-05-01T00:00:00Z\n")
	writeFile(t, dir, "web/1.ndjson", `{"cookie":"k1","ts":"2026-05-01T00:00:00Z"}`+"\n")
	p := loadPipeline(t, dir, twoFeeds)
	run(t, p, Options{})
	before := publicViews(t, p.State)

	// The first feed stages fine; the second file of crm lacks a mapped column.
	writeFile(t, dir, "web/2.ndjson", `{"cookie":"k2","ts":"2026-05-02T00:00:00Z"}`+"\n")
	writeFile(t, dir, "crm/2.csv", "id,updated_at\nC2,2026-05-02T00:00:00Z\n")
	res, err := (&Runner{Registry: builtin.Registry()}).Run(context.Background(), p, Options{})
	if err == nil || !strings.Contains(err.Error(), `feed crm: crm/2.csv: the header has no column "tier"`) {
		t.Fatalf("err = %v, want the missing column named with feed and file", err)
	}
	if diff := cmp.Diff(before, publicViews(t, p.State)); diff != "" {
		t.Errorf("store changed by a failed run (-before +after):\n%s", diff)
	}
	status := query(t, p, "SELECT status || ': ' || error FROM runs WHERE run_id = 2")
	if len(status) != 1 || !strings.HasPrefix(status[0], "failed: feed crm") || res.Run.ID != 2 {
		t.Errorf("failed run record = %q (run %d)", status, res.Run.ID)
	}
}

func TestCancelledRunLeavesStoreAsBefore(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "crm/1.csv", "id,tier,updated_at\nC1,gold,2026-05-01T00:00:00Z\n")
	writeFile(t, dir, "web/1.ndjson", `{"cookie":"k1","ts":"2026-05-01T00:00:00Z"}`+"\n")
	p := loadPipeline(t, dir, twoFeeds)
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{Registry: builtin.Registry(), Progress: func(s Step) {
		if s.Feed == "web" {
			cancel() // after crm was staged, before web
		}
	}}
	_, err := r.Run(ctx, p, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := query(t, p, "SELECT count(*) FROM _mosaic.feed_rows"); got[0] != "0" {
		t.Errorf("a cancelled run kept %s rows", got[0])
	}
	if got := query(t, p, "SELECT status FROM runs"); len(got) != 1 || got[0] != "cancelled" {
		t.Errorf("runs = %v, want one cancelled run", got)
	}
}

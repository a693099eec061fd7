package pipeline

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
)

// TestProgressNamesEveryStage: Runner.Progress hears one step per feed
// staged, one per stage under the stage's own name (as in runs.stats
// stages), and the commit, numbered 1..Total; every stage is timed.
func TestProgressNamesEveryStage(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "in/a.csv", "id,ts\nC1,2026-05-01T00:00:00Z\n")
	writeFile(t, dir, "in/b.csv", "id,ts,event\nC2,2026-05-01T00:00:00Z,open\n")
	p := loadPipeline(t, dir, `version: 1
name: progress
state: ./store.duckdb
feeds:
  - { name: crm, source: { kind: files, path: in/a.csv }, source_type: warehouse, timestamp: ts, identities: { id: customerid } }
  - { name: app, source: { kind: files, path: in/b.csv }, source_type: sdk, timestamp: ts, identities: { id: customerid }, event_name: event }
calculated_attributes:
  - { name: opens, calculation: count, event: open }
audiences:
  - { name: openers, criteria: { calculated: { key: opens, op: gte, value: 1 } } }
`)
	var got []string
	r := &Runner{Registry: builtin.Registry(), Progress: func(s Step) {
		got = append(got, fmt.Sprintf("[%d/%d] %s %s", s.Index, s.Total, s.Stage, s.Feed))
	}}
	res, err := r.Run(context.Background(), p, Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"[1/9] staging crm",
		"[2/9] staging app",
		"[3/9] identity ",
		"[4/9] attributes ",
		"[5/9] events ",
		"[6/9] calculated ",
		"[7/9] retention ",
		"[8/9] audiences ",
		"[9/9] commit ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("progress steps (-want +got):\n%s", diff)
	}
	for _, name := range []string{"staging", "identity", "attributes", "events", "calculated", "retention", "audiences"} {
		if _, ok := res.Stats.Stages[name]; !ok {
			t.Errorf("runs.stats.stages has no %q: %v", name, res.Stats.Stages)
		}
	}
	if len(res.Stats.Stages) != 7 {
		t.Errorf("runs.stats.stages has %d stages, want 7: %v", len(res.Stats.Stages), res.Stats.Stages)
	}
}

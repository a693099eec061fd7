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
		"[1/10] staging crm",
		"[2/10] staging app",
		"[3/10] identity ",
		"[4/10] attributes ",
		"[5/10] events ",
		"[6/10] calculated ",
		"[7/10] retention ",
		"[8/10] audiences ",
		"[9/10] profile_docs ",
		"[10/10] commit ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("progress steps (-want +got):\n%s", diff)
	}
	for _, name := range []string{"staging", "identity", "attributes", "events", "calculated", "retention", "audiences", "profile_docs"} {
		if _, ok := res.Stats.Stages[name]; !ok {
			t.Errorf("runs.stats.stages has no %q: %v", name, res.Stats.Stages)
		}
	}
	if len(res.Stats.Stages) != 8 {
		t.Errorf("runs.stats.stages has %d stages, want 8: %v", len(res.Stats.Stages), res.Stats.Stages)
	}
}

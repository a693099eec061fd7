package golden

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// RunAllWithDryRuns is RunAll where each run is first tried as dry runs
// (see dryRuns), and the real run must then report what the plain dry run
// did.
func RunAllWithDryRuns(t *testing.T, dir string, dumps Dumps) {
	runAllOpts(t, dir, dumps, nil, nil, true)
}

// runStats runs p (as a dry run or not) and returns its stats (statsJSON).
func runStats(t *testing.T, p *config.Pipeline, now time.Time, dry bool) string {
	t.Helper()
	res, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: now, DryRun: dry, NoSync: true})
	if err != nil {
		t.Fatalf("dry run %v: %v", dry, err)
	}
	return statsJSON(t, res.Stats)
}

// statsJSON is a run's stats as JSON, its stage times (which differ from
// run to run) left out.
func statsJSON(t *testing.T, stats pipeline.Stats) string {
	t.Helper()
	stats.Stages = nil
	b, err := json.MarshalIndent(stats, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// promotions lists the levels a feed at level may be promoted to.
var promotions = map[string][]string{
	config.OnlyRead:   {config.OnlyUpdate, config.CreateUpdate},
	config.OnlyUpdate: {config.CreateUpdate},
}

// dryRuns runs run as a dry run of p and returns its stats. For each feed
// below create_update it also runs a dry run with the feed promoted (as
// `mosaic run --dry-run --as FEED=LEVEL` does) and checks it against a
// real run of the promoted pipeline on a copy of the store.
func dryRuns(t *testing.T, run string, p *config.Pipeline, now time.Time) string {
	t.Helper()
	plain := runStats(t, p, now, true)
	for i, f := range p.Feeds {
		for _, level := range promotions[f.Protection] {
			promoted := *p
			promoted.Feeds = slices.Clone(p.Feeds)
			promoted.Feeds[i].Protection = level
			dry := runStats(t, &promoted, now, true)
			promoted.State = filepath.Join(t.TempDir(), "store.duckdb")
			for _, suffix := range []string{"", ".wal"} {
				if b, err := os.ReadFile(p.State + suffix); err == nil {
					if err := os.WriteFile(promoted.State+suffix, b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			if diff := cmp.Diff(dry, runStats(t, &promoted, now, false)); diff != "" {
				t.Errorf("%s, %s promoted to %s: the real run did other than the dry run said (-dry +real):\n%s", run, f.Name, level, diff)
			}
		}
	}
	return plain
}

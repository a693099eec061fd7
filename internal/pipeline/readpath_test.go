package pipeline

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
)

// TestBigQueryReadPathInStats: a BigQuery feed's stats in runs.stats say
// which read path ran (REST against the emulator), and a files feed's say
// none.
func TestBigQueryReadPathInStats(t *testing.T) {
	useBigQueryEmulator(t)
	p, err := Load("../../pipelines/bigquery.yaml", builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	p.State = filepath.Join(t.TempDir(), "bq.duckdb")
	res := run(t, p, Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if got := res.Stats.Feeds["crm"].ReadPath; got != "rest" {
		t.Errorf("crm read_path in the result %q, want rest", got)
	}
	got := query(t, p, `SELECT format('{} {}', f.key, f.value->>'read_path') FROM runs, json_each(stats->'feeds') AS f ORDER BY ALL`)
	if diff := cmp.Diff([]string{"crm rest", "web rest"}, got); diff != "" {
		t.Errorf("read_path per feed in runs.stats (-want +got):\n%s", diff)
	}

	files, err := Load("../../testdata/bigquery/retail/files.yaml", builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	files.State = filepath.Join(t.TempDir(), "files.duckdb")
	run(t, files, Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if got := query(t, files, `SELECT count(*) FROM runs, json_each(stats->'feeds') AS f WHERE f.value->>'read_path' IS NOT NULL`); !cmp.Equal(got, []string{"0"}) {
		t.Errorf("files feeds with a read_path: %v, want none", got)
	}
}

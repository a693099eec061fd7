package outputs_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/golden"
)

// TestGolden runs testdata/outputs: each case's outputs are files outputs
// under out/<output>/, and received.txt holds, run by run, every file a
// sync wrote, with its rows.
func TestGolden(t *testing.T) {
	golden.RunAllWatched(t, "../../testdata/outputs", golden.Dumps{
		"records.txt":  "SELECT output || ' ' || key || ' ' || CAST(payload AS VARCHAR) || ' run ' || run_id FROM output_records ORDER BY output, key",
		"syncs.txt":    "SELECT output || ' sync ' || sync_id || ' run ' || run_id || ': ' || status || ' +' || added || ' ~' || changed || ' -' || removed || ' invalid ' || invalid || ' failed ' || failed FROM output_runs ORDER BY sync_id",
		"failures.txt": "SELECT output || ' ' || key || ' ' || error FROM output_failures ORDER BY sync_id, key",
	}, watchFiles)
}

// watchFiles reports the files that appeared under out/ since the last run.
func watchFiles(t *testing.T, work string) func(t *testing.T, run string) string {
	seen := map[string]bool{}
	return func(t *testing.T, run string) string {
		files, _ := filepath.Glob(filepath.Join(work, "out", "*", "*"))
		slices.Sort(files)
		var b strings.Builder
		for _, f := range files {
			rel, _ := filepath.Rel(work, f)
			if seen[rel] {
				continue
			}
			seen[rel] = true
			if strings.HasSuffix(f, ".parquet") {
				b.WriteString(rel + " (parquet)\n")
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(rel + "\n" + string(data))
		}
		return b.String()
	}
}

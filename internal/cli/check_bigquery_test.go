package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckBigQueryExample checks pipelines/bigquery.yaml against the
// emulator (a table feed and a query feed).
func TestCheckBigQueryExample(t *testing.T) {
	addr := os.Getenv("MOSAIC_BIGQUERY_EMULATOR")
	if addr == "" {
		t.Skip("needs the BigQuery emulator: `source .ci/bigquery-emulator.sh` (sets MOSAIC_BIGQUERY_EMULATOR), then run the tests again")
	}
	t.Setenv("BIGQUERY_EMULATOR_HOST", addr)
	example, err := filepath.Abs("../../pipelines/bigquery.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	code, out, errOut := mosaic(t, "check", "--state", "bq.duckdb", "--timeout", "2m", example)
	if code != ExitOK {
		t.Fatalf("check: code %d\n%s%s", code, out, errOut)
	}
	out = strings.ReplaceAll(out, example, "pipelines/bigquery.yaml")
	golden(t, "check/bigquery.txt", out)
}

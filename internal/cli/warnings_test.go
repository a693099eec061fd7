package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRunSummaryShowsWarnings: what a run went past in a feed, a file
// that has not arrived or a last line held back for want of its newline,
// is in the run's summary, in `mosaic runs` and in the feed's stats, not
// only in the log.
func TestRunSummaryShowsWarnings(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.yaml")
	writeFile(t, p, smallPipeline+`  - name: late
    source: { kind: files, path: crm_export.csv }
    source_type: warehouse
    timestamp: ts
    identities: { id: customerid }
`)
	writeFile(t, filepath.Join(dir, "in/a.csv"), "id,email,tier,ts\nC1,a@x.com,gold,2026-05-01T00:00:00Z\nC2,b@x.com,gold,2026-05-01T00:00:00Z")
	code, out, errOut := mosaic(t, "run", p)
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	held := "in/a.csv: line 3 has no newline at its end: held back until it has one, or until a run finds the file unchanged"
	for _, want := range []string{
		"crm          1     1        0",
		"\nwarnings:\n  crm: " + held,
		"\n  late: no file matches \"crm_export.csv\" (looked for " + filepath.Join(dir, "crm_export.csv") + "); add the files, or fix `path:`\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the run's summary lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = mosaic(t, "runs", "-p", p, "--format", "csv")
	if code != ExitOK || !strings.Contains(out, ",warnings\n") || !strings.Contains(out, `,"crm: `+held) || !strings.Contains(out, `; late: no file matches ""crm_export.csv""`) {
		t.Errorf("runs: exit %d\n%s", code, out)
	}
	code, out, _ = mosaic(t, "sql", "-p", p, "--format", "csv",
		"SELECT f.key AS feed, json_array_length(f.value->'warnings') AS n, json_array_length(stats->'warnings') AS run FROM runs, json_each(stats->'feeds') AS f ORDER BY 1")
	if code != ExitOK || out != "feed,n,run\ncrm,1,2\nlate,1,2\n" {
		t.Errorf("runs.stats: exit %d\n%s", code, out)
	}

	// The file unchanged, the next run reads the line; the missing file
	// still warns.
	code, out, errOut = mosaic(t, "run", p)
	if code != ExitOK || !strings.Contains(out, "crm          1     1        0") || strings.Contains(out, "crm: ") || !strings.Contains(out, "\nwarnings:\n  late: no file matches") {
		t.Errorf("second run: exit %d\n%s%s", code, out, errOut)
	}
}

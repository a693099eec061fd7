package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestEmptyGlobWarnsOnRunAndFailsValidateAndCheck: a files feed whose glob
// matches no file yet (a scheduled pipeline whose files have not arrived)
// runs with a warning and 0 rows from it, and reads the files on the next
// run once they are there; validate and check still report it.
func TestEmptyGlobWarnsOnRunAndFailsValidateAndCheck(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in/a.csv"), "id,email,tier,ts\nC1,a@x.com,gold,2026-05-01T00:00:00Z\n")
	p := filepath.Join(dir, "p.yaml")
	writeFile(t, p, smallPipeline+`  - name: late
    source: { kind: files, path: late/*.csv }
    source_type: warehouse
    timestamp: ts
    identities: { id: customerid }
`)
	code, out, errOut := mosaic(t, "run", p)
	if code != ExitOK {
		t.Fatalf("run exit %d, want %d (a feed without files warns):\n%s%s", code, ExitOK, out, errOut)
	}
	if !strings.Contains(errOut, "level=WARN") || !strings.Contains(errOut, `no file matches \"late/*.csv\"`) {
		t.Errorf("run's log has no warning naming the glob:\n%s", errOut)
	}
	code, out, _ = mosaic(t, "sql", "-p", p, "--format", "csv",
		"SELECT f.key AS feed, f.value->>'rows_read' AS rows_read, json_array_length(stats->'warnings') AS warnings FROM runs, json_each(stats->'feeds') AS f ORDER BY 1")
	if code != ExitOK || out != "feed,rows_read,warnings\ncrm,1,1\nlate,0,1\n" {
		t.Errorf("runs.stats: exit %d\n%s", code, out)
	}

	code, _, errOut = mosaic(t, "validate", p)
	if code != ExitUsage || !strings.Contains(errOut, "no file matches") {
		t.Errorf("validate: exit %d, want %d naming the empty glob:\n%s", code, ExitUsage, errOut)
	}
	code, out, errOut = mosaic(t, "check", p)
	if code != ExitFailed || !strings.Contains(out+errOut, "no file matches") {
		t.Errorf("check: exit %d, want %d naming the empty glob:\n%s%s", code, ExitFailed, out, errOut)
	}

	writeFile(t, filepath.Join(dir, "late/b.csv"), "id,ts\nC2,2026-05-02T00:00:00Z\n")
	if code, out, errOut := mosaic(t, "run", p); code != ExitOK || strings.Contains(errOut, "level=WARN") {
		t.Fatalf("second run: exit %d, or a warning left:\n%s%s", code, out, errOut)
	}
	code, out, _ = mosaic(t, "sql", "-p", p, "--format", "csv", "SELECT count(*) FROM profiles")
	if out != "count_star()\n2\n" {
		t.Errorf("profiles after the files arrived: exit %d\n%s", code, out)
	}
}

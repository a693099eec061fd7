package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSummaryCountsRowsAndProblems: the run's summary counts rows kept
// and dropped, whichever stage dropped them, apart from the problems
// recorded in dropped_rows, which also hold an identity a rule kept out
// of a kept row; `mosaic runs` counts the rows as the summary does.
func TestSummaryCountsRowsAndProblems(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pipeline.yaml")
	writeFile(t, p, `version: 1
name: drops
state: ./store.duckdb
identity: { blocklist: { email: ["^test@"] } }
feeds:
  - name: crm
    source: { kind: files, path: crm.csv }
    source_type: warehouse
    timestamp: ts
    identities: { id: customerid, email: email }
`)
	writeFile(t, filepath.Join(dir, "crm.csv"), "id,email,ts\nC1,a@x.com,2026-05-01T00:00:00Z\nC5,test@x.com,2026-05-01T00:00:00Z\nC6,b@x.com,yesterday\n")
	code, out, errOut := mosaic(t, "run", p)
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"  feed  rows read  kept  dropped  problems recorded in dropped_rows\n   crm          3     2        1  2: blocklisted 1, invalid_timestamp 1\n",
		"\ndropped 1 row; 2 problems recorded in dropped_rows: one per dropped row, and 1 for an identity, value or attribute kept out of a kept row — see them with:\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the run's summary lacks\n%s\n%s", want, out)
		}
	}
	if code, out, _ := mosaic(t, "runs", "-p", p, "--format", "csv"); code != ExitOK || !strings.Contains(out, ",3,1,,\n") {
		t.Errorf("runs: want 3 rows read, 1 dropped:\n%s", out)
	}

	// Run as only_update from scratch, no row matches a profile: the
	// rows staging kept are dropped too, each once, C5's beside its
	// blocklisted e-mail.
	code, out, errOut = mosaic(t, "run", p, "--full-refresh", "--dry-run", "--as", "crm=only_update")
	if code != ExitOK {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"\n   crm          3     0        3  4: blocklisted 1, invalid_timestamp 1, no_matching_profile 2\n",
		"\nwould drop 3 rows; 4 problems would be recorded in dropped_rows: one per dropped row, and 1 for an identity, value or attribute kept out of a kept row; by reason: blocklisted 1, invalid_timestamp 1, no_matching_profile 2\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the dry run's summary lacks\n%s\n%s", want, out)
		}
	}
}

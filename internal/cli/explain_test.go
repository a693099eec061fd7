package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// replayIdentityCase runs an identity golden case (testdata/identity/NAME)
// run by run as its golden test does (run N at 2026-06-0N), through the
// CLI, and returns its pipeline file.
func replayIdentityCase(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("../../testdata/identity", name)
	work := t.TempDir()
	p := filepath.Join(work, "pipeline.yaml")
	copyTree(t, filepath.Join(src, "pipeline.yaml"), p)
	runs, _ := filepath.Glob(filepath.Join(src, "inputs", "run*"))
	if len(runs) == 0 || len(runs) > 9 {
		t.Fatalf("%s: %d runs", name, len(runs))
	}
	for i, r := range runs {
		if _, err := os.Stat(filepath.Join(r, "now")); err == nil {
			t.Fatalf("%s: a run with its own clock is not replayed here", name)
		}
		copyTree(t, r, filepath.Join(work, "data"))
		if code, _, errOut := mosaic(t, "run", p, fmt.Sprintf("--now=2026-06-0%dT00:00:00Z", i+1)); code != ExitOK {
			t.Fatalf("%s, %s: %s", name, filepath.Base(r), errOut)
		}
	}
	return p
}

// copyTree copies file or folder from to to.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		writeFile(t, filepath.Join(to, rel), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestProfileExplain: --explain on a chain of three profiles merged over
// three runs, on profiles a unique type kept apart (one refused row was
// dropped, one made its own profile), and on a profile at its limit of
// e-mails (one identity kept out, two joins refused). The graph of the
// chain is checked too.
func TestProfileExplain(t *testing.T) {
	for _, c := range []struct{ name, identity, format string }{
		{"merge_chain", "customerid=C1", "table"},
		{"merge_chain", "customerid=C1", "json"},
		{"unique_conflict", "customerid=C1", "table"},
		{"unique_conflict", "customerid=C4", "table"},
		{"identity_limits", "customerid=C1", "table"},
		{"identity_limits", "customerid=C1", "json"},
	} {
		t.Run(c.name+"_"+strings.ReplaceAll(c.identity, "=", "_")+"_"+c.format, func(t *testing.T) {
			p := replayIdentityCase(t, c.name)
			code, out, errOut := mosaic(t, "profile", "-p", p, "--identity", c.identity, "--explain", "--format", c.format)
			if code != ExitOK {
				t.Fatalf("%d %s", code, errOut)
			}
			ext := map[string]string{"table": ".txt", "json": ".json"}[c.format]
			golden(t, filepath.Join("explain", c.name+"_"+strings.ReplaceAll(c.identity, "=", "_")+ext), out)
		})
	}
}

package sql

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryFileEmbeddedAndUsed checks that each SQL file on disk is in the
// embedded FS and that some non-test Go file of the module names it by its
// full path
// (migrations are applied by directory listing, so they count as used).
func TestEveryFileEmbeddedAndUsed(t *testing.T) {
	var goSrc strings.Builder
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".go") { // tests count: benchmarks have fixtures
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			goSrc.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	src := goSrc.String()
	n := 0
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".sql") || strings.HasSuffix(path, ".sql.tmpl")) {
			return err
		}
		n++
		if _, err := fs.Stat(FS(), path); err != nil {
			t.Errorf("%s is on disk but not embedded: %v", path, err)
		}
		if strings.HasPrefix(path, "migrations/") {
			return nil // the engine applies every migration, in name order
		}
		if !strings.Contains(src, `"`+path+`"`) {
			t.Errorf("%s is embedded but no Go file names it (as the string %q)", path, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no SQL files found")
	}
}

// TestSplitNamesStatements: a `-- name:` line names its statement, others
// are named by position, and Wrap says which statement failed (and leaves
// no error as none).
func TestSplitNamesStatements(t *testing.T) {
	stmts := Split("x/y.sql", "-- the file's comment\n-- name: first\nSELECT 1;\nSELECT 2;\n-- name: third\nSELECT $1;\n")
	var got []string
	for _, s := range stmts {
		got = append(got, s.Name)
	}
	if strings.Join(got, ",") != "first,2,third" {
		t.Errorf("names %v, want first,2,third", got)
	}
	if err := stmts[2].Wrap(errors.New("boom")); err.Error() != "x/y.sql, statement third: boom" {
		t.Errorf("Wrap: %v", err)
	}
	if err := stmts[0].Wrap(nil); err != nil {
		t.Errorf("Wrap(nil) = %v, want nil", err)
	}
	// Files whose statements are picked by name keep those names.
	for file, names := range map[string][]string{
		"identity/groups.sql.tmpl": {"sequence", "table", "groups"},
		"bench/lp_step.sql":        {"changed"},
		"retention/profiles.sql":   {"gone", "ids"},
	} {
		stmts, err := File(file, map[string]any{"Start": 1, "Empty": false, "Passes": 2})
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, s := range stmts {
			have[s.Name] = true
		}
		for _, n := range names {
			if !have[n] {
				t.Errorf("%s has no statement named %q", file, n)
			}
		}
	}
}

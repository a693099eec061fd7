// Package golden runs the golden cases of testdata/<stage>/<case>/: each
// case holds a pipeline.yaml, inputs/runN/<feed>/ files, and want/ files.
// For each run folder in order the files are copied into data/ and the
// pipeline runs once; then each want/ file is compared with a query over
// the store. Used by tests only.
package golden

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

var update = flag.Bool("update", false, "rewrite the want/ files of golden cases (then check them by hand)")

// Dumps maps a want/ file name to the query whose rows (first column, one
// per line) it holds.
type Dumps map[string]string

// RunAll runs every case under dir (a testdata/<stage> folder).
func RunAll(t *testing.T, dir string, dumps Dumps) {
	cases, err := filepath.Glob(filepath.Join(dir, "*", "pipeline.yaml"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases under %s: %v", dir, err)
	}
	for _, c := range cases {
		caseDir := filepath.Dir(c)
		t.Run(filepath.Base(caseDir), func(t *testing.T) { run(t, caseDir, dumps) })
	}
}

func run(t *testing.T, caseDir string, dumps Dumps) {
	work := t.TempDir()
	copyFile(t, filepath.Join(caseDir, "pipeline.yaml"), filepath.Join(work, "pipeline.yaml"))
	runs, _ := filepath.Glob(filepath.Join(caseDir, "inputs", "run*"))
	if len(runs) == 0 {
		t.Fatal("no inputs/run* folders")
	}
	// run2 before run10
	slices.SortFunc(runs, func(a, b string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	})
	var log strings.Builder
	// Each run's clock is fixed (rows without a time of their own take it):
	// run N runs at 2026-06-0N 00:00 UTC.
	for i, r := range runs {
		files, _ := filepath.Glob(filepath.Join(r, "*", "*"))
		for _, f := range files {
			rel, _ := filepath.Rel(r, f)
			copyFile(t, f, filepath.Join(work, "data", rel))
		}
		p, err := pipeline.Load(filepath.Join(work, "pipeline.yaml"), builtin.Registry())
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 6, 1+i, 0, 0, 0, 0, time.UTC)
		res, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: now})
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(r), err)
		}
		st := res.Stats
		fmt.Fprintf(&log, "%s: created %d, updated %d, merged %d, attribute writes %d, ignored %d\n", filepath.Base(r),
			st.Profiles.Created, st.Profiles.Updated, st.Profiles.Merged, st.Attributes.Written, st.Attributes.Ignored)
	}
	got := map[string]string{"runs.txt": log.String()}
	for name, q := range dumps {
		got[name] = dump(t, filepath.Join(work, "store.duckdb"), q)
	}
	for name, text := range got {
		path := filepath.Join(caseDir, "want", name)
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to write it, then check it by hand)", err)
		}
		if diff := cmp.Diff(string(want), text); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func dump(t *testing.T, store, q string) string {
	t.Helper()
	db, err := sql.Open("duckdb", store+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + "\n")
	}
	return b.String()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(to), 0o755)
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

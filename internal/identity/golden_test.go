package identity_test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

var update = flag.Bool("update", false, "rewrite the want/ files of the golden cases")

// TestGolden runs each case under testdata/identity/<case>/: for each
// inputs/runN/ folder in order it copies the files into data/ and runs the
// pipeline, then compares the store with want/.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("../../testdata/identity/*/pipeline.yaml")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, c := range cases {
		dir := filepath.Dir(c)
		t.Run(filepath.Base(dir), func(t *testing.T) { runGolden(t, dir) })
	}
}

func runGolden(t *testing.T, caseDir string) {
	work := t.TempDir()
	copyFile(t, filepath.Join(caseDir, "pipeline.yaml"), filepath.Join(work, "pipeline.yaml"))
	runs, _ := filepath.Glob(filepath.Join(caseDir, "inputs", "run*"))
	if len(runs) == 0 {
		t.Fatal("no inputs/run* folders")
	}
	var log strings.Builder
	for _, run := range runs {
		files, _ := filepath.Glob(filepath.Join(run, "*", "*"))
		for _, f := range files {
			rel, _ := filepath.Rel(run, f)
			copyFile(t, f, filepath.Join(work, "data", rel))
		}
		p, err := pipeline.Load(filepath.Join(work, "pipeline.yaml"), builtin.Registry())
		if err != nil {
			t.Fatal(err)
		}
		res, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{})
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(run), err)
		}
		fmt.Fprintf(&log, "%s: created %d, updated %d, merged %d\n", filepath.Base(run), res.Stats.Profiles.Created, res.Stats.Profiles.Updated, res.Stats.Profiles.Merged)
	}
	got := map[string]string{
		"runs.txt":     log.String(),
		"profiles.txt": dump(t, work, profilesSQL),
		"aliases.txt":  dump(t, work, "SELECT alias_mpid || ' -> ' || mpid || ' (run ' || run_id || ')' FROM profile_aliases ORDER BY ALL"),
		"dropped.txt":  dump(t, work, `SELECT 'run ' || run_id || ' ' || feed || ' ' || reason || ' ' || CAST("row" AS VARCHAR) FROM dropped_rows ORDER BY ALL`),
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

const profilesSQL = `
WITH ids AS (
    SELECT mpid, string_agg('  ' || identity_type || '=' || identity_value || ' first ' || strftime(first_seen_at, '%m-%d %H:%M')
        || ' last ' || strftime(last_seen_at, '%m-%d %H:%M') || ' feed ' || feed, chr(10) ORDER BY identity_type, identity_value) AS lines
    FROM profile_identities GROUP BY mpid
)
SELECT p.mpid || ' created ' || strftime(p.created_at, '%m-%d %H:%M') || ' updated ' || strftime(p.updated_at, '%m-%d %H:%M')
    || ' last_seen ' || strftime(p.last_seen_at, '%m-%d %H:%M') || chr(10) || coalesce(ids.lines, '  (no identities)')
FROM profiles p LEFT JOIN ids USING (mpid) ORDER BY p.mpid`

// dump returns the first column of each row of q over the case's store.
func dump(t *testing.T, work, q string) string {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(work, "store.duckdb")+"?access_mode=READ_ONLY")
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

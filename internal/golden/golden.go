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
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
	"github.com/mosaic-cdp/mosaic/internal/profiledocs"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

var update = flag.Bool("update", false, "rewrite the want/ files of golden cases (then check them by hand)")

// Dumps maps a want/ file name to the query whose rows (first column, one
// per line) it holds.
type Dumps map[string]string

// Texts computes more want/ files from a case's pipeline and store (after
// its last run), such as the compiled SQL of its audiences. It may skip t.
type Texts func(t *testing.T, p *config.Pipeline, store string) map[string]string

// RunAll runs every case under dir (a testdata/<stage> folder).
func RunAll(t *testing.T, dir string, dumps Dumps) { RunAllTexts(t, dir, dumps, nil) }

// Watch is told about a case before its first run, with the case's work
// folder (where pipeline.yaml is, and data/ will be), and returns what to call
// after each run: the text it returns for a run (what a destination got,
// say) goes into want/received.txt under the run's name.
type Watch func(t *testing.T, work string) (afterRun func(t *testing.T, run string) string)

// RunAllWatched is RunAll with a Watch on each case.
func RunAllWatched(t *testing.T, dir string, dumps Dumps, watch Watch) {
	runAll(t, dir, dumps, nil, watch)
}

// RunAllTexts is RunAll with more want/ files computed by texts.
//
// A run folder may hold a file `now` with the run's clock (RFC 3339) in
// place of the default 2026-06-0N, and a pipeline.yaml that replaces the
// case's from that run on.
func RunAllTexts(t *testing.T, dir string, dumps Dumps, texts Texts) {
	runAll(t, dir, dumps, texts, nil)
}

func runAll(t *testing.T, dir string, dumps Dumps, texts Texts, watch Watch) {
	runAllOpts(t, dir, dumps, texts, watch, false)
}

func runAllOpts(t *testing.T, dir string, dumps Dumps, texts Texts, watch Watch, dry bool) {
	cases, err := filepath.Glob(filepath.Join(dir, "*", "pipeline.yaml"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases under %s: %v", dir, err)
	}
	for _, c := range cases {
		caseDir := filepath.Dir(c)
		t.Run(filepath.Base(caseDir), func(t *testing.T) { runCase(t, caseDir, dumps, texts, watch, dry) })
	}
}

func runCase(t *testing.T, caseDir string, dumps Dumps, texts Texts, watch Watch, dry bool) {
	work := t.TempDir()
	copyFile(t, filepath.Join(caseDir, "pipeline.yaml"), filepath.Join(work, "pipeline.yaml"))
	var afterRun func(t *testing.T, run string) string
	if watch != nil {
		afterRun = watch(t, work)
	}
	var received strings.Builder
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
	var p *config.Pipeline
	// Each run's clock is fixed (rows without a time of their own take it):
	// run N runs at 2026-06-0N 00:00 UTC, or at the time in its `now` file.
	for i, r := range runs {
		files, _ := filepath.Glob(filepath.Join(r, "*", "*"))
		for _, f := range files {
			rel, _ := filepath.Rel(r, f)
			copyFile(t, f, filepath.Join(work, "data", rel))
		}
		if _, err := os.Stat(filepath.Join(r, "pipeline.yaml")); err == nil {
			copyFile(t, filepath.Join(r, "pipeline.yaml"), filepath.Join(work, "pipeline.yaml"))
		}
		var err error
		p, err = pipeline.Load(filepath.Join(work, "pipeline.yaml"), builtin.Registry())
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 6, 1+i, 0, 0, 0, 0, time.UTC)
		if b, err := os.ReadFile(filepath.Join(r, "now")); err == nil {
			if now, err = time.Parse(time.RFC3339, strings.TrimSpace(string(b))); err != nil {
				t.Fatalf("%s/now: %v", filepath.Base(r), err)
			}
		}
		// Every case keeps the Profile API's documents, checked after each
		// run against a rebuild of them all.
		p.Serve.ProfileAPI.ClientIDEnv, p.Serve.ProfileAPI.ClientSecretEnv = "GOLDEN_PROFILE_ID", "GOLDEN_PROFILE_SECRET"
		var dryStats string
		if dry {
			dryStats = dryRuns(t, filepath.Base(r), p, now)
		}
		res, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: now})
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(r), err)
		}
		if dry {
			if diff := cmp.Diff(dryStats, statsJSON(t, res.Stats)); diff != "" {
				t.Errorf("%s: the real run did other than the dry run said (-dry +real):\n%s", filepath.Base(r), diff)
			}
		}
		verifyDocs(t, filepath.Base(r), p)
		st := res.Stats
		fmt.Fprintf(&log, "%s: created %d, updated %d, merged %d, attribute writes %d, ignored %d\n", filepath.Base(r),
			st.Profiles.Created, st.Profiles.Updated, st.Profiles.Merged, st.Attributes.Written, st.Attributes.Ignored)
		for _, a := range p.Audiences {
			as := st.Audiences[a.Name]
			fmt.Fprintf(&log, "  audience %s: size %d, entered %d, exited %d\n", a.Name, as.Size, as.Entered, as.Exited)
		}
		for _, name := range slices.Sorted(maps.Keys(st.AudiencesRemoved)) {
			fmt.Fprintf(&log, "  removed audience %s: exited %d\n", name, st.AudiencesRemoved[name])
		}
		for _, o := range res.Outputs {
			fmt.Fprintf(&log, "  output %s: %s, added %d, changed %d, removed %d, invalid %d, failed %d\n",
				o.Output, o.Status, o.Added, o.Changed, o.Removed, o.Invalid, o.Failed)
		}
		if afterRun != nil {
			fmt.Fprintf(&received, "== %s\n%s", filepath.Base(r), afterRun(t, filepath.Base(r)))
		}
	}
	got := map[string]string{"runs.txt": log.String()}
	if afterRun != nil {
		got["received.txt"] = received.String()
	}
	if texts != nil {
		maps.Copy(got, texts(t, p, filepath.Join(work, "store.duckdb")))
	}
	for name, q := range dumps {
		got[name] = dump(t, filepath.Join(work, "store.duckdb"), q)
	}
	for name, text := range got {
		path := filepath.Join(caseDir, "want", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
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

// verifyDocs checks the documents the runs kept against a rebuild.
func verifyDocs(t *testing.T, run string, p *config.Pipeline) {
	t.Helper()
	ctx := context.Background()
	store, err := engine.Open(ctx, p.State, engine.Options{Command: "golden"})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := profiledocs.Verify(ctx, store, p); err != nil {
		t.Errorf("%s: %v", run, err)
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
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Dump runs q on the store at path and returns its first column's rows,
// one per line (for Texts functions).
func Dump(t *testing.T, store, q string) string { return dump(t, store, q) }

// OldStore creates a store at path as a mosaic of schema version wrote it
// (migrations 1 to version, and the version in _mosaic.meta), then runs
// statements on it, for tests of the migrations after version.
func OldStore(t *testing.T, path string, version int, statements ...string) {
	t.Helper()
	entries, err := fs.ReadDir(sqlfiles.FS(), "migrations")
	if err != nil || len(entries) < version {
		t.Fatalf("migrations: %d files, %v", len(entries), err)
	}
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var setup []string
	for _, e := range entries[:version] {
		setup = append(setup, sqlfiles.Get("migrations/"+e.Name()))
	}
	setup = append(setup, fmt.Sprintf(`INSERT INTO _mosaic.meta VALUES ('schema_version', '%d')`, version))
	for _, q := range append(setup, statements...) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
}

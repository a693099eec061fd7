package cli

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// bigCSV writes n rows with DuckDB itself (fast), so that staging them takes
// long enough to be interrupted.
func bigCSV(t *testing.T, path string, n int) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := fmt.Sprintf(`COPY (SELECT 'B' || i AS id, 'b' || i || '@x.com' AS email, 'gold' AS tier,
		'2026-05-01T00:00:00Z' AS ts FROM range(%d) t(i)) TO '%s' (HEADER)`, n, path)
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

// publicViews are what analysts read; privateTables what a run stages
// ahead of its transaction (engine.BeginStaging), and its source state.
var (
	publicViews = []string{"profiles", "profile_identities", "profile_attributes", "profile_aliases", "events",
		"audience_members", "audience_history", "runs", "dropped_rows"}
	privateTables = []string{"_mosaic.feed_rows", "_mosaic.feed_identities", "_mosaic.feed_attributes",
		"_mosaic.dropped_rows", "_mosaic.source_state", "_mosaic.meta"}
)

// snapshot reads the given views or tables of a store, sorted, as JSON
// text.
func snapshot(t *testing.T, state string, tables ...[]string) map[string][]string {
	t.Helper()
	db, err := sql.Open("duckdb", state+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return jsonRows(t, db, slices.Concat(tables...))
}

// startRun starts `mosaic run` in a child process (this test binary, see
// TestMain) and returns once the run has begun, with the child's log lines
// to come.
func startRun(t *testing.T, pipeline string) (*exec.Cmd, *strings.Builder, <-chan string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "run", pipeline)
	cmd.Env = append(os.Environ(), "MOSAIC_CLI_SUBPROCESS=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	if !waitLine(lines, &log, `msg="run started"`) {
		cmd.Wait()
		t.Fatalf("the child run never started:\n%s", log.String())
	}
	return cmd, &log, lines
}

// waitLine reads lines into log until one contains s (true) or they end.
func waitLine(lines <-chan string, log *strings.Builder, s string) bool {
	for l := range lines {
		log.WriteString(l + "\n")
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// TestKilledRunLeavesStoreAsBefore kills a run with SIGKILL while it stages
// a large file, and checks that the public views read exactly as before
// the run, that a second run meanwhile was refused naming the first, that
// the store's next opening for writing deletes what the killed run staged,
// and that the next run succeeds.
func TestKilledRunLeavesStoreAsBefore(t *testing.T) {
	if testing.Short() {
		t.Skip("stages 500k rows; skipped with -short")
	}
	dir := smallDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	state := filepath.Join(dir, "store.duckdb")
	if code, _, errOut := mosaic(t, "run", p); code != ExitOK {
		t.Fatalf("first run: %s", errOut)
	}
	before := snapshot(t, state, publicViews, privateTables)
	bigCSV(t, filepath.Join(dir, "in/big.csv"), 500_000)

	child, log, lines := startRun(t, p)
	// A second run while the child holds the store is refused at once.
	start := time.Now()
	code, _, errOut := mosaic(t, "run", p)
	if code != ExitFailed || !strings.Contains(errOut, "store is in use") || !strings.Contains(errOut, fmt.Sprintf("pid %d", child.Process.Pid)) {
		t.Errorf("concurrent run: code %d, stderr %q; want exit 1 naming pid %d", code, errOut, child.Process.Pid)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the concurrent run took %s to be refused; it must fail fast", time.Since(start))
	}

	// Killed once its staging has committed 500k rows ahead of the run's
	// transaction (engine.BeginStaging), and before that commits.
	if !waitLine(lines, log, `msg="feed staged"`) {
		t.Fatalf("the child never staged its feed:\n%s", log.String())
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := child.Wait()
	waitLine(lines, log, "\x00") // the rest of the child's log
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed mid-run (it finished first: %v); make the input larger\n%s", err, log.String())
	}
	if strings.Contains(log.String(), "run committed") {
		t.Fatalf("the child committed before it was killed:\n%s", log.String())
	}

	after := snapshot(t, state, publicViews, privateTables)
	for _, v := range publicViews {
		if diff := cmp.Diff(before[v], after[v]); diff != "" {
			t.Errorf("the killed run changed the view %s (-before +after):\n%s", v, diff)
		}
	}
	if len(after["_mosaic.feed_rows"]) < 500_000 {
		t.Errorf("the killed run left %d feed rows; the test means to kill it after staging its 500k", len(after["_mosaic.feed_rows"]))
	}
	store, err := engine.Open(context.Background(), state, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	if diff := cmp.Diff(before, snapshot(t, state, publicViews, privateTables)); diff != "" {
		t.Errorf("after the store's next opening, the killed run's staging is still there (-before +after):\n%s", diff)
	}
	code, out, errOut := mosaic(t, "run", p)
	if code != ExitOK || !strings.Contains(out, "run 2 of small succeeded") {
		t.Fatalf("run after the kill: code %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "500000") {
		t.Errorf("the run after the kill did not read the big file:\n%s", out)
	}
}

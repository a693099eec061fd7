package cli

import (
	"bufio"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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

// snapshot reads every public view (and the staged rows and source state)
// of a store, sorted, as JSON text.
func snapshot(t *testing.T, state string) map[string][]string {
	t.Helper()
	db, err := sql.Open("duckdb", state+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return jsonRows(t, db, []string{"profiles", "profile_identities", "profile_attributes", "profile_aliases", "events",
		"audience_members", "audience_history", "runs", "dropped_rows", "_mosaic.feed_rows", "_mosaic.source_state"})
}

// startRun starts `mosaic run` in a child process (this test binary, see
// TestMain) and returns once the run has begun its transaction.
func startRun(t *testing.T, pipeline string) (*exec.Cmd, *strings.Builder) {
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
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), `msg="run started"`) {
			go func() {
				for sc.Scan() {
				}
			}()
			return cmd, &log
		}
	}
	cmd.Wait()
	t.Fatalf("the child run never started:\n%s", log.String())
	return nil, nil
}

// TestKilledRunLeavesStoreAsBefore kills a run with SIGKILL while it stages
// a large file, checks that the store reads exactly as before the run, that
// a second run meanwhile was refused naming the first, and that the next
// run succeeds.
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
	before := snapshot(t, state)
	bigCSV(t, filepath.Join(dir, "in/big.csv"), 500_000)

	child, log := startRun(t, p)
	// A second run while the child holds the store is refused at once.
	start := time.Now()
	code, _, errOut := mosaic(t, "run", p)
	if code != ExitFailed || !strings.Contains(errOut, "store is in use") || !strings.Contains(errOut, fmt.Sprintf("pid %d", child.Process.Pid)) {
		t.Errorf("concurrent run: code %d, stderr %q; want exit 1 naming pid %d", code, errOut, child.Process.Pid)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the concurrent run took %s to be refused; it must fail fast", time.Since(start))
	}

	time.Sleep(300 * time.Millisecond)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := child.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed mid-run (it finished first: %v); make the input larger\n%s", err, log.String())
	}
	if strings.Contains(log.String(), "run committed") {
		t.Fatalf("the child committed before it was killed:\n%s", log.String())
	}

	if diff := cmp.Diff(before, snapshot(t, state)); diff != "" {
		t.Errorf("the killed run changed the store (-before +after):\n%s", diff)
	}
	code, out, errOut := mosaic(t, "run", p)
	if code != ExitOK || !strings.Contains(out, "run 2 of small succeeded") {
		t.Fatalf("run after the kill: code %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "500000") {
		t.Errorf("the run after the kill did not read the big file:\n%s", out)
	}
}

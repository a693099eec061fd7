package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// everySecond is smallPipeline scheduled every second.
var everySecond = strings.Replace(smallPipeline, "state: ./store.duckdb\n", "state: ./store.duckdb\nschedule: \"@every 1s\"\n", 1)

// lockedBuffer is a bytes.Buffer safe to read while the CLI writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestScheduleUsageErrors(t *testing.T) {
	code, _, errOut := mosaic(t, "schedule", "--help")
	if code != ExitOK || !strings.Contains(errOut, "Usage: mosaic schedule PIPELINE.yaml...") ||
		!strings.Contains(errOut, "-run-now") || !strings.Contains(errOut, "-grace DURATION") {
		t.Errorf("--help: code %d, stderr %q", code, errOut)
	}
	dir := smallDir(t)
	unscheduled := filepath.Join(dir, "pipeline.yaml")
	scheduled := filepath.Join(dir, "scheduled.yaml")
	writeFile(t, scheduled, everySecond)
	badCron := filepath.Join(dir, "badcron.yaml")
	writeFile(t, badCron, strings.Replace(everySecond, "@every 1s", "0 * * *", 1))
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no pipeline", nil, "Usage: mosaic schedule"},
		{"no schedule", []string{scheduled, unscheduled},
			"mosaic schedule: " + unscheduled + ": pipeline small has no `schedule:`; add one, like `schedule: \"0 * * * *\"` (hourly), or run it once with `mosaic run " + unscheduled + "`"},
		{"bad cron", []string{badCron},
			badCron + `:4:11: schedule: bad cron schedule "0 * * *": expected exactly 5 fields, found 4`},
		{"twice", []string{scheduled, filepath.Join(dir, ".", "scheduled.yaml")}, "is given twice"},
		{"bad grace", []string{"--grace", "-1s", scheduled}, "bad --grace -1s"},
		{"bad grace format", []string{"--grace", "soon", scheduled}, `invalid value "soon" for flag -grace`},
		{"bad log level", []string{"--log-level", "loud", scheduled}, `bad --log-level "loud"`},
		{"missing file", []string{filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
	}
	for _, c := range cases {
		code, out, errOut := mosaic(t, append([]string{"schedule"}, c.args...)...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%s: code %d, stdout %q, stderr %q; want code 2 and stderr containing %q", c.name, code, out, errOut, c.want)
		}
	}
	// `mosaic validate` accepts what `mosaic schedule` runs.
	for _, spec := range []string{"0 * * * *", "CRON_TZ=Europe/Paris 30 6 * * 1-5", "@hourly", "@every 15m", "CRON_TZ=UTC @daily"} {
		f := filepath.Join(dir, "valid.yaml")
		writeFile(t, f, strings.Replace(everySecond, "@every 1s", spec, 1))
		if code, _, errOut := mosaic(t, "validate", f); code != ExitOK {
			t.Errorf("validate with schedule %q: code %d, stderr %q", spec, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "store.duckdb")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a usage error created the store (%v)", err)
	}
}

// TestScheduleRunsUntilCancelled runs `mosaic schedule --run-now` on an
// every-second pipeline in-process, cancels it as SIGTERM would, and
// reads the runs table.
func TestScheduleRunsUntilCancelled(t *testing.T) {
	dir := smallDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	writeFile(t, p, everySecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"schedule", "--run-now", p}, strings.NewReader(""), &stdout, &stderr)
	}()
	deadline := time.After(60 * time.Second)
	for strings.Count(stderr.String(), `msg="run finished"`) < 3 {
		select {
		case code := <-done:
			t.Fatalf("schedule exited by itself with code %d:\n%s", code, stderr.String())
		case <-deadline:
			t.Fatalf("fewer than 3 runs within 60s:\n%s", stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("exit code %d after cancellation, want 0:\n%s", code, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("schedule did not stop after cancellation")
	}
	log := stderr.String()
	for _, want := range []string{`msg="pipeline scheduled" pipeline=small`, `schedule="@every 1s" run_now=true`,
		`tick=run-now run=1 status=succeeded`, `msg="scheduler stopped"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	if stdout.String() != "" {
		t.Errorf("stdout: %q", stdout.String())
	}
	code, out, errOut := mosaic(t, "sql", "-p", p, "--format", "csv",
		"SELECT count(*) AS runs, count(*) FILTER (WHERE status = 'succeeded') AS succeeded, max(CAST(stats->'$.feeds.crm.rows_read' AS INT)) FILTER (WHERE run_id = 1) AS first_read FROM runs")
	if code != ExitOK {
		t.Fatalf("sql: %s", errOut)
	}
	var runs, succeeded, firstRead int
	if _, err := fmt.Sscanf(out, "runs,succeeded,first_read\n%d,%d,%d\n", &runs, &succeeded, &firstRead); err != nil || runs < 3 || succeeded != runs || firstRead != 3 {
		t.Errorf("runs table: %q; want 3 or more runs, all succeeded, the first reading 3 rows", out)
	}
	if n := strings.Count(log, `msg="run finished"`); runs < n {
		t.Errorf("%d runs in the store, %d logged", runs, n)
	}
}

// TestScheduleSIGTERMCancelsARunPastGrace starts `mosaic schedule` as a
// child process, sends SIGTERM while a run stages a large file with
// --grace 0s: the run is cancelled, the process exits 0, and the store
// reads as before but for the cancelled run's record.
func TestScheduleSIGTERMCancelsARunPastGrace(t *testing.T) {
	if testing.Short() {
		t.Skip("stages 500k rows; skipped with -short")
	}
	dir := smallDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	writeFile(t, p, strings.Replace(everySecond, "@every 1s", "@yearly", 1))
	if code, _, errOut := mosaic(t, "run", p); code != ExitOK {
		t.Fatalf("first run: %s", errOut)
	}
	before := snapshot(t, filepath.Join(dir, "store.duckdb"), publicViews, privateTables)
	bigCSV(t, filepath.Join(dir, "in/big.csv"), 500_000)

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "schedule", "--run-now", "--grace", "0s", p)
	cmd.Env = append(os.Environ(), "MOSAIC_CLI_SUBPROCESS=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	logDone := make(chan struct{})
	started := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), `msg="run started"`) {
				once.Do(func() { close(started) })
			}
		}
	}()
	select {
	case <-started:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the scheduled run never started")
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-logDone
	err = cmd.Wait()
	if err != nil {
		t.Fatalf("exit after SIGTERM: %v, want 0\n%s", err, log.String())
	}
	if strings.Contains(log.String(), "run committed") {
		t.Fatalf("the run committed before SIGTERM; make the input larger\n%s", log.String())
	}
	for _, want := range []string{"grace period over: cancelling running runs", "run=2 status=cancelled", `msg="scheduler stopped"`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, log.String())
		}
	}
	after := snapshot(t, filepath.Join(dir, "store.duckdb"), publicViews, privateTables)
	runsAfter := after["runs"]
	delete(before, "runs")
	delete(after, "runs")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("the cancelled run changed the store (-before +after):\n%s", diff)
	}
	if len(runsAfter) != 2 || !strings.Contains(runsAfter[1], `"status":"cancelled"`) {
		t.Errorf("runs after SIGTERM: %q, want the first run and a cancelled one", runsAfter)
	}
}

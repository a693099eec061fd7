package cli

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/server"
)

// servePipeline's schedule is far enough for no run to start in a test:
// the tests run the pipeline themselves, after the server.
const servePipeline = `version: 1
name: served
state: ./store.duckdb
schedule: "@every 24h"
retention: { events: 3650d, profiles: 3650d }
feeds:
  - name: app
    source: { kind: events_api, key_env: SERVE_TEST_KEY, secret_env: SERVE_TEST_SECRET }
    source_type: events_api
    protection: create_update
`

// startServe starts `mosaic serve` in a child process (this test binary,
// see TestMain) on a free port, with env added to its environment, and
// returns it with its base URL.
func startServe(t *testing.T, pipeline string, env ...string) (*exec.Cmd, string, *syncLog) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "serve", pipeline, "--addr", "127.0.0.1:0", "--grace", "5s")
	cmd.Env = append(append(os.Environ(), "MOSAIC_CLI_SUBPROCESS=1", "SERVE_TEST_KEY=k", "SERVE_TEST_SECRET=s"), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	log := &syncLog{}
	sc := bufio.NewScanner(stderr)
	addr := regexp.MustCompile(`msg=serving addr=(\S+)`)
	for sc.Scan() {
		log.add(sc.Text())
		if m := addr.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() {
					log.add(sc.Text())
				}
			}()
			return cmd, "http://" + m[1], log
		}
	}
	cmd.Wait()
	t.Fatalf("the server never started:\n%s", log.String())
	return nil, "", nil
}

// syncLog collects a child's log lines as they come.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(line + "\n")
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func postBatches(url string, ids []string) (int, error) {
	var b strings.Builder
	b.WriteString("[")
	for i, id := range ids {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"environment": "production", "source_request_id": %q, "user_identities": {"customerid": %q},
			"events": [{"event_type": "custom_event", "data": {"event_name": "Ping", "custom_event_type": "other", "timestamp_unixtime_ms": 1780000000000}}]}`, id, "c-"+id)
	}
	b.WriteString("]")
	req, _ := http.NewRequest("POST", url+"/v2/bulkevents", strings.NewReader(b.String()))
	req.SetBasicAuth("k", "s")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// landedRequests counts each source_request_id the store's app feed kept.
func landedRequests(t *testing.T, state string) map[string]int {
	t.Helper()
	db, err := sql.Open("duckdb", state+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT request_id, count(*) FROM _mosaic.feed_rows WHERE feed = 'app' GROUP BY ALL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		rows.Scan(&id, &n)
		out[id] = n
	}
	return out
}

// TestServeKilledLosesNoAcceptedBatch sends bulk requests from 16 clients
// to a server killed with SIGKILL mid-stream: after the next `mosaic run`
// every batch answered 202 is in the store, none twice, and a further run
// reads nothing again.
func TestServeKilledLosesNoAcceptedBatch(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(p, []byte(servePipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	child, url, log := startServe(t, p)
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ids := make([]string, 10)
				for j := range ids {
					ids[j] = fmt.Sprintf("g%d-%d-%d", g, i, j)
				}
				code, err := postBatches(url, ids)
				if err != nil {
					return // the server is gone
				}
				if code == http.StatusAccepted {
					mu.Lock()
					acked = append(acked, ids...)
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(700 * time.Millisecond)
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 100 {
		t.Fatalf("only %d batches were accepted before the kill; the test proves little\n%s", len(acked), log.String())
	}
	if code, out, errOut := mosaic(t, "run", p); code != ExitOK {
		t.Fatalf("run after the kill: %d\n%s\n%s", code, out, errOut)
	}
	state := filepath.Join(dir, "store.duckdb")
	landed := landedRequests(t, state)
	for _, id := range acked {
		if landed[id] != 1 {
			t.Fatalf("batch %s was answered 202 and is in the store %d times (want 1); %d accepted, %d landed", id, landed[id], len(acked), len(landed))
		}
	}
	for id, n := range landed {
		if n != 1 {
			t.Fatalf("batch %s is in the store %d times", id, n)
		}
	}
	if code, out, errOut := mosaic(t, "run", p); code != ExitOK || len(landedRequests(t, state)) != len(landed) {
		t.Fatalf("second run: %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("%d batches accepted before the kill, %d in the store", len(acked), len(landed))
}

// TestServeStopsOnSIGTERM: while the server holds the store a run is
// refused naming it; SIGTERM stops it with exit 0, its landing log sealed,
// and the next run reads the accepted batch.
func TestServeStopsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(p, []byte(servePipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	child, url, log := startServe(t, p)
	if code, err := postBatches(url, []string{"one"}); err != nil || code != http.StatusAccepted {
		t.Fatalf("%d %v", code, err)
	}
	if code, _, errOut := mosaic(t, "run", p); code != ExitFailed || !strings.Contains(errOut, "mosaic serve served") {
		t.Errorf("a run while serving: %d %s; want it refused naming the server", code, errOut)
	}
	child.Process.Signal(syscall.SIGTERM)
	if err := child.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, log.String())
	}
	if open, _ := filepath.Glob(filepath.Join(dir, "store.duckdb.events/app/*.open")); len(open) != 0 {
		t.Errorf("segments left open after a clean stop: %v", open)
	}
	if code, out, errOut := mosaic(t, "run", p); code != ExitOK || len(landedRequests(t, filepath.Join(dir, "store.duckdb"))) != 1 {
		t.Fatalf("run after the stop: %d\n%s\n%s", code, out, errOut)
	}
}

// TestServeRaisesProcs: serve runs with a Go processor beyond the cores for
// each goroutine a run lowers (server.Procs), unless GOMAXPROCS is set.
func TestServeRaisesProcs(t *testing.T) {
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is set: this process's default is not the child's")
	}
	p := filepath.Join(t.TempDir(), "pipeline.yaml")
	if err := os.WriteFile(p, []byte(servePipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	procs := regexp.MustCompile(`msg=serving .* procs=(\d+)`)
	for _, c := range []struct {
		env  string
		want int
	}{{"GOMAXPROCS=", server.Procs(0)}, {"GOMAXPROCS=3", 3}} {
		child, _, log := startServe(t, p, c.env)
		m := procs.FindStringSubmatch(log.String())
		if m == nil || m[1] != strconv.Itoa(c.want) {
			t.Errorf("%s: the server logged %v, want procs=%d:\n%s", c.env, m, c.want, log.String())
		}
		child.Process.Signal(syscall.SIGTERM)
		child.Wait()
	}
}

// TestReadCommandsAskTheServer: while `mosaic serve` holds the store, the
// read commands answer through it, as they do from the file; a write is
// still refused.
func TestReadCommandsAskTheServer(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(p, []byte(servePipeline+`audiences:
  - name: pingers
    criteria: { event: { name: Ping } }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	child, url, _ := startServe(t, p)
	if code, err := postBatches(url, []string{"one"}); err != nil || code != http.StatusAccepted {
		t.Fatalf("%d %v", code, err)
	}
	child.Process.Signal(syscall.SIGTERM)
	child.Wait()
	if code, out, errOut := mosaic(t, "run", p); code != ExitOK {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	commands := [][]string{
		{"sql", "-p", p, "--format", "csv", "SELECT identity_type, identity_value FROM profile_identities"},
		{"runs", "-p", p, "--format", "csv"},
		{"profile", "-p", p, "--identity", "customerid=c-one", "--format", "json"},
		{"audiences", "-p", p, "--format", "csv"},
		{"audience", "pingers", "-p", p, "--members", "--format", "csv"},
		{"outputs", "-p", p, "--format", "csv"},
	}
	var fromFile []string
	for _, args := range commands {
		code, out, errOut := mosaic(t, args...)
		if code != ExitOK {
			t.Fatalf("%v from the file: %d %s", args, code, errOut)
		}
		fromFile = append(fromFile, out)
	}
	child, url, log := startServe(t, p)
	defer func() {
		child.Process.Signal(syscall.SIGTERM)
		child.Wait()
	}()
	for i, args := range commands {
		code, out, errOut := mosaic(t, args...)
		if code != ExitOK || out != fromFile[i] {
			t.Errorf("%v through the server: %d %s\n%s\nwant as from the file:\n%s\nserver log:\n%s", args, code, errOut, out, fromFile[i], log)
		}
	}
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `mosaic_http_requests_total{code="200",route="POST /v1/query"}`) {
		t.Errorf("the server answered no query: the commands did not ask it")
	}
	if code, _, errOut := mosaic(t, "sql", "-p", p, "DELETE FROM profiles"); code != ExitUsage || !strings.Contains(errOut, "read-only") {
		t.Errorf("a write through the server: %d %s; want exit 2, refused", code, errOut)
	}
	// The server holds the store open for writing: a write ahead of a
	// read must not run while the query is checked.
	if code, _, errOut := mosaic(t, "sql", "-p", p, "DELETE FROM _mosaic.runs; SELECT 1"); code != ExitUsage || !strings.Contains(errOut, "one statement at a time") {
		t.Errorf("a write ahead of a read through the server: %d %s; want exit 2, one statement at a time", code, errOut)
	}
	if code, out, _ := mosaic(t, commands[1]...); code != ExitOK || out != fromFile[1] {
		t.Errorf("runs after the refused write: %d\n%s\nwant as before:\n%s", code, out, fromFile[1])
	}
	if code, _, errOut := mosaic(t, "sql", "-p", p, "SELECT * FROM nowhere"); code != ExitFailed || !strings.Contains(errOut, "nowhere") {
		t.Errorf("a bad query through the server: %d %s; want exit 1 naming the table", code, errOut)
	}
}

// TestServeRefusesEventsThatNoRunStages: an Events API feed without
// `schedule:` or the Profile API (whose POST /v1/runs asks for a run)
// would land batches that nothing stages while the server holds the
// store: serve refuses to start, naming both fixes.
func TestServeRefusesEventsThatNoRunStages(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipeline.yaml")
	if err := os.WriteFile(p, []byte(strings.Replace(servePipeline, "schedule: \"@every 24h\"\n", "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A child, so that a server that starts is stopped by the timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "serve", p, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "MOSAIC_CLI_SUBPROCESS=1", "SERVE_TEST_KEY=k", "SERVE_TEST_SECRET=s")
	out, _ := cmd.CombinedOutput()
	want := "mosaic serve: " + p + ":6:5: feed app: the Events API would accept batches that no run stages"
	if code := cmd.ProcessState.ExitCode(); code != ExitUsage || !strings.Contains(string(out), want) || !strings.Contains(string(out), "Add `schedule:`") || !strings.Contains(string(out), "POST /v1/runs") {
		t.Errorf("serve: exit %d\n%s\nwant exit 2 and …%s…", code, out, want)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(p), "store.duckdb")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused server made the store (%v)", err)
	}
}

// TestServeRefusesBadFlags: a negative --run-cores or --grace is a usage
// error that names the flag, before anything starts.
func TestServeRefusesBadFlags(t *testing.T) {
	for _, c := range [][]string{{"--run-cores", "-1"}, {"--grace", "-1s"}} {
		code, _, errOut := mosaic(t, append([]string{"serve", "pipeline.yaml"}, c...)...)
		if code != ExitUsage || !strings.Contains(errOut, c[0]) {
			t.Errorf("serve %v: %d %q, want a usage error naming %s", c, code, errOut, c[0])
		}
	}
}

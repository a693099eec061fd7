package landing

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// segmentFiles returns the names of dir's files but its LOCK.
func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != "LOCK" {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestOpenRecovers(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"000000000003.ndjson":      "{\"a\":0}\n",
		"000000000004.ndjson.open": "{\"a\":1}\n{\"a\":2}\n{\"a\":3",
		"000000000005.ndjson.open": "",
		"notes.txt":                "not a segment",
	})
	var logs bytes.Buffer
	l := open(t, dir, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if diff := cmp.Diff([]string{"000000000003.ndjson", "000000000004.ndjson", "notes.txt"}, segmentFiles(t, dir)); diff != "" {
		t.Errorf("files after Open (-want +got):\n%s", diff)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "bytes=6") {
		t.Errorf("no warning of the 6 bytes cut:\n%s", logs.String())
	}
	if st := l.Stats(); st.Segments != 2 || st.UnreadBytes != 24 {
		t.Errorf("Stats() = %+v, want 2 segments of 24 bytes", st)
	}
	if err := l.Append(ctx, []byte(`{"a":4}`)); err != nil {
		t.Fatal(err)
	}
	if err := l.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	_, lines := sealed(t, dir)
	want := map[string][]string{
		"000000000003.ndjson": {`{"a":0}`},
		"000000000004.ndjson": {`{"a":1}`, `{"a":2}`},
		"000000000006.ndjson": {`{"a":4}`},
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("sealed segments (-want +got):\n%s", diff)
	}
}

func TestRecover(t *testing.T) {
	if err := Recover(filepath.Join(t.TempDir(), "missing"), nil); err != nil {
		t.Errorf("Recover(missing dir) = %v", err)
	}
	dir := t.TempDir()
	torn := strings.Repeat("x", 100<<10) // longer than completeLines' buffer
	writeFiles(t, dir, map[string]string{
		"000000000007.ndjson.open": "{\"b\":1}\n" + torn,
		"000000000008.ndjson.open": torn,
	})
	if err := Recover(dir, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"000000000007.ndjson"}, segmentFiles(t, dir)); diff != "" {
		t.Errorf("files after Recover (-want +got):\n%s", diff)
	}
	if got := allLines(t, dir); !cmp.Equal(got, []string{`{"b":1}`}) {
		t.Errorf("lines after Recover: %.40q", got)
	}
	l := open(t, dir, Options{}) // Recover released the LOCK
	if err := l.Append(ctx, []byte(`{"b":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// 8 was removed empty: numbering goes on after the highest segment left.
	if diff := cmp.Diff([]string{"000000000007.ndjson", "000000000008.ndjson"}, segmentFiles(t, dir)); diff != "" {
		t.Errorf("files after Close (-want +got):\n%s", diff)
	}
}

const crashEnv = "MOSAIC_LANDING_CRASH_DIR"

// TestCrashChild is TestCrash's child process: it appends calls of 1 to 3
// records {"id":N,"k":K} from 8 goroutines and prints N once Append has
// returned, until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("the child process of TestCrash")
	}
	l, err := Open(dir, Options{SegmentBytes: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	var next atomic.Int64
	var mu sync.Mutex
	for range 8 {
		go func() {
			for {
				id := next.Add(1)
				if err := l.Append(ctx, crashCall(id)...); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "%d\n", id)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Minute)
	t.Fatal("not killed")
}

func crashCall(id int64) [][]byte {
	recs := make([][]byte, 1+id%3)
	for k := range recs {
		recs[k] = fmt.Appendf(nil, `{"id":%d,"k":%d}`, id, k)
	}
	return recs
}

// TestCrash SIGKILLs a process appending to a log: once recovered, the log
// holds every call the process saw acknowledged, exactly once. (A killed
// process loses nothing it wrote; a power cut is what fsync is for, and no
// test here cuts the power.)
func TestCrash(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	r := bufio.NewReader(stdout)
	first, err := r.ReadString('\n')
	if err != nil {
		cmd.Wait()
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	out := make(chan string)
	go func() {
		rest, _ := io.ReadAll(r)
		out <- first + string(rest)
	}()
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	acked := <-out
	cmd.Wait()
	if stderr.Len() > 0 {
		t.Fatalf("child: %s", stderr.String())
	}
	ids := strings.Split(acked, "\n")
	ids = ids[:len(ids)-1] // a torn last line, or ""

	l := open(t, dir, Options{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	lines := allLines(t, dir)
	count := map[string]int{}
	for n, line := range lines {
		count[line]++
		var id, k int64
		if _, err := fmt.Sscanf(line, `{"id":%d,"k":%d}`, &id, &k); err != nil {
			t.Fatalf("line %d %q: %v", n, line, err)
		}
		if k > 0 && (n == 0 || lines[n-1] != string(crashCall(id)[k-1])) {
			t.Errorf("line %d %q: not after its call's record %d", n, line, k-1)
		}
	}
	for _, s := range ids {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("child printed %q", s)
		}
		for _, r := range crashCall(id) {
			if c := count[string(r)]; c != 1 {
				t.Errorf("acknowledged %s is there %d times", r, c)
			}
		}
	}
	names, _ := sealed(t, dir)
	t.Logf("%d calls acknowledged, %d records in %d segments", len(ids), len(lines), len(names))
}

// TestWriteFailure closes the active segment under the writer: the write
// fails, and so does every later call, until the log is opened again.
func TestWriteFailure(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, Options{})
	if err := l.Append(ctx, []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	l.f.Close() // the writer is idle: Append returned
	err := l.Append(ctx, []byte(`{"a":2}`))
	if err == nil || !strings.Contains(err.Error(), "000000000001.ndjson.open") {
		t.Fatalf("append to a closed segment: %v, want an error naming it", err)
	}
	if err2 := l.Append(ctx, []byte(`{"a":3}`)); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("append after the failure: %v, want %v", err2, err)
	}
	if err2 := l.Rotate(ctx); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("Rotate after the failure: %v, want %v", err2, err)
	}
	if err2 := l.Close(); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("Close after the failure: %v, want %v", err2, err)
	}
	l = open(t, dir, Options{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := allLines(t, dir); !cmp.Equal(got, []string{`{"a":1}`}) {
		t.Errorf("after Open: %q", got)
	}
}

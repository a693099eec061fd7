package landing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var ctx = context.Background()

func open(t testing.TB, dir string, opts Options) *Log {
	t.Helper()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// sealed returns the lines of dir's sealed segments, by segment base name.
func sealed(t testing.TB, dir string) (names []string, lines map[string][]string) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(paths)
	lines = map[string][]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 || b[len(b)-1] != '\n' {
			t.Fatalf("%s does not end in a newline: %q", p, b)
		}
		names = append(names, filepath.Base(p))
		lines[filepath.Base(p)] = strings.Split(string(b[:len(b)-1]), "\n")
	}
	return names, lines
}

// allLines returns the lines of dir's sealed segments, in order.
func allLines(t testing.TB, dir string) []string {
	names, lines := sealed(t, dir)
	var all []string
	for _, n := range names {
		all = append(all, lines[n]...)
	}
	return all
}

func TestAppendRotate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "web")
	l := open(t, dir, Options{})
	if err := l.Append(ctx, []byte(`{"a":1}`), []byte(`{"a":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, []byte(`{"a":3}`)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{[]byte("{\"a\":\n4}"), {}} {
		if err := l.Append(ctx, []byte(`{"ok":1}`), bad); err == nil {
			t.Errorf("Append(%q) = nil, want an error", bad)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "000000000001.ndjson.open")); err != nil {
		t.Errorf("active segment: %v", err)
	}
	if err := l.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Rotate(ctx); err != nil { // nothing to seal
		t.Fatal(err)
	}
	names, lines := sealed(t, dir)
	want := map[string][]string{"000000000001.ndjson": {`{"a":1}`, `{"a":2}`, `{"a":3}`}}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("sealed segments %v (-want +got):\n%s", names, diff)
	}
	if open, _ := filepath.Glob(filepath.Join(dir, "*.open")); len(open) != 0 {
		t.Errorf("after Rotate: %v", open)
	}
	st := l.Stats()
	if st.Appends != 2 || st.Records != 3 || st.Segments != 1 || st.UnreadBytes != 24 || st.QueuedBytes != 0 {
		t.Errorf("Stats() = %+v", st)
	}
}

// call is the records of call i of goroutine g: {"g":g,"i":i,"k":k}.
func call(g, i int) [][]byte {
	recs := make([][]byte, 1+(g+i)%3)
	for k := range recs {
		recs[k] = fmt.Appendf(nil, `{"g":%d,"i":%d,"k":%d}`, g, i, k)
	}
	return recs
}

// checkCalls checks that lines hold every record of calls exactly once,
// each call's records contiguous.
func checkCalls(t *testing.T, lines []string, goroutines, calls int) {
	t.Helper()
	seen := map[string]bool{}
	for n, line := range lines {
		var g, i, k int
		if _, err := fmt.Sscanf(line, `{"g":%d,"i":%d,"k":%d}`, &g, &i, &k); err != nil {
			t.Fatalf("line %d %q: %v", n, line, err)
		}
		if seen[line] {
			t.Errorf("line %d %q: twice", n, line)
		}
		seen[line] = true
		if k > 0 && (n == 0 || lines[n-1] != fmt.Sprintf(`{"g":%d,"i":%d,"k":%d}`, g, i, k-1)) {
			t.Errorf("line %d %q: not after its call's record %d", n, line, k-1)
		}
	}
	for g := range goroutines {
		for i := range calls {
			for _, r := range call(g, i) {
				if !seen[string(r)] {
					t.Errorf("%s missing", r)
				}
			}
		}
	}
}

// TestConcurrentAppends gives fsync a real disk's latency (1ms more): the
// writer does not wait for calls to gather, so on a disk whose fsync is
// quicker than the callers' way back to Append, groups may be of one call;
// with a slow fsync, every call arriving during it must share the next one.
func TestConcurrentAppends(t *testing.T) {
	const goroutines, calls = 64, 200
	dir := t.TempDir()
	l := open(t, dir, Options{SegmentBytes: 64 << 10, syncHook: func() { time.Sleep(time.Millisecond) }})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls {
				if err := l.Append(ctx, call(g, i)...); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	checkCalls(t, allLines(t, dir), goroutines, calls)
	st := l.Stats()
	if st.Appends != goroutines*calls || st.Syncs >= st.Appends/2 {
		t.Errorf("Stats() = %+v, want %d appends and fewer than half as many syncs", st, goroutines*calls)
	}
	t.Logf("%+v", st)
}

func TestSegmentRolling(t *testing.T) {
	const goroutines, calls, limit = 4, 50, 200
	dir := t.TempDir()
	l := open(t, dir, Options{SegmentBytes: limit})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls {
				if err := l.Append(ctx, call(g, i)...); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	big := bytes.Repeat([]byte("x"), limit+1)
	if err := l.Append(ctx, big); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, call(goroutines, 0)...); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	names, lines := sealed(t, dir)
	if len(names) < 10 {
		t.Errorf("%d segments, want many", len(names))
	}
	var all []string
	for i, name := range names {
		if want := fmt.Sprintf("%012d.ndjson", i+1); name != want {
			t.Errorf("segment %d is %s, want %s", i, name, want)
		}
		size := len(strings.Join(lines[name], "\n")) + 1
		if size > limit && len(lines[name]) > 1 {
			t.Errorf("%s: %d bytes in %d lines, over %d", name, size, len(lines[name]), limit)
		}
		// A call is never split: a segment starts with a call's first record.
		if first := lines[name][0]; !strings.Contains(first, `"k":0}`) && first != string(big) {
			t.Errorf("%s starts with %s", name, first)
		}
		if lines[name][0] != string(big) {
			all = append(all, lines[name]...)
		} else if len(lines[name]) != 1 {
			t.Errorf("%s: the big record shares its segment: %v", name, lines[name])
		}
	}
	checkCalls(t, all, goroutines, calls)
}

func TestBehind(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, Options{MaxUnreadBytes: 100})
	rec := []byte(`{"pad":"` + strings.Repeat("x", 21) + `"}`) // 31 bytes a line
	for i := range 3 {
		if err := l.Append(ctx, rec); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	if err := l.Append(ctx, rec); !errors.Is(err, ErrBehind) {
		t.Fatalf("append over the limit: %v, want ErrBehind", err)
	}
	if err := l.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, rec); !errors.Is(err, ErrBehind) {
		t.Fatalf("append after Rotate: %v, want ErrBehind", err)
	}
	l.Release(filepath.Join(dir, "000000000001.ndjson"))
	if st := l.Stats(); st.UnreadBytes != 0 || st.Segments != 0 {
		t.Errorf("after Release: %+v", st)
	}
	for i := range 3 {
		if err := l.Append(ctx, rec); err != nil {
			t.Fatalf("append %d after Release: %v", i, err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := len(allLines(t, dir)); got != 6 {
		t.Errorf("%d lines, want 6", got)
	}
}

// TestQueuedBehind holds the writer in its first fsync: the bytes being
// written still count as queued.
func TestQueuedBehind(t *testing.T) {
	hold := make(chan struct{})
	var once sync.Once
	l := open(t, t.TempDir(), Options{MaxQueuedBytes: 100, syncHook: func() { once.Do(func() { <-hold }) }})
	first := make(chan error)
	go func() { first <- l.Append(ctx, bytes.Repeat([]byte("a"), 59)) }()
	for l.Stats().QueuedBytes != 60 {
		time.Sleep(time.Millisecond)
	}
	if err := l.Append(ctx, bytes.Repeat([]byte("b"), 59)); !errors.Is(err, ErrBehind) {
		t.Errorf("second append: %v, want ErrBehind", err)
	}
	close(hold)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, bytes.Repeat([]byte("b"), 59)); err != nil {
		t.Errorf("append after the fsync: %v", err)
	}
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, Options{})
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second Open: %v, want ErrLocked naming %s", err, dir)
	}
	if err := l.Append(ctx, []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	active := filepath.Join(dir, "000000000001.ndjson.open")
	if err := Recover(dir, nil); err != nil {
		t.Fatalf("Recover: %v", err)
	}
	if b, err := os.ReadFile(active); err != nil || string(b) != "{\"a\":1}\n" {
		t.Errorf("after Recover: %q, %v", b, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2 := open(t, dir, Options{})
	if err := l2.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestClose closes the log while its writer is held in an fsync with calls
// queued behind it: Close completes them all and seals.
func TestClose(t *testing.T) {
	dir := t.TempDir()
	hold := make(chan struct{})
	var once sync.Once
	l := open(t, dir, Options{syncHook: func() { once.Do(func() { <-hold }) }})
	errs := make(chan error, 5)
	for i := range 5 {
		go func() { errs <- l.Append(ctx, fmt.Appendf(nil, `{"i":%d}`, i)) }()
	}
	cancelled, cancel := context.WithCancel(ctx)
	go func() {
		for l.Stats().QueuedBytes != 6*8 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if err := l.Append(cancelled, []byte(`{"i":5}`)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled append: %v", err)
	}
	closed := make(chan error)
	go func() { closed <- l.Close() }()
	for {
		l.mu.Lock()
		c := l.closed
		l.mu.Unlock()
		if c {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := l.Append(ctx, []byte(`{"i":6}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("append while closing: %v, want ErrClosed", err)
	}
	close(hold)
	for range 5 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	got := allLines(t, dir)
	slices.Sort(got)
	// The cancelled call was queued: it is written all the same.
	want := []string{`{"i":0}`, `{"i":1}`, `{"i":2}`, `{"i":3}`, `{"i":4}`, `{"i":5}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sealed lines (-want +got):\n%s", diff)
	}
	if err := l.Rotate(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Rotate after Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestDir(t *testing.T) {
	if got, want := Dir("/data/mosaic.duckdb", "web"), "/data/mosaic.duckdb.events/web"; got != want {
		t.Errorf("Dir = %s, want %s", got, want)
	}
}

func BenchmarkAppendParallel(b *testing.B) {
	l := open(b, b.TempDir(), Options{})
	rec := []byte(`{"pad":"` + strings.Repeat("x", 1024-10) + `"}`)
	b.SetParallelism(32) // many concurrent requests, as under HTTP load
	b.SetBytes(int64(len(rec)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.Append(ctx, rec); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	st := l.Stats()
	b.ReportMetric(float64(st.Records)/float64(st.Syncs), "records/fsync")
}

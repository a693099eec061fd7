package connectortest

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// testWatermark reads with `cursor: ts`: the second read of unchanged data
// keeps nothing, and after new rows only those are kept, none of them
// filtered by the engine when the source pushes the cursor down or keeps
// state (rows_at_or_below_watermark stays 0).
func testWatermark(t *testing.T, src connectors.Source, fx Fixture) {
	dir := t.TempDir()
	first := Rows(0, 30)
	h := newHarness(t, src, dir, fx.Write(t, dir, first), "ts")
	st, err := h.read(context.Background())
	if err != nil || st.Kept != 30 {
		t.Fatalf("first read: %+v, %v; want 30 kept", st, err)
	}
	h.wantWatermark(first[len(first)-1].TS)
	if st, err := h.read(context.Background()); err != nil || st.Kept != 0 {
		t.Fatalf("second read of unchanged data: %+v, %v; want nothing kept", st, err)
	}
	more := Rows(30, 12)
	fx.Write(t, dir, more)
	st, err = h.read(context.Background())
	if err != nil || st.Kept != 12 || st.Read != 12 || st.Seen != 0 {
		t.Fatalf("read after new rows: %+v, %v; want 12 read and kept, none at or below the watermark (the source must not deliver old rows)", st, err)
	}
	if got := h.kept(); !slices.Equal(got, want(append(first, more...))) {
		t.Fatalf("rows kept:\n got %q\nwant %q", got, want(append(first, more...)))
	}
	h.wantWatermark(more[len(more)-1].TS)
}

// wantWatermark checks the committed watermark is the time want (its text
// is the source's: RFC 3339 from files, DuckDB's text from typed columns).
func (h *harness) wantWatermark(want time.Time) {
	h.t.Helper()
	_, wm := h.committed()
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999-07", "2006-01-02 15:04:05.999999"} {
		if got, err := time.Parse(layout, wm); err == nil && got.Equal(want) {
			return
		}
	}
	h.t.Fatalf("committed watermark %q, want the time %s", wm, want.Format(time.RFC3339))
}

// testEmpty reads a feed that has no rows: no error, nothing kept.
func testEmpty(t *testing.T, src connectors.Source, fx Fixture) {
	for _, cursor := range []string{"", "ts"} {
		dir := t.TempDir()
		h := newHarness(t, src, dir, fx.Write(t, dir, nil), cursor)
		st, err := h.read(context.Background())
		if err != nil || st.Read != 0 || st.Kept != 0 {
			t.Fatalf("read of an empty feed (cursor %q): %+v, %v; want nothing and no error", cursor, st, err)
		}
		if got := h.kept(); len(got) != 0 {
			t.Fatalf("empty feed kept %q", got)
		}
	}
}

func (fx Fixture) midReadRows() int {
	if fx.MidReadRows > 0 {
		return fx.MidReadRows
	}
	return 1000
}

// testCancelMidRead cancels the read once the first batch is staged: the
// read fails with context.Canceled and the store keeps nothing of it, so the
// next read delivers every row.
func testCancelMidRead(t *testing.T, src connectors.Source, fx Fixture) {
	dir := t.TempDir()
	rows := Rows(0, fx.midReadRows())
	h := newHarness(t, src, dir, fx.Write(t, dir, rows), "ts")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := h.readVia(ctx, func(s connectors.Sink) connectors.Sink { return onFirstBatch(s, cancel) })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("read cancelled mid-way: err = %v, want context.Canceled", err)
	}
	h.wantNothingCommitted()
	if st, err := h.read(context.Background()); err != nil || st.Kept != int64(len(rows)) {
		t.Fatalf("read after the cancelled one: %+v, %v; want all %d rows", st, err, len(rows))
	}
}

// testBroken breaks the source's connection after the first batch: the
// read fails with an error that says so, and the store keeps nothing.
func testBroken(t *testing.T, src connectors.Source, fx Fixture) {
	if fx.Break == nil {
		t.Skip("this source has no connection to break")
	}
	dir := t.TempDir()
	rows := Rows(0, fx.midReadRows())
	h := newHarness(t, src, dir, fx.Write(t, dir, rows), "ts")
	within := fx.FailWithin
	if within == 0 {
		within = 30 * time.Second
	}
	// A source that retries until its context ends hits this deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 2*within)
	defer cancel()
	var broke time.Time
	_, err := h.readVia(ctx, func(s connectors.Sink) connectors.Sink {
		return onFirstBatch(s, func() { fx.Break(t); broke = time.Now() })
	})
	took := time.Since(broke)
	if fx.Restore != nil {
		fx.Restore(t)
	}
	if err == nil {
		t.Fatal("read whose connection broke mid-way succeeded; want an error")
	}
	if broke.IsZero() {
		t.Fatalf("the read failed before its first batch, so the connection was never broken: %v", err)
	}
	if errors.Is(err, context.DeadlineExceeded) || took > within {
		t.Fatalf("the read failed %v after its connection broke, want within %v: %v", took.Round(time.Millisecond), within, err)
	}
	if errors.Is(err, context.Canceled) {
		t.Fatalf("broken connection reported as a cancellation: %v", err)
	}
	t.Logf("broken connection: the read failed %v after the break: %v", took.Round(time.Millisecond), err)
	h.wantNothingCommitted()
	if st, err := h.read(context.Background()); err != nil || st.Kept != int64(len(rows)) {
		t.Fatalf("read after the broken one: %+v, %v; want all %d rows", st, err, len(rows))
	}
}

func (h *harness) wantNothingCommitted() {
	h.t.Helper()
	if got := h.kept(); len(got) != 0 {
		h.t.Fatalf("a failed read left %d rows in the store", len(got))
	}
	if state, wm := h.committed(); state != "" || wm != "" {
		h.t.Fatalf("a failed read committed state %q, watermark %q", state, wm)
	}
}

// testLarge reads 1M rows with the process's memory under 512 MiB.
func testLarge(t *testing.T, src connectors.Source, fx Fixture) {
	switch {
	case !fx.Large:
		t.Skip("the 1M-row case runs for one fixture per source (Fixture.Large)")
	case testing.Short():
		t.Skip("the 1M-row case does not run with -short")
	case os.Getenv("MOSAIC_LARGE_TESTS") == "":
		t.Skip("the 1M-row case runs with MOSAIC_LARGE_TESTS=1 (.ci/run sets it once, for the PostgreSQL tests)")
	}
	const n, chunk = 1_000_000, 100_000
	dir := t.TempDir()
	var block string
	for from := 0; from < n; from += chunk {
		block = fx.Write(t, dir, Rows(from, chunk))
	}
	h := newHarness(t, src, dir, block, "ts")
	var readTime time.Duration
	var read *memWatch
	var start time.Time
	h.afterRead = func() { read, readTime = read.stop(), time.Since(start) }
	read, start = watchMemory(), time.Now()
	st, err := h.read(context.Background())
	if err != nil || st.Kept != n {
		t.Fatalf("1M-row read: %+v, %v", st, err)
	}
	t.Logf("1M rows staged by the source in %v (%.0f rows/s): peak Go heap %d MiB, peak RSS %s; with the engine's mapping and commit: %v",
		readTime.Round(time.Millisecond), n/readTime.Seconds(), read.heapPeak>>20, read.rssText(), time.Since(start).Round(time.Millisecond))
	if read.rssOK && read.rssPeak >= 512<<20 {
		t.Fatalf("peak RSS %d MiB while the source read 1M rows, want < 512 MiB", read.rssPeak>>20)
	}
	if read.heapPeak >= 512<<20 {
		t.Fatalf("peak Go heap %d MiB while the source read 1M rows, want < 512 MiB", read.heapPeak>>20)
	}
}

// onFirstBatch wraps a sink so that fn runs once, after the first record
// batch crosses it (or before its first query, for sources DuckDB reads).
func onFirstBatch(s connectors.Sink, fn func()) connectors.Sink {
	return &trigger{Sink: s, fn: fn}
}

type trigger struct {
	connectors.Sink
	once sync.Once
	fn   func()
}

func (s *trigger) Arrow(ctx context.Context, r array.RecordReader) error {
	return s.Sink.Arrow(ctx, &triggerReader{RecordReader: r, s: s})
}

func (s *trigger) Query(ctx context.Context, query string) error {
	s.once.Do(s.fn)
	return s.Sink.Query(ctx, query)
}

type triggerReader struct {
	array.RecordReader
	s *trigger
}

func (r *triggerReader) Next() bool {
	ok := r.RecordReader.Next()
	if ok {
		r.s.once.Do(r.s.fn)
	}
	return ok
}

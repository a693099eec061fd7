// Package connectortest is the conformance suite every source passes. It
// runs a source against a real profile store (embedded DuckDB), through the
// engine's own staging, never a mock.
package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// Row is one row of the suite's feed: a customer with an email, a tier and
// a time. Every source under test must be able to hold these columns.
type Row struct {
	ID, Email, Tier string
	TS              time.Time
}

// Fixture lets the suite put rows where a source reads them.
type Fixture struct {
	// Write makes rows readable by the source, after any written before
	// (for files: a new file in dir), and returns the feed's `source:`
	// block as YAML flow mapping text, e.g. `{ kind: files, path: in/*.csv }`.
	// Paths in it are relative to dir, where the pipeline file lives.
	// Write with no rows must still leave an empty, readable feed.
	Write func(t *testing.T, dir string, rows []Row) string
	// Incremental says the source remembers what it read in its state,
	// without a cursor: a second read with the returned state must deliver
	// only new rows. (Every source is tested with a cursor too.)
	Incremental bool
	// Break, when set, breaks the source's connection to its server while
	// a read is under way (for a database: terminate the session). The
	// suite calls it after the first record batch and expects the read to
	// fail and the run to commit nothing.
	Break func(t *testing.T)
	// Restore, when set, undoes Break (for a server that Break made
	// unreachable); the suite calls it once the broken read has failed,
	// before reading again.
	Restore func(t *testing.T)
	// FailWithin bounds how long the read may take to fail after Break
	// (30s when zero): a source that retries until its context ends fails
	// the case.
	FailWithin time.Duration
	// MidReadRows is how many rows the mid-read cases (cancellation, Break)
	// write, enough that the source is still reading after its first
	// batch; 1000 when zero.
	MidReadRows int
	// Large runs the 1M-row case (memory under 512 MiB) for this fixture.
	// It also needs MOSAIC_LARGE_TESTS=1 and no -short: CI runs it once.
	Large bool
}

// Rows returns n test rows starting at number from.
func Rows(from, n int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		k := from + i
		rows[i] = Row{
			ID: fmt.Sprintf("C%05d", k), Email: fmt.Sprintf("user%d@example.com", k),
			Tier: []string{"bronze", "silver", "gold"}[k%3],
			TS:   time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Minute),
		}
	}
	return rows
}

// harness is one store and pipeline for a source under test.
type harness struct {
	t      *testing.T
	dir    string
	src    connectors.Source
	p      *config.Pipeline
	store  *engine.Store
	run    int64
	cursor string
	// afterRead, when set, runs when the source's Read returns (before the
	// engine maps the staged rows).
	afterRead func()
}

// newHarness writes a one-feed pipeline reading block; cursor, when set,
// makes the feed incremental on that column.
func newHarness(t *testing.T, src connectors.Source, dir, block, cursor string) *harness {
	t.Helper()
	cursorLine := ""
	if cursor != "" {
		cursorLine = "\n    cursor: " + cursor
	}
	yaml := fmt.Sprintf(`version: 1
name: conformance
feeds:
  - name: f
    source: %s
    source_type: warehouse
    timestamp: ts%s
    identities: { id: customerid, email: email }
    attributes: { tier: tier }
`, block, cursorLine)
	path := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := config.Load(path)
	if err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	store, err := engine.Open(context.Background(), filepath.Join(dir, "store.duckdb"), engine.Options{Command: "connectortest"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return &harness{t: t, dir: dir, src: src, p: p, store: store, cursor: cursor}
}

func (h *harness) request(state json.RawMessage, watermark string) connectors.ReadRequest {
	return connectors.ReadRequest{
		ValidateRequest: connectors.ValidateRequest{Feed: "f", Source: h.p.Feeds[0].Source, Resolve: h.p.Resolve},
		Columns:         []string{"email", "id", "tier", "ts"},
		Cursor:          h.cursor,
		Watermark:       watermark,
		State:           state,
	}
}

// read runs one read as a run does (state and watermark from the store,
// committed with the rows) and returns the feed's stats.
func (h *harness) read(ctx context.Context) (engine.FeedStats, error) {
	return h.readVia(ctx, func(s connectors.Sink) connectors.Sink { return s })
}

// readVia is read with the sink wrapped by wrap.
func (h *harness) readVia(ctx context.Context, wrap func(connectors.Sink) connectors.Sink) (engine.FeedStats, error) {
	h.t.Helper()
	tx, err := h.store.Begin(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	state, watermark, err := tx.SourceState(context.Background(), "f")
	if err != nil {
		h.t.Fatal(err)
	}
	h.run++
	stage := tx.StageFeed(h.p, 0, h.run, time.Now())
	newState, err := h.src.Read(ctx, h.request(state, watermark), wrap(stage))
	if h.afterRead != nil {
		h.afterRead()
	}
	if err != nil {
		return engine.FeedStats{}, err
	}
	if newState != nil && !json.Valid(newState) {
		h.t.Fatalf("Read returned state that is not JSON: %q", newState)
	}
	st, err := stage.Finish(ctx, watermark)
	if err != nil {
		return st, err
	}
	if err := tx.PutSourceState(context.Background(), "f", newState, st.Watermark, h.run); err != nil {
		h.t.Fatal(err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	return st, nil
}

// committed returns the feed's committed source state and watermark.
func (h *harness) committed() (string, string) {
	h.t.Helper()
	tx, err := h.store.Begin(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	state, watermark, err := tx.SourceState(context.Background(), "f")
	if err != nil {
		h.t.Fatal(err)
	}
	return string(state), watermark
}

// kept returns "id email tier ts" of every kept row, in feed order.
func (h *harness) kept() []string {
	h.t.Helper()
	rows, err := h.store.Conn().QueryContext(context.Background(), `
		SELECT r.run_id, r.row_pos, strftime(r.ts, '%Y-%m-%dT%H:%M:%SZ'),
			max(i.identity_value) FILTER (WHERE i.identity_type = 'customerid'),
			max(i.identity_value) FILTER (WHERE i.identity_type = 'email'),
			any_value(a.value ->> '$')
		FROM _mosaic.feed_rows r
		JOIN _mosaic.feed_identities i USING (row_id)
		LEFT JOIN _mosaic.feed_attributes a ON a.row_id = r.row_id AND a.key = 'tier'
		GROUP BY ALL ORDER BY r.run_id, r.row_pos`)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var run, pos int64
		var ts, id, email, tier string
		if err := rows.Scan(&run, &pos, &ts, &id, &email, &tier); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, strings.Join([]string{id, email, tier, ts}, " "))
	}
	return out
}

func want(rows []Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join([]string{r.ID, r.Email, r.Tier, r.TS.Format(time.RFC3339)}, " "))
	}
	return out
}

// TestSource runs the conformance suite against src.
func TestSource(t *testing.T, src connectors.Source, fx Fixture) {
	t.Run("validate", func(t *testing.T) {
		dir := t.TempDir()
		block := fx.Write(t, dir, Rows(0, 3))
		h := newHarness(t, src, dir, block, "")
		if err := src.Validate(h.request(nil, "").ValidateRequest); err != nil {
			t.Fatalf("Validate refused a good block: %v", err)
		}
		bad := newHarness(t, src, t.TempDir(), strings.Replace(block, "{", "{ bogus_key: 1,", 1), "")
		err := src.Validate(bad.request(nil, "").ValidateRequest)
		var ce config.Errors
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), `unknown key "bogus_key"`) || ce[0].Pos.Line == 0 {
			t.Fatalf("Validate with an unknown key: err = %v, want a positioned config error naming it", err)
		}
	})
	t.Run("read", func(t *testing.T) {
		dir := t.TempDir()
		first := Rows(0, 50)
		h := newHarness(t, src, dir, fx.Write(t, dir, first), "")
		st, err := h.read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Read != 50 || st.Kept != 50 || st.Dropped != 0 {
			t.Fatalf("first read: %+v, want 50 read and kept", st)
		}
		if got := h.kept(); !slices.Equal(got, want(first)) {
			t.Fatalf("rows kept:\n got %q\nwant %q", got, want(first))
		}
		if !fx.Incremental {
			return
		}
		if st, err := h.read(context.Background()); err != nil || st.Read != 0 {
			t.Fatalf("second read of unchanged data: %+v, %v; want nothing read", st, err)
		}
		more := Rows(50, 20)
		fx.Write(t, dir, more)
		if st, err := h.read(context.Background()); err != nil || st.Kept != 20 {
			t.Fatalf("read after new rows: %+v, %v; want 20 kept", st, err)
		}
		if got := h.kept(); !slices.Equal(got, want(append(first, more...))) {
			t.Fatalf("rows kept after the second write:\n got %q\nwant %q", got, want(append(first, more...)))
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		dir := t.TempDir()
		h := newHarness(t, src, dir, fx.Write(t, dir, Rows(0, 10)), "")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := h.read(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("read with a cancelled context: err = %v, want context.Canceled", err)
		}
	})
	t.Run("watermark", func(t *testing.T) { testWatermark(t, src, fx) })
	t.Run("empty", func(t *testing.T) { testEmpty(t, src, fx) })
	t.Run("cancelled_mid_read", func(t *testing.T) { testCancelMidRead(t, src, fx) })
	t.Run("broken_connection", func(t *testing.T) { testBroken(t, src, fx) })
	t.Run("large", func(t *testing.T) { testLarge(t, src, fx) })
}

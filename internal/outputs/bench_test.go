package outputs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/outputs"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// benchProfiles is how many profiles the benchmarks' store holds:
// MOSAIC_BENCH_PROFILES, default 100000 (docs/outputs.md's figures use
// 1000000).
func benchProfiles(b *testing.B) int {
	n := 100000
	if v := os.Getenv("MOSAIC_BENCH_PROFILES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("MOSAIC_BENCH_PROFILES=%q: %v", v, err)
		}
	}
	return n
}

// benchPipeline writes a pipeline whose output crm sends every profile's
// e-mail, customer id, tier, city and lifetime value, keyed by e-mail, as
// `format` files (or, with format "webhook:URL", to that webhook), and
// opens a synthetic store of n profiles for it.
func benchPipeline(b *testing.B, n int, format string) (*config.Pipeline, *engine.Store) {
	b.Helper()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "crm.csv"), []byte("id,tier\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	yaml := fmt.Sprintf(`version: 1
name: bench
state: ./store.duckdb
feeds:
  - name: crm
    source: { kind: files, path: crm.csv }
    source_type: warehouse
    identities: { id: customerid }
    attributes: { tier: tier, city: city, ltv: ltv }
outputs:
  - name: crm
%s
    send: profiles
    key: email
    mode: mirror
    fields: { email: identity.email, customer_id: identity.customerid, tier: attribute.tier, city: attribute.city, ltv: attribute.ltv }
`, destination(format))
	path := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		b.Fatal(err)
	}
	p, err := pipeline.Load(path, builtin.Registry())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	store, err := engine.Open(ctx, p.State, engine.Options{Logger: benchLog()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	stmts, err := sqlfiles.File("bench/outputs_store.sql", nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := store.Conn().ExecContext(ctx, s.SQL, n); err != nil {
			b.Fatal(s.Wrap(err))
		}
	}
	benchRun(b, store, 1)
	return p, store
}

func destination(format string) string {
	if url, ok := strings.CutPrefix(format, "webhook:"); ok {
		return "    kind: webhook\n    url: " + url
	}
	return "    kind: files\n    path: out\n    format: " + format
}

func benchRun(b *testing.B, store *engine.Store, run int) {
	b.Helper()
	if _, err := store.Conn().ExecContext(context.Background(), sqlfiles.Get("bench/outputs_run.sql"), run); err != nil {
		b.Fatal(err)
	}
}

func benchSync(b *testing.B, store *engine.Store, p *config.Pipeline, opts outputs.Options) outputs.Result {
	b.Helper()
	res, err := (&outputs.Syncer{Registry: builtin.Registry(), Log: benchLog()}).Sync(context.Background(), store, p, opts)
	if err != nil {
		b.Fatal(err)
	}
	return res[0]
}

// BenchmarkDiff times the diff of a sync (the desired records of every
// profile, compared with what the output holds) after a run that changed
// 1% of the profiles, without sending: a dry run.
func BenchmarkDiff(b *testing.B) {
	n := benchProfiles(b)
	p, store := benchPipeline(b, n, "parquet")
	benchSync(b, store, p, outputs.Options{})
	benchRun(b, store, 2)
	if _, err := store.Conn().ExecContext(context.Background(), sqlfiles.Get("bench/outputs_change.sql"), 2); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		res := benchSync(b, store, p, outputs.Options{DryRun: true})
		if res.Changed != int64(n/100) {
			b.Fatalf("changed = %d, want %d", res.Changed, n/100)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "profiles/s")
}

// BenchmarkFiles times a first sync of every profile to one file, per
// format.
func BenchmarkFiles(b *testing.B) {
	n := benchProfiles(b)
	for _, format := range []string{"parquet", "csv", "ndjson"} {
		b.Run(format, func(b *testing.B) {
			p, store := benchPipeline(b, n, format)
			firstSyncs(b, n, p, store)
		})
	}
}

// benchLog logs each statement's time when MOSAIC_BENCH_DEBUG is set.
func benchLog() *slog.Logger {
	if os.Getenv("MOSAIC_BENCH_DEBUG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// BenchmarkWebhook times a first sync of every profile to a webhook on
// 127.0.0.1 that takes each request and answers 204, in batches of 500,
// each acknowledged in the store before the next goes.
func BenchmarkWebhook(b *testing.B) {
	n := benchProfiles(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	p, store := benchPipeline(b, n, "webhook:"+srv.URL)
	firstSyncs(b, n, p, store)
}

// firstSyncs times syncs of all n profiles to an output that holds none,
// and reports records/s.
func firstSyncs(b *testing.B, n int, p *config.Pipeline, store *engine.Store) {
	var syncTime time.Duration
	for b.Loop() {
		b.StopTimer()
		if _, err := store.Conn().ExecContext(context.Background(), sqlfiles.Get("bench/outputs_reset.sql")); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if res := benchSync(b, store, p, outputs.Options{}); res.Added != int64(n) {
			b.Fatalf("added %d, want %d", res.Added, n)
		}
		syncTime += time.Since(start)
	}
	b.ReportMetric(float64(n)*float64(b.N)/syncTime.Seconds(), "records/s")
}

// BenchmarkEventsOwed times the planning of an events output's sync (a
// dry run) that owes two rows of the store's first run, one batch and one
// columnar row, and has a new run to forward, the last of 100 over 10
// staged rows a profile (1M at the default 100,000 profiles): what it
// reads should be the new run's rows and the owed ones, not every row
// staged since the first run. It reports events.sql's time.
func BenchmarkEventsOwed(b *testing.B) {
	n := benchProfiles(b)
	rows, runs := 10*n, 100
	p, store := owedStore(b, n, rows, runs)
	timer := &stmtTimer{file: "outputs/events.sql"}
	syncer := &outputs.Syncer{Registry: builtin.Registry(), Log: slog.New(timer)}
	for b.Loop() {
		res, err := syncer.Sync(context.Background(), store, p, outputs.Options{DryRun: true})
		if err != nil {
			b.Fatal(err)
		}
		if want := int64(rows/runs + 2); res[0].Err != nil || res[0].Added != want {
			b.Fatalf("planned %d batches (%v), want %d: the new run's and the 2 owed", res[0].Added, res[0].Err, want)
		}
	}
	b.ReportMetric(float64(timer.ms)/float64(b.N), "events.sql-ms/op")
}

// owedStore writes a pipeline whose events output ev forwards a batch feed
// (web) and a columnar one (app), and opens a synthetic store for it:
// n profiles (outputs_store.sql) and rows staged rows of runs 1 to runs,
// the output at runs - 1 and owing rows 1 and 2 (events_store.sql).
func owedStore(tb testing.TB, n, rows, runs int) (*config.Pipeline, *engine.Store) {
	tb.Helper()
	dir := tb.TempDir()
	yaml := `version: 1
name: bench
state: ./store.duckdb
identity: { priority: [customerid, email] }
feeds:
  - { name: web, source: { kind: files, path: "web/*.ndjson", format: batch }, source_type: sdk }
  - name: app
    source: { kind: files, path: "app/*.ndjson" }
    source_type: sdk
    timestamp: ts
    event_name: event
    identities: { email: email, cid: customerid }
    attributes: { plan: plan }
outputs:
  - { name: ev, kind: files, path: out, send: events }
`
	path := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		tb.Fatal(err)
	}
	p, err := pipeline.Load(path, builtin.Registry())
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	store, err := engine.Open(ctx, p.State, engine.Options{Logger: benchLog()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	for _, f := range []struct {
		file string
		args []any
	}{{"bench/outputs_store.sql", []any{n}}, {"bench/events_store.sql", []any{rows, runs, n}}} {
		stmts, err := sqlfiles.File(f.file, nil)
		if err != nil {
			tb.Fatal(err)
		}
		for i, s := range stmts {
			args := f.args
			if i > 0 && f.file == "bench/events_store.sql" {
				args = nil // its first statement keeps them
			}
			if _, err := store.Conn().ExecContext(ctx, s.SQL, args...); err != nil {
				tb.Fatal(s.Wrap(err))
			}
		}
	}
	return p, store
}

// stmtTimer is a slog handler that adds up the time the sync's debug log
// gives the statements of one SQL file.
type stmtTimer struct {
	file string
	ms   int64
}

func (h *stmtTimer) Enabled(context.Context, slog.Level) bool { return true }
func (h *stmtTimer) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *stmtTimer) WithGroup(string) slog.Handler            { return h }
func (h *stmtTimer) Handle(_ context.Context, r slog.Record) error {
	var file string
	var ms int64
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "file":
			file = a.Value.String()
		case "ms":
			ms = a.Value.Int64()
		}
		return true
	})
	if file == h.file {
		h.ms += ms
	}
	return nil
}

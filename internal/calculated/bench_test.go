package calculated_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/calculated"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// benchPipeline has six calculated attributes of different kinds and
// windows over one purchase event.
const benchPipeline = `version: 1
name: bench
retention: { events: 90d }
feeds:
  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }
calculated_attributes:
  - { name: orders, calculation: count, event: purchase }
  - { name: orders_30d, calculation: count, event: purchase, within: 30d }
  - { name: spend_90d, calculation: sum, event: purchase, attribute: amount, within: 90d }
  - { name: top_sku, calculation: most_frequent, event: purchase, attribute: sku, within: 30d }
  - { name: last_order, calculation: last_timestamp, event: purchase }
  - { name: eur_max, calculation: max, event: purchase, attribute: amount, where: [{ key: currency, op: eq, value: EUR }] }
`

// benchEvents inserts n purchases of profiles 1..profiles over the 60 days
// before now, stored by run runID.
const benchEvents = `INSERT INTO _mosaic.events (event_id, mpid, feed, event_type, event_name, occurred_at, attributes, batch_id, occurred_day, run_id)
SELECT 'e' || $4 || '-' || i, 1 + hash(i, $4) % $2, 'f', 'custom_event', 'purchase', t,
    json_object('amount', (hash(i, 'a') % 10000) / 100, 'sku', chr(65 + CAST(hash(i, 's') % 20 AS INTEGER)), 'currency', CASE WHEN hash(i, 'c') % 3 = 0 THEN 'EUR' ELSE 'USD' END),
    NULL, CAST(t AS DATE), $4
FROM (SELECT i, $3::TIMESTAMPTZ - to_seconds(CAST(hash(i, 't', $4) % $5 AS BIGINT)) AS t FROM range($1) r(i)) ORDER BY t`

func benchStore(b *testing.B, events, profiles int64, now time.Time) (*engine.Store, *config.Pipeline) {
	ctx := context.Background()
	p, err := config.Parse("bench.yaml", []byte(benchPipeline))
	if err != nil {
		b.Fatal(err)
	}
	store, err := engine.Open(ctx, filepath.Join(b.TempDir(), "store.duckdb"), engine.Options{Command: "bench", Logger: benchLog()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	if _, err := store.Conn().ExecContext(ctx, benchEvents, events, profiles, now, 1, 60*86400); err != nil {
		b.Fatal(err)
	}
	return store, p
}

// BenchmarkCalcFull computes six calculated attributes from scratch over
// 1M events of 100k profiles.
func BenchmarkCalcFull(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	store, p := benchStore(b, 1_000_000, 100_000, now)
	for b.Loop() {
		tx, err := store.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := calculated.Run(ctx, tx, p, 2, now); err != nil {
			b.Fatal(err)
		}
		tx.Rollback(ctx)
	}
}

// BenchmarkCalcNextRun is the run after: an hour later, 10k new events;
// the windows slide by an hour.
func BenchmarkCalcNextRun(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	store, p := benchStore(b, 1_000_000, 100_000, now)
	tx, err := store.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := calculated.Run(ctx, tx, p, 1, now); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	next := now.Add(time.Hour)
	for b.Loop() {
		tx, err := store.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := store.Conn().ExecContext(ctx, benchEvents, 10_000, 100_000, next, 2, 3600); err != nil {
			b.Fatal(err)
		}
		st, err := calculated.Run(ctx, tx, p, 2, next)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Recomputed), "recomputed/op")
		b.ReportMetric(float64(st.Incremental), "incremental/op")
		tx.Rollback(ctx)
	}
}

func benchLog() *slog.Logger {
	if os.Getenv("MOSAIC_BENCH_SQL") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

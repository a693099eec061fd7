package forget_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/forget"
)

// benchDropped fills run 2's dropped rows with $1 synthetic ones of a
// batch feed and a CSV feed, as staging records them: a batch line with a
// bad timestamp (four in ten) or that does not parse (two), kept as its
// text; a CSV row without a timestamp, kept as its columns (two); a CSV
// line with a column too many (one); a duplicate batch (one). Row i is
// user i's (u<i>@example.com, customer id C<i>); a batch refers another
// user by e-mail.
const benchDropped = `INSERT INTO _mosaic.dropped_rows (run_id, feed, reason, "row")
SELECT 2, CASE WHEN i % 10 IN (6, 7, 8) THEN 'crm' ELSE 'users' END,
    CASE WHEN i % 10 < 4 OR i % 10 IN (6, 7) THEN 'invalid_timestamp' WHEN i % 10 < 6 THEN 'invalid_json'
         WHEN i % 10 = 8 THEN 'csv_too_many_columns' ELSE 'duplicate_batch' END,
    CASE WHEN i % 10 < 4 THEN json_object('error', 'timestamp_unixtime_ms must be an integer, got "soon"', 'file', 'data/2.ndjson', 'line', i,
             'text', '{"environment": "production", "user_identities": {"email": "u' || i || '@example.com", "customer_id": "C' || i ||
             '"}, "user_attributes": {"tier": "gold", "referrer": "u' || (i * 7 % $1) || '@example.com"}, "timestamp_unixtime_ms": "soon"}' || chr(10))
         WHEN i % 10 < 6 THEN json_object('error', 'invalid character ''b'' looking for beginning of object key string', 'file', 'data/2.ndjson', 'line', i,
             'text', '{"environment": "production", "mpid": ' || (1000000000000 + i) || ', "user_identities": {"email": "u' || i || '@example.com"}, broken' || chr(10))
         WHEN i % 10 < 8 THEN json_object('customer_id', 'C' || i, 'email', 'u' || i || '@example.com', 'at', 'yesterday', 'note', 'called ' || i,
             '_origin', 'crm/2.csv', '_row_pos', i)
         WHEN i % 10 = 8 THEN json_object('file', 'crm/2.csv', 'line', i, 'text', 'C' || i || ',u' || i || '@example.com,2026-06-02T10:00:00Z,called,extra',
             'error', 'Expected Number of Columns: 4 Found: 5')
         ELSE json_object('origin', 'data/2.ndjson:' || i, 'source_request_id', 'r' || i, 'batch', json_object('environment', 'production',
             'mpid', 1000000000000 + i, 'source_request_id', 'r' || i, 'timestamp_unixtime_ms', 1780315200000 + i))
    END
FROM range($1) r(i)`

// benchBlocked blocks, as forget --block keeps them, e-mails and customer
// ids of a few of the users and of people with no dropped rows, and MPIDs;
// $1 the blocked types (NULL: a store that blocked before they were kept).
const benchBlocked = `INSERT INTO _mosaic.blocked_identities (hash, forget_id)
SELECT sha256((SELECT value FROM _mosaic.meta WHERE key = 'identity_salt') || k), 1
FROM (SELECT 'email:u' || i || '@example.com' AS k FROM range(7, 70, 7) r(i)
      UNION ALL SELECT 'customerid:C' || i FROM range(11, 110, 11) r(i)
      UNION ALL SELECT 'email:gone' || i || '@example.com' FROM range(100) r(i)
      UNION ALL SELECT 'mpid:' || (1000000000000 + i) FROM range(15, 150, 15) r(i));
INSERT INTO _mosaic.meta (key, value) SELECT 'blocked_identity_types', $1 WHERE $1 IS NOT NULL`

const benchPipeline = `version: 1
name: bench
state: ./store.duckdb
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
  - { name: crm, source: { kind: files, path: "crm/*.csv" }, source_type: warehouse, mpid: profile_id, identities: { customer_id: customerid, email: email }, timestamp: at, attributes: { note: note } }
`

// BenchmarkRedactBlocked times sql/forget/redact_blocked.sql, a later
// run's redaction of its dropped rows that name a blocked identity or
// MPID, over MOSAIC_BENCH_DROPPED (default 100000) synthetic dropped rows,
// with the blocked types kept (customerid, email) and without (a store
// that blocked before they were: every type).
func BenchmarkRedactBlocked(b *testing.B) {
	n := 100_000
	if v := os.Getenv("MOSAIC_BENCH_DROPPED"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	p, err := config.Parse("bench.yaml", []byte(benchPipeline))
	if err != nil {
		b.Fatal(err)
	}
	for _, types := range []string{"customerid,email", ""} {
		name := "types=" + types
		if types == "" {
			name = "types=every"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			store, err := engine.Open(ctx, filepath.Join(b.TempDir(), "store.duckdb"), engine.Options{Command: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			var typesArg any
			if types != "" {
				typesArg = types
			}
			if _, err := store.Conn().ExecContext(ctx, benchDropped, n); err != nil {
				b.Fatal(err)
			}
			if _, err := store.Conn().ExecContext(ctx, benchBlocked, typesArg); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				tx, err := store.Begin(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := tx.ExecFile(ctx, "forget/spelled.sql", nil); err != nil {
					b.Fatal(err)
				}
				start, cpu := time.Now(), cpuTime()
				if err := tx.ExecFile(ctx, "forget/redact_blocked.sql", nil, 2, config.IdentityTypes, forget.IdentityFields(p), forget.MPIDFields(p)); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(time.Since(start).Seconds(), "stmt-s/op")
				b.ReportMetric((cpuTime() - cpu).Seconds(), "stmt-cpu-s/op")
				var redacted int64
				if err := tx.QueryRow(ctx, `SELECT count(*) FROM _mosaic.dropped_rows WHERE ("row"->>'forgotten_identity') = 'true'`).Scan(&redacted); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(redacted), "redacted/op")
				tx.Rollback(ctx)
			}
		})
	}
}

// cpuTime is the process's CPU time so far (DuckDB's threads are the
// process's): on a shared machine, a steadier figure than the wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

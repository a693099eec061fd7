package postgres_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/postgres"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// BenchmarkPostgresToDuckDB reads a 1M-row × 6-column table from PostgreSQL
// into a DuckDB staging table (the source's whole job in a run) and reports
// rows/s. Run it with:
//
//	source .ci/postgres.sh   # or set MOSAIC_POSTGRES_DSN
//	go test -tags duckdb_arrow -run '^$' -bench PostgresToDuckDB -benchtime 3x ./connectors/postgres/
func BenchmarkPostgresToDuckDB(b *testing.B) {
	conn := server(b)
	schema := newSchema(b, conn)
	setDSN(b, randomName("mosaic_bench_"))
	const n = 1_000_000
	start := time.Now()
	exec(b, conn, "CREATE TABLE "+schema+`.customers AS
		SELECT i::bigint AS id, 'user' || i || '@example.com' AS email,
			(ARRAY['bronze','silver','gold'])[1 + i % 3] AS tier,
			((i % 100000)::numeric / 7)::numeric(12,2) AS ltv, i % 2 = 0 AS active,
			timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' AS updated_at
		FROM generate_series(1, $1::bigint) AS i`, n)
	exec(b, conn, "VACUUM ANALYZE "+schema+".customers")
	b.Logf("loaded %d rows into PostgreSQL in %v", n, time.Since(start).Round(time.Millisecond))

	dir := b.TempDir()
	yaml := "version: 1\nname: bench\nfeeds:\n  - name: customers\n    source: { kind: postgres, dsn_env: " + dsnEnv + ", schema: " + schema + ", table: customers }\n" +
		"    source_type: warehouse\n    timestamp: updated_at\n    identities: { id: customerid, email: email }\n    attributes: { tier: tier, ltv: ltv, active: active }\n"
	path := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		b.Fatal(err)
	}
	p, err := config.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	store, err := engine.Open(context.Background(), filepath.Join(dir, "store.duckdb"), engine.Options{Command: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	src := postgres.New()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tx, err := store.Begin(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		stage := tx.StageFeed(p, 0, int64(i+1), time.Now())
		req := connectors.ReadRequest{
			ValidateRequest: connectors.ValidateRequest{Feed: "customers", Source: p.Feeds[0].Source, Resolve: p.Resolve},
			Columns:         stage.Columns(),
		}
		if _, err := src.Read(context.Background(), req, stage); err != nil {
			b.Fatal(err)
		}
		tx.DropTemp(context.Background(), "_stage_customers")
		tx.Rollback(context.Background())
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPostgresOutput writes 1M new profile records of five fields
// (e-mail, customer id, tier, city, lifetime value) into a PostgreSQL
// table through the postgres destination, in its default batches, and
// reports rows/s. Run it with:
//
//	source .ci/postgres.sh   # or set MOSAIC_POSTGRES_DSN
//	go test -tags duckdb_arrow -run '^$' -bench PostgresOutput -benchtime 3x ./connectors/postgres/
func BenchmarkPostgresOutput(b *testing.B) {
	conn := server(b)
	setDSN(b, randomName("mosaic_bench_out_"))
	const n = 1_000_000
	recs := make([]connectors.Record, n)
	for i := range recs {
		recs[i] = connectors.Record{Op: connectors.OpUpsert, Key: fmt.Sprintf("user%d@example.com", i),
			Fields: fmt.Appendf(nil, `{"email":"user%d@example.com","customer_id":"C%d","tier":%q,"city":"city %d","ltv":%d.37}`,
				i, i, []string{"bronze", "silver", "gold"}[i%3], i%1000, i%10007)}
	}
	fields := []string{"email", "customer_id", "tier", "city", "ltv"}
	d := postgres.NewDestination()
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		table := randomName("bench_out_")
		o := connectortest.ParseOutput(b, "    kind: postgres\n    dsn_env: "+dsnEnv+"\n    table: "+table+"\n    send: profiles\n    key: email\n"+
			"    fields: { email: identity.email, customer_id: identity.customerid, tier: attribute.tier, city: attribute.city, ltv: attribute.ltv }\n")
		b.StartTimer()
		w, err := d.Open(ctx, connectors.OutputRequest{Output: o, Fields: fields})
		if err != nil {
			b.Fatal(err)
		}
		size := d.DefaultBatchSize()
		for lo := 0; lo < n; lo += size {
			errs, err := w.Write(ctx, connectors.Batch{Output: "o", RunID: 1, Records: recs[lo:min(lo+size, n)]})
			if err != nil {
				b.Fatal(err)
			}
			for _, e := range errs {
				if e != nil {
					b.Fatal(e)
				}
			}
		}
		w.Close()
		b.StopTimer()
		exec(b, conn, "DROP TABLE "+table)
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

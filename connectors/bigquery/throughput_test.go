package bigquery

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// benchRows is MOSAIC_BIGQUERY_BENCH_ROWS: the size of the throughput
// tests' table (they skip without it).
func benchRows(t *testing.T) int {
	n, _ := strconv.Atoi(os.Getenv("MOSAIC_BIGQUERY_BENCH_ROWS"))
	if n <= 0 {
		t.Skip("set MOSAIC_BIGQUERY_BENCH_ROWS=1000000 to measure read throughput")
	}
	return n
}

// TestEmulatorThroughput reads an n-row × 6-column table from the
// emulator through REST into DuckDB and logs rows/s. The emulator is not
// a speed reference: it tells what this code costs around its REST pages.
func TestEmulatorThroughput(t *testing.T) {
	n := benchRows(t)
	c := emuClient(t)
	table := fmt.Sprintf("bench_%d", n)
	ctx := context.Background()
	if _, err := c.Dataset(emuDataset).Table(table).Metadata(ctx); err != nil {
		start := time.Now()
		q := c.Query(fmt.Sprintf("CREATE TABLE `%s.%s.%s` AS SELECT CONCAT('C', CAST(x AS STRING)) AS id, CONCAT('user', CAST(x AS STRING), '@example.com') AS email, "+
			"IF(MOD(x, 3) = 0, 'gold', 'silver') AS tier, TIMESTAMP_ADD(TIMESTAMP '2026-05-01 00:00:00+00', INTERVAL x SECOND) AS ts, x AS n, x / 7 AS v "+
			"FROM UNNEST(GENERATE_ARRAY(1, %d)) AS x", emuProject, emuDataset, table, n))
		job, err := q.Run(ctx)
		if err == nil {
			_, err = job.Wait(ctx)
		}
		if err != nil {
			t.Fatalf("fill the table: %v", err)
		}
		t.Logf("filled %d rows in %v", n, time.Since(start))
	}
	sink := newTableSink(t)
	start := time.Now()
	state, err := New().Read(ctx, request(t, emuBlock(t, table), []string{"id", "email", "tier", "ts", "n", "v"}, "", ""), sink)
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	t.Logf("emulator → REST → Arrow → DuckDB: %d rows × 6 columns in %v: %.0f rows/s (%s)", n, d, float64(n)/d.Seconds(), state)
}

// TestStorageDecodeThroughput decodes an n-row × 6-column stream framed as
// the Storage Read API frames it (batches of 10k rows, built in memory)
// into DuckDB and logs rows/s: the fast path's cost on this side.
func TestStorageDecodeThroughput(t *testing.T) {
	n := benchRows(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "tier", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "ts", Type: timestampType, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	var rec recording
	p := ipc.GetSchemaPayload(schema, memory.DefaultAllocator)
	rec.schema = payloadBytes(t, p)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := 0; i < n; {
		for j := 0; j < 10000 && i < n; j, i = j+1, i+1 {
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("C%d", i))
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("user%d@example.com", i))
			b.Field(2).(*array.StringBuilder).Append([]string{"gold", "silver", "bronze"}[i%3])
			b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(1777593600_000000 + int64(i)*1e6))
			b.Field(4).(*array.Int64Builder).Append(int64(i))
			b.Field(5).(*array.Float64Builder).Append(float64(i) / 7)
		}
		batch := b.NewRecordBatch()
		p, err := ipc.GetRecordBatchPayload(batch)
		if err != nil {
			t.Fatal(err)
		}
		rec.batches = append(rec.batches, payloadBytes(t, p))
		batch.Release()
	}
	sink := newTableSink(t)
	start := time.Now()
	rdr, err := DecodeStorage(&fileIterator{rec: rec}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	got, err := stage(context.Background(), sink, rdr)
	if err != nil || got != int64(n) {
		t.Fatalf("staged %d rows, %v", got, err)
	}
	d := time.Since(start)
	t.Logf("Storage Read framing → Arrow IPC decode → DuckDB: %d rows × 6 columns in %v: %.0f rows/s", n, d, float64(n)/d.Seconds())
}

func payloadBytes(t *testing.T, p ipc.Payload) []byte {
	t.Helper()
	defer p.Release()
	var buf bytes.Buffer
	if _, err := p.WritePayload(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

package files

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/batch"
	"github.com/mosaic-cdp/mosaic/internal/gen"
)

// BenchmarkDecodeBatches is one decoder's work on generated web and app
// batches: decode, validate and append to Arrow, in chunks as staging
// makes them (decode.go runs one such loop per core). It reports the
// cost and the allocations per batch, which the garbage collector pays
// for beside a server's requests when a run stages under `mosaic serve`.
func BenchmarkDecodeBatches(b *testing.B) {
	dir := b.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Users: 2000, Out: dir, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	var lines []string
	var size int64
	for _, name := range []string{"web.ndjson", "app.ndjson"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		size += int64(len(data))
		lines = append(lines, strings.Split(strings.TrimSpace(string(data)), "\n")...)
	}
	f := file{origin: "generated.ndjson", text: newBatchText(connectors.RawBatches{})}
	b.SetBytes(size)
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		kept := array.NewRecordBuilder(memory.NewGoAllocator(), batchSchema)
		var dropped [][2]string
		var dec batch.Decoder
		for i, line := range lines {
			if _, ok := f.decodeLine(&dec, kept, &dropped, line, i+1); !ok {
				b.Fatalf("line %d dropped: %v", i+1, dropped)
			}
			if (i+1)%chunkLines == 0 {
				kept.NewRecordBatch().Release()
			}
		}
		kept.NewRecordBatch().Release()
		kept.Release()
	}
	runtime.ReadMemStats(&after)
	batches := float64(b.N * len(lines))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/batches, "ns/batch")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/batches, "allocs/batch")
}

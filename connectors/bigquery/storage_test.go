package bigquery

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestStorageTypes decodes a recorded Storage Read API session holding
// every type and checks, type by type, what DuckDB stages.
func TestStorageTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	sink := newTableSink(t)
	rdr, err := DecodeStorage(&fileIterator{rec: loadRecording(t, "types")}, mem)
	if err != nil {
		t.Fatal(err)
	}
	n, err := stage(context.Background(), sink, rdr)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("staged %d rows, want 3", n)
	}
	checkTypes(t, sink)
	mem.AssertSize(t, 0)
}

// TestStorageBigNumeric: BIGNUMERIC arrives as decimal256, which DuckDB
// cannot take; the read fails naming the column and the cast that fixes it.
func TestStorageBigNumeric(t *testing.T) {
	_, err := DecodeStorage(&fileIterator{rec: loadRecording(t, "bignumeric")}, memory.DefaultAllocator)
	if err == nil || !strings.Contains(err.Error(), `column "amount" is BIGNUMERIC`) || !strings.Contains(err.Error(), "CAST(`amount` AS STRING)") {
		t.Fatalf("err = %v, want the BIGNUMERIC column named with its cast", err)
	}
}

// TestStorageFailsMidStream: a stream that breaks after its first batch
// fails the staging with the stream's error, not a short read.
func TestStorageFailsMidStream(t *testing.T) {
	for _, cause := range []error{errors.New("rpc error: code = Unavailable desc = connection reset"), context.Canceled} {
		t.Run(cause.Error(), func(t *testing.T) {
			rec := loadRecording(t, "types")
			rec.batches = rec.batches[:1]
			rdr, err := DecodeStorage(&fileIterator{rec: rec, fail: cause}, memory.DefaultAllocator)
			if err != nil {
				t.Fatal(err)
			}
			_, err = stage(context.Background(), newTableSink(t), rdr)
			if !errors.Is(err, cause) {
				t.Fatalf("err = %v, want it to wrap %v", err, cause)
			}
		})
	}
}

package bigquery

import (
	"context"
	"errors"
	"testing"

	"cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/api/iterator"
)

// rows is a rowSource of n rows (id INT64), failing with fail after them
// when fail is set: the REST pages as the client's RowIterator yields them.
type rows struct {
	n, next int
	fail    error
}

func (r *rows) Next(dst any) error {
	if r.next == r.n {
		if r.fail != nil {
			return r.fail
		}
		return iterator.Done
	}
	*dst.(*[]bigquery.Value) = []bigquery.Value{int64(r.next)}
	r.next++
	return nil
}

// TestRESTBatches: REST rows become Arrow batches of at most batchRows
// rows, and a failure mid-read fails the staging with its cause.
func TestRESTBatches(t *testing.T) {
	schema := bigquery.Schema{{Name: "id", Type: bigquery.IntegerFieldType}}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	rdr, err := newRESTReader(&rows{n: 40000}, schema, nil, 16384, mem)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	for rdr.Next() {
		sizes = append(sizes, rdr.RecordBatch().NumRows())
	}
	rdr.Release()
	if rdr.Err() != nil || len(sizes) != 3 || sizes[0] != 16384 || sizes[2] != 40000-2*16384 {
		t.Fatalf("batches of %v rows (%v), want 16384, 16384, 7232", sizes, rdr.Err())
	}
	mem.AssertSize(t, 0)

	cause := errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: connection reset by peer")
	rdr, err = newRESTReader(&rows{n: 20000, fail: cause}, schema, nil, 16384, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	_, err = stage(context.Background(), newTableSink(t), rdr)
	if !errors.Is(err, cause) {
		t.Fatalf("err = %v, want it to wrap %v", err, cause)
	}
}

package postgres

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"
)

// maxBatchBytes ends a batch early when its rows hold this many bytes, so
// that wide rows (big jsonb, bytea) keep memory bounded too.
const maxBatchBytes = 32 << 20

// reader is an array.RecordReader over a streaming PostgreSQL result: each
// Next reads up to batchRows rows off the connection into one record batch.
// Only one batch is alive at a time. The consumer (DuckDB's Arrow scan)
// calls Next from one goroutine at a time.
type reader struct {
	refs      atomic.Int64
	ctx       context.Context
	rr        *pgconn.ResultReader
	schema    *arrow.Schema
	b         *array.RecordBuilder
	cols      []appender
	batchRows int
	rec       arrow.RecordBatch
	err       error
	done      bool
	rows      int64
}

func newReader(ctx context.Context, rr *pgconn.ResultReader, cols []column, batchRows int) *reader {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.Field
	}
	schema := arrow.NewSchema(fields, nil)
	r := &reader{ctx: ctx, rr: rr, schema: schema, batchRows: batchRows}
	r.b = array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i, c := range cols {
		r.cols = append(r.cols, appenderFor(c, r.b.Field(i)))
	}
	r.refs.Store(1)
	return r
}

func (r *reader) Retain()               { r.refs.Add(1) }
func (r *reader) Schema() *arrow.Schema { return r.schema }

func (r *reader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	r.b.Release()
	if !r.done {
		r.done = true
		r.rr.Close()
	}
}

func (r *reader) RecordBatch() arrow.RecordBatch { return r.rec }

// Record is the deprecated name of RecordBatch.
func (r *reader) Record() arrow.RecordBatch { return r.rec }

// Err is why the stream ended early: the context, the connection or a
// value that did not decode.
func (r *reader) Err() error { return r.err }

func (r *reader) fail(err error) bool {
	r.err = err
	r.done = true
	r.rr.Close()
	return false
}

func (r *reader) Next() bool {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	if r.done || r.err != nil {
		return false
	}
	if err := r.ctx.Err(); err != nil {
		return r.fail(err)
	}
	n, size := 0, 0
	for n < r.batchRows && size < maxBatchBytes {
		if !r.rr.NextRow() {
			r.done = true
			if _, err := r.rr.Close(); err != nil {
				r.err = err
				return false
			}
			break
		}
		for i, v := range r.rr.Values() {
			if err := r.cols[i](v); err != nil {
				return r.fail(err)
			}
			size += len(v)
		}
		n++
	}
	if n == 0 {
		return false
	}
	r.rec = r.b.NewRecordBatch()
	r.rows += int64(n)
	return true
}

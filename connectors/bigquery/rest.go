package bigquery

import (
	"fmt"
	"math/big"
	"sync/atomic"
	"time"

	"cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/api/iterator"
)

// rowSource is what the REST path reads rows from (a *bigquery.RowIterator).
type rowSource interface {
	Next(dst any) error
}

// restReader builds Arrow record batches of at most batchRows rows from
// REST result pages. It implements array.RecordReader; Err reports why a
// read stopped early.
type restReader struct {
	refs      atomic.Int64
	src       rowSource
	fields    bigquery.Schema
	schema    *arrow.Schema
	b         *array.RecordBuilder
	appenders []appender
	pending   []bigquery.Value // a row read ahead (the first one)
	cur       arrow.RecordBatch
	batchRows int
	rows      int64
	err       error
}

// newRESTReader reads rows of the given schema from src; first, when not
// nil, is a row already taken from src.
func newRESTReader(src rowSource, fields bigquery.Schema, first []bigquery.Value, batchRows int, mem memory.Allocator) (*restReader, error) {
	schema, err := arrowSchema(fields)
	if err != nil {
		return nil, err
	}
	if batchRows <= 0 {
		batchRows = 16384
	}
	r := &restReader{src: src, fields: fields, schema: schema, b: array.NewRecordBuilder(mem, schema), pending: first, batchRows: batchRows}
	r.refs.Store(1)
	for i, f := range fields {
		r.appenders = append(r.appenders, newAppender(f, r.b.Field(i)))
	}
	return r, nil
}

func (r *restReader) Retain() { r.refs.Add(1) }

func (r *restReader) Release() {
	if r.refs.Add(-1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.b.Release()
	}
}

func (r *restReader) Schema() *arrow.Schema { return r.schema }

// Deprecated: use RecordBatch.
func (r *restReader) Record() arrow.RecordBatch      { return r.cur }
func (r *restReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *restReader) Err() error                     { return r.err }

// Next builds the next batch from up to batchRows rows.
func (r *restReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil {
		return false
	}
	n := 0
	for n < r.batchRows {
		row := r.pending
		r.pending = nil
		if row == nil {
			if err := r.src.Next(&row); err == iterator.Done {
				break
			} else if err != nil {
				r.err = fmt.Errorf("read rows (after %d): %w", r.rows, redact(err))
				r.b.NewRecordBatch().Release() // drop the partial batch
				return false
			}
		}
		if len(row) != len(r.appenders) {
			r.err = fmt.Errorf("row %d has %d values for %d columns", r.rows+1, len(row), len(r.appenders))
			return false
		}
		for i, v := range row {
			if err := r.appenders[i](v); err != nil {
				r.err = fmt.Errorf("row %d: column %q: %w", r.rows+1, r.fields[i].Name, err)
				return false
			}
		}
		n++
		r.rows++
	}
	if n == 0 {
		return false
	}
	r.cur = r.b.NewRecordBatch()
	return true
}

// appender appends one REST value (nil for NULL) to its column's builder.
type appender func(v bigquery.Value) error

func newAppender(f *bigquery.FieldSchema, b array.Builder) appender {
	if f.Repeated {
		lb := b.(*array.ListBuilder)
		elem := scalarAppender(f, lb.ValueBuilder())
		return func(v bigquery.Value) error {
			lb.Append(true) // REST sends [] for an empty (never NULL) array
			if v == nil {
				return nil
			}
			vs, ok := v.([]bigquery.Value)
			if !ok {
				return fmt.Errorf("got %T for an array", v)
			}
			for _, e := range vs {
				if err := elem(e); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return scalarAppender(f, b)
}

// scalarAppender appends values of f's type, ignoring f.Repeated.
func scalarAppender(f *bigquery.FieldSchema, b array.Builder) appender {
	bad := func(v bigquery.Value) error { return fmt.Errorf("got %T for %s", v, f.Type) }
	switch bb := b.(type) {
	case *array.Int64Builder:
		return typed(b, func(v int64) { bb.Append(v) }, bad)
	case *array.Float64Builder:
		return typed(b, func(v float64) { bb.Append(v) }, bad)
	case *array.BooleanBuilder:
		return typed(b, func(v bool) { bb.Append(v) }, bad)
	case *array.StringBuilder:
		return typed(b, func(v string) { bb.Append(v) }, bad)
	case *array.BinaryBuilder:
		return typed(b, func(v []byte) { bb.Append(v) }, bad)
	case *array.Date32Builder:
		return typed(b, func(v civil.Date) { bb.Append(arrow.Date32FromTime(v.In(time.UTC))) }, bad)
	case *array.Time64Builder:
		return typed(b, func(v civil.Time) {
			bb.Append(arrow.Time64(((int64(v.Hour)*60+int64(v.Minute))*60+int64(v.Second))*1e6 + int64(v.Nanosecond)/1e3))
		}, bad)
	case *array.TimestampBuilder:
		if f.Type == bigquery.DateTimeFieldType {
			return typed(b, func(v civil.DateTime) { bb.Append(arrow.Timestamp(v.In(time.UTC).UnixMicro())) }, bad)
		}
		return typed(b, func(v time.Time) { bb.Append(arrow.Timestamp(v.UnixMicro())) }, bad)
	case *array.Decimal128Builder:
		scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(numericType.Scale)), nil)
		return func(v bigquery.Value) error {
			if v == nil {
				bb.AppendNull()
				return nil
			}
			r, ok := v.(*big.Rat)
			if !ok {
				return bad(v)
			}
			n := new(big.Int).Mul(r.Num(), scale)
			n.Quo(n, r.Denom()) // NUMERIC has at most 9 decimals: exact
			bb.Append(decimal128.FromBigInt(n))
			return nil
		}
	case *array.StructBuilder:
		children := make([]appender, len(f.Schema))
		for i, c := range f.Schema {
			children[i] = newAppender(c, bb.FieldBuilder(i))
		}
		return func(v bigquery.Value) error {
			if v == nil {
				bb.AppendNull()
				return nil
			}
			vs, ok := v.([]bigquery.Value)
			if !ok || len(vs) != len(children) {
				return fmt.Errorf("got %T (%d values) for a STRUCT of %d fields", v, len(vs), len(children))
			}
			bb.Append(true)
			for i, c := range vs {
				if err := children[i](c); err != nil {
					return fmt.Errorf("field %q: %w", f.Schema[i].Name, err)
				}
			}
			return nil
		}
	}
	return func(v bigquery.Value) error { return fmt.Errorf("no Arrow builder for %s", f.Type) }
}

// typed appends values of one Go type, NULL for nil.
func typed[T any](b array.Builder, add func(T), bad func(bigquery.Value) error) appender {
	return func(v bigquery.Value) error {
		if v == nil {
			b.AppendNull()
			return nil
		}
		t, ok := v.(T)
		if !ok {
			return bad(v)
		}
		add(t)
		return nil
	}
}

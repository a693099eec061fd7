package bigquery

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/api/iterator"
)

// DecodeStorage decodes what the Storage Read API sends, one serialized
// Arrow schema message then serialized record batch messages, as an
// array.RecordReader of the types arrowtypes.go lists. It is fed by the
// client's bigquery.ArrowIterator in production and by recorded streams in
// tests.
//
// bigquery.NewArrowIteratorReader does the same concatenation, but it
// dereferences a nil batch when the iterator fails mid-stream, so the
// error would panic instead of failing the read; iteratorReader keeps it.
func DecodeStorage(it bigquery.ArrowIterator, mem memory.Allocator) (array.RecordReader, error) {
	src := &iteratorReader{it: it, buf: bytes.NewReader(it.SerializedArrowSchema())}
	rdr, err := ipc.NewReader(src, ipc.WithAllocator(mem))
	if err != nil {
		if src.err != nil {
			return nil, src.err
		}
		return nil, fmt.Errorf("decode the Arrow schema: %w", err)
	}
	for _, f := range rdr.Schema().Fields() {
		if err := storageCrossable(f); err != nil {
			rdr.Release()
			return nil, err
		}
	}
	r := &storageReader{rdr: rdr, src: src, schema: relabelSchema(rdr.Schema())}
	r.refs.Store(1)
	return r, nil
}

// iteratorReader is the byte stream of an ArrowIterator: its schema, then
// each batch's bytes.
type iteratorReader struct {
	it  bigquery.ArrowIterator
	buf *bytes.Reader
	err error
}

func (r *iteratorReader) Read(p []byte) (int, error) {
	for {
		if r.err != nil {
			return 0, r.err
		}
		if n, _ := r.buf.Read(p); n > 0 {
			return n, nil
		}
		batch, err := r.it.Next()
		if errors.Is(err, iterator.Done) {
			return 0, io.EOF
		}
		if err != nil {
			r.err = fmt.Errorf("read Arrow batches: %w", redact(err))
			return 0, r.err
		}
		r.buf = bytes.NewReader(batch.Data)
	}
}

// storageReader passes the IPC reader's batches on under the relabelled
// schema.
type storageReader struct {
	refs   atomic.Int64
	rdr    *ipc.Reader
	src    *iteratorReader
	schema *arrow.Schema
	cur    arrow.RecordBatch
	err    error
}

func (r *storageReader) Retain() { r.refs.Add(1) }

func (r *storageReader) Release() {
	if r.refs.Add(-1) == 0 {
		r.release()
		r.rdr.Release()
	}
}

func (r *storageReader) release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func (r *storageReader) Schema() *arrow.Schema { return r.schema }

// Deprecated: use RecordBatch.
func (r *storageReader) Record() arrow.RecordBatch      { return r.cur }
func (r *storageReader) RecordBatch() arrow.RecordBatch { return r.cur }

func (r *storageReader) Err() error {
	if r.err != nil {
		return r.err
	}
	if r.src.err != nil {
		return r.src.err
	}
	if err := r.rdr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("decode Arrow batches: %w", err)
	}
	return nil
}

func (r *storageReader) Next() bool {
	r.release()
	if !r.rdr.Next() {
		return false
	}
	rec := r.rdr.RecordBatch()
	cols := make([]arrow.Array, rec.NumCols())
	for i, c := range rec.Columns() {
		cols[i] = relabelArray(c, r.schema.Field(i).Type)
	}
	r.cur = array.NewRecordBatch(r.schema, cols, rec.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return true
}

// storageCrossable refuses BIGNUMERIC (decimal256) and the other types
// DuckDB cannot take from Arrow, naming the column.
func storageCrossable(f arrow.Field) error {
	switch t := f.Type.(type) {
	case *arrow.Decimal256Type:
		return fmt.Errorf("column %q is BIGNUMERIC (Arrow decimal256), which cannot cross into DuckDB: read it with `query:` and CAST(%s AS STRING) (or AS NUMERIC)", f.Name, Ident(f.Name))
	case *arrow.StructType:
		for _, c := range t.Fields() {
			if err := storageCrossable(c); err != nil {
				return fmt.Errorf("in %q: %w", f.Name, err)
			}
		}
	case *arrow.ListType:
		return storageCrossable(arrow.Field{Name: f.Name, Type: t.Elem()})
	}
	return nil
}

// relabelSchema marks BigQuery's JSON fields (at any depth) with the
// canonical arrow.json extension name, which DuckDB reads as JSON.
func relabelSchema(s *arrow.Schema) *arrow.Schema {
	fields := make([]arrow.Field, s.NumFields())
	for i, f := range s.Fields() {
		fields[i] = relabelField(f)
	}
	md := s.Metadata()
	return arrow.NewSchema(fields, &md)
}

func relabelField(f arrow.Field) arrow.Field {
	if i := f.Metadata.FindKey(extensionKey); i >= 0 && f.Metadata.Values()[i] == bigqueryJSON {
		f.Metadata = jsonMetadata
	}
	switch t := f.Type.(type) {
	case *arrow.StructType:
		fields := make([]arrow.Field, t.NumFields())
		for i, c := range t.Fields() {
			fields[i] = relabelField(c)
		}
		f.Type = arrow.StructOf(fields...)
	case *arrow.ListType:
		f.Type = arrow.ListOfField(relabelField(t.ElemField()))
	}
	return f
}

// relabelArray returns a (retained) array of a's data under type t, which
// differs from a's only in nested field metadata.
func relabelArray(a arrow.Array, t arrow.DataType) arrow.Array {
	if arrow.TypeEqual(a.DataType(), t, arrow.CheckMetadata()) {
		a.Retain()
		return a
	}
	d := relabelData(a.Data(), t)
	defer d.Release()
	return array.MakeFromData(d)
}

func relabelData(d arrow.ArrayData, t arrow.DataType) arrow.ArrayData {
	children := make([]arrow.ArrayData, len(d.Children()))
	for i, c := range d.Children() {
		var ct arrow.DataType
		switch tt := t.(type) {
		case *arrow.StructType:
			ct = tt.Field(i).Type
		case *arrow.ListType:
			ct = tt.Elem()
		default:
			ct = c.DataType()
		}
		children[i] = relabelData(c, ct)
	}
	out := array.NewData(t, d.Len(), d.Buffers(), children, d.NullN(), d.Offset())
	for _, c := range children {
		c.Release()
	}
	return out
}

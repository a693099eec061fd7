package bigquery

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/api/iterator"
)

// record rewrites the recorded Storage Read API streams under
// testdata/bigquery/storage: go test ./connectors/bigquery -run TestRecord -record
var record = flag.Bool("record", false, "rewrite the recorded Storage Read API streams in testdata/bigquery/storage")

const recordings = "../../testdata/bigquery/storage"

// A recording is one read session as the Storage Read API sends it:
// schema.arrow holds ReadSession.arrow_schema.serialized_schema (an
// encapsulated IPC schema message) and batch-NNN.arrow each
// ReadRowsResponse.arrow_record_batch.serialized_record_batch (an
// encapsulated IPC record batch message), in order.
type recording struct {
	schema  []byte
	batches [][]byte
}

// fileIterator replays a recording as the client's ArrowIterator does.
type fileIterator struct {
	rec  recording
	next int
	fail error // returned instead of the batch after the last one
}

func (f *fileIterator) Next() (*bigquery.ArrowRecordBatch, error) {
	if f.next == len(f.rec.batches) {
		if f.fail != nil {
			return nil, f.fail
		}
		return nil, iterator.Done
	}
	f.next++
	return &bigquery.ArrowRecordBatch{Data: f.rec.batches[f.next-1], Schema: f.rec.schema}, nil
}
func (f *fileIterator) Schema() bigquery.Schema       { return nil }
func (f *fileIterator) SerializedArrowSchema() []byte { return f.rec.schema }

func loadRecording(t *testing.T, name string) recording {
	t.Helper()
	dir := filepath.Join(recordings, name)
	schema, err := os.ReadFile(filepath.Join(dir, "schema.arrow"))
	if err != nil {
		t.Fatalf("%v (rewrite the recordings with -record)", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "batch-*.arrow"))
	sort.Strings(files)
	rec := recording{schema: schema}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rec.batches = append(rec.batches, b)
	}
	if len(rec.batches) == 0 {
		t.Fatalf("recording %s has no batch", dir)
	}
	return rec
}

// TestRecord writes the recordings when -record is given. Each is built
// with the Arrow types the Storage Read API documents for BigQuery's types
// (https://cloud.google.com/bigquery/docs/reference/storage#arrow_schema_details),
// the way the API frames them: the schema once, then batch messages.
func TestRecord(t *testing.T) {
	if !*record {
		t.Skip("run with -record to rewrite testdata/bigquery/storage")
	}
	write := func(name string, schema *arrow.Schema, batches ...arrow.RecordBatch) {
		dir := filepath.Join(recordings, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		old, _ := filepath.Glob(filepath.Join(dir, "*.arrow"))
		for _, f := range old {
			os.Remove(f)
		}
		var buf bytes.Buffer
		p := ipc.GetSchemaPayload(schema, memory.DefaultAllocator)
		if _, err := p.WritePayload(&buf); err != nil {
			t.Fatal(err)
		}
		p.Release()
		if err := os.WriteFile(filepath.Join(dir, "schema.arrow"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		for i, b := range batches {
			buf.Reset()
			p, err := ipc.GetRecordBatchPayload(b)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.WritePayload(&buf); err != nil {
				t.Fatal(err)
			}
			p.Release()
			b.Release()
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("batch-%03d.arrow", i)), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	schema, batches := typesRecording()
	write("types", schema, batches...)
	big := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: false},
		{Name: "amount", Type: &arrow.Decimal256Type{Precision: 76, Scale: 38}, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, big)
	b.Field(0).(*array.Int64Builder).Append(1)
	b.Field(1).(*array.Decimal256Builder).Append(decimal256.FromI64(12))
	write("bignumeric", big, b.NewRecordBatch())
	b.Release()
}

// typesRecording is a table holding each type in a column of its own, two
// batches of rows, with NULLs: what `SELECT * FROM types` reads.
func typesRecording() (*arrow.Schema, []arrow.RecordBatch) {
	jsonMD := arrow.NewMetadata([]string{extensionKey}, []string{bigqueryJSON})
	geoMD := arrow.NewMetadata([]string{extensionKey}, []string{"google:sqlType:geography"})
	fields := []arrow.Field{
		{Name: "int64_col", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "float64_col", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "numeric_col", Type: &arrow.Decimal128Type{Precision: 38, Scale: 9}, Nullable: true},
		{Name: "bool_col", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "string_col", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "bytes_col", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "date_col", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "datetime_col", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "timestamp_col", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "time_col", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
		{Name: "json_col", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: jsonMD},
		{Name: "geography_col", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: geoMD},
		{Name: "array_col", Type: arrow.ListOfField(arrow.Field{Name: "array_col", Type: arrow.BinaryTypes.String, Nullable: false}), Nullable: false},
		{Name: "struct_col", Type: arrow.StructOf(
			arrow.Field{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			arrow.Field{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
			arrow.Field{Name: "j", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: jsonMD},
		), Nullable: true},
	}
	schema := arrow.NewSchema(fields, nil)
	var out []arrow.RecordBatch
	for _, rows := range [][]int{{0, 1}, {2}} {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for _, r := range rows {
			appendTypesRow(b, r)
		}
		out = append(out, b.NewRecordBatch())
		b.Release()
	}
	return schema, out
}

// appendTypesRow appends row r of the types table (row 1 is all NULLs);
// its values are typeCases' want.
func appendTypesRow(b *array.RecordBuilder, r int) {
	if r == 1 {
		for i := range b.Fields() {
			if lb, ok := b.Field(i).(*array.ListBuilder); ok {
				lb.Append(true) // an empty array: BigQuery arrays are never NULL
				continue
			}
			b.Field(i).AppendNull()
		}
		return
	}
	ts := time.Date(2026, 5, 1, 9, 30, 15, 123456000, time.UTC)
	if r == 2 {
		ts = time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)
	}
	b.Field(0).(*array.Int64Builder).Append([]int64{-9007199254740993, 0, 42}[r])
	b.Field(1).(*array.Float64Builder).Append([]float64{3.25, 0, -1e-3}[r])
	b.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64([]int64{123456789012, 0, -5}[r])) // 123.456789012, -0.000000005
	b.Field(3).(*array.BooleanBuilder).Append(r == 0)
	b.Field(4).(*array.StringBuilder).Append([]string{"gold ✓", "", "it's"}[r])
	b.Field(5).(*array.BinaryBuilder).Append([][]byte{{0xde, 0xad}, nil, {}}[r])
	b.Field(6).(*array.Date32Builder).Append(arrow.Date32FromTime(ts))
	b.Field(7).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
	b.Field(8).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
	b.Field(9).(*array.Time64Builder).Append(arrow.Time64(ts.Sub(ts.Truncate(24 * time.Hour)).Microseconds()))
	b.Field(10).(*array.StringBuilder).Append([]string{`{"a":[1,2],"b":"x"}`, "", `3`}[r])
	b.Field(11).(*array.StringBuilder).Append([]string{"POINT(1 2)", "", "POINT(-3 4.5)"}[r])
	lb := b.Field(12).(*array.ListBuilder)
	lb.Append(true)
	for _, s := range [][]string{{"a", "b"}, nil, {"c"}}[r] {
		lb.ValueBuilder().(*array.StringBuilder).Append(s)
	}
	sb := b.Field(13).(*array.StructBuilder)
	sb.Append(true)
	sb.FieldBuilder(0).(*array.Int64Builder).Append(int64(r + 7))
	sb.FieldBuilder(1).(*array.StringBuilder).Append("s" + fmt.Sprint(r))
	sb.FieldBuilder(2).(*array.StringBuilder).Append(`{"k":true}`)
}

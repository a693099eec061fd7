package files

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/batch"
)

// batchSchema holds the columns a `format: batch` feed stages, one row per
// valid batch, typed so that the engine unnests them without parsing JSON:
// identities as (t, v) pairs, attributes as (k, v) with v the value's JSON
// text, events with their own times and attributes (JSON text), the
// batch's raw text where the engine may need it (batchtext.go), else null,
// and whether its source_request_id came earlier in the read (repeat: true
// for every repeat, and rarely for another batch, on a hash collision).
var (
	pairType    = func(a, b string) arrow.DataType { return arrow.StructOf(field(a, str), field(b, str)) }
	str         = arrow.BinaryTypes.String
	micros      = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	eventType   = arrow.StructOf(field("id", str), field("type", str), field("name", str), nullable("ts", micros), nullable("attributes", str))
	batchSchema = arrow.NewSchema([]arrow.Field{
		field("_origin", str),
		nullable("ts", micros),
		nullable("mpid", arrow.PrimitiveTypes.Int64),
		nullable("request_id", str),
		field("identities", arrow.ListOf(pairType("t", "v"))),
		field("attributes", arrow.ListOf(pairType("k", "v"))),
		field("deleted", arrow.ListOf(str)),
		field("events", arrow.ListOf(eventType)),
		nullable("batch", str),
		field("repeat", arrow.FixedWidthTypes.Boolean),
	}, nil)
)

// batchColumn and repeatColumn are the raw text's column in batchSchema
// and the column that marks a batch whose request id the read saw before
// (batchText.pass).
const batchColumn, repeatColumn = 8, 9

func field(name string, t arrow.DataType) arrow.Field { return arrow.Field{Name: name, Type: t} }
func nullable(name string, t arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: true}
}

var droppedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: "row", Type: arrow.BinaryTypes.String},
}, nil)

const utf8BOM = "\xef\xbb\xbf"

// readBatch decodes an NDJSON file of mParticle batches (gzip or not) with
// the batch package and stages the valid ones in one stream (decode.go
// decodes them on every core, in file order); the others go to
// dropped_rows with the decoder's reason and message. A leading byte-order
// mark is skipped (DuckDB's readers of the other formats skip it too).
func (f file) readBatch(ctx context.Context, sink connectors.Sink) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer fh.Close()
	var r io.Reader = fh
	if f.to > 0 {
		r = io.NewSectionReader(fh, f.from, f.to-f.from)
	}
	if strings.HasSuffix(strings.ToLower(f.path), ".gz") {
		gz, err := gzip.NewReader(fh)
		if err != nil {
			return fmt.Errorf("not a gzip file: %w", err)
		}
		r = gz
	}
	d := newDecoding(ctx, f, bufio.NewReaderSize(r, 1<<20), f.cores, f.background)
	defer d.stop()
	if err := sink.Arrow(ctx, d); err != nil {
		return err
	}
	if err := d.err(); err != nil {
		return err
	}
	return flush(ctx, d.dropped, sink.DroppedRecords)
}

// decodeLine decodes one batch into kept and returns its request id's
// hash (see batchText), or says why it is dropped.
func (f file) decodeLine(kept *array.RecordBuilder, dropped *[][2]string, line string, lineNo int) (hash uint64, ok bool) {
	origin := f.origin + ":" + strconv.Itoa(lineNo)
	b, derr := batch.DecodeString(line, origin)
	if derr == nil {
		appendBatch(kept, origin, b, line, f.text.needs(b))
		return f.text.hash(b.SourceRequestID), true
	}
	var be *batch.Error
	errors.As(derr, &be)
	row, _ := json.Marshal(map[string]any{"file": f.origin, "line": lineNo, "error": be.Msg, "text": truncate(line, 2048)})
	*dropped = append(*dropped, [2]string{be.Reason, string(row)})
	return 0, false
}

// appendBatch appends b, with its raw text when withText.
func appendBatch(rb *array.RecordBuilder, origin string, b *batch.Batch, line string, withText bool) {
	rb.Field(0).(*array.StringBuilder).Append(origin)
	appendTime(rb.Field(1).(*array.TimestampBuilder), b.Time)
	if b.MPID == 0 {
		rb.Field(2).AppendNull()
	} else {
		rb.Field(2).(*array.Int64Builder).Append(b.MPID)
	}
	if b.SourceRequestID == "" {
		rb.Field(3).AppendNull()
	} else {
		rb.Field(3).(*array.StringBuilder).Append(b.SourceRequestID)
	}

	ids := rb.Field(4).(*array.ListBuilder)
	ids.Append(true)
	pairs := ids.ValueBuilder().(*array.StructBuilder)
	for _, id := range b.Identities {
		appendPair(pairs, id.Type, id.Value)
	}

	attrs := rb.Field(5).(*array.ListBuilder)
	attrs.Append(true)
	pairs = attrs.ValueBuilder().(*array.StructBuilder)
	var buf [16]string // most batches' keys, sorted without an allocation
	keys := buf[:0]
	for k := range b.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		pairs.Append(true)
		pairs.FieldBuilder(0).(*array.StringBuilder).Append(k)
		pairs.FieldBuilder(1).(*array.StringBuilder).BinaryBuilder.Append(b.Attributes[k])
	}

	del := rb.Field(6).(*array.ListBuilder)
	del.Append(true)
	del.ValueBuilder().(*array.StringBuilder).AppendValues(b.Deleted, nil)

	events := rb.Field(7).(*array.ListBuilder)
	events.Append(true)
	ev := events.ValueBuilder().(*array.StructBuilder)
	for _, e := range b.Events {
		ev.Append(true)
		ev.FieldBuilder(0).(*array.StringBuilder).Append(e.ID)
		ev.FieldBuilder(1).(*array.StringBuilder).Append(e.Type)
		ev.FieldBuilder(2).(*array.StringBuilder).Append(e.Name)
		appendTime(ev.FieldBuilder(3).(*array.TimestampBuilder), e.Time)
		if isObject(e.Attributes) {
			ev.FieldBuilder(4).(*array.StringBuilder).BinaryBuilder.Append(e.Attributes)
		} else {
			ev.FieldBuilder(4).AppendNull()
		}
	}
	rb.Field(repeatColumn).(*array.BooleanBuilder).Append(false) // batchText.pass marks repeats
	if withText {
		rb.Field(batchColumn).(*array.StringBuilder).Append(strings.TrimSpace(line))
	} else {
		rb.Field(batchColumn).AppendNull()
	}
}

func appendPair(sb *array.StructBuilder, a, b string) {
	sb.Append(true)
	sb.FieldBuilder(0).(*array.StringBuilder).Append(a)
	sb.FieldBuilder(1).(*array.StringBuilder).Append(b)
}

func appendTime(tb *array.TimestampBuilder, t time.Time) {
	if t.IsZero() {
		tb.AppendNull()
	} else {
		tb.Append(arrow.Timestamp(t.UnixMicro()))
	}
}

// isObject tells whether raw JSON is an object (event attributes that are
// not an object are not kept).
func isObject(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

// flush hands what the builder holds to stage, if anything.
func flush(ctx context.Context, rb *array.RecordBuilder, stage func(context.Context, array.RecordReader) error) error {
	if rb.Field(0).Len() == 0 {
		return nil
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err != nil {
		return err
	}
	defer rdr.Release()
	return stage(ctx, rdr)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

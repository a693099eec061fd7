package files

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/klauspost/compress/gzip"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/batch"
)

// batchSchema holds the columns a `format: batch` feed stages, one row per
// valid batch, typed so that the engine unnests them without parsing JSON:
// identities as (t, v, j) with j the source's verdict (Judgement.Bits;
// null when it was not sure, v then as sent), attributes as (k, v) with v the value's JSON
// text, events with their own times and attributes (JSON text) and their
// ids as UUIDs where they are ones (uuid.go; else as text), the
// batch's raw text where the engine may need it (batchtext.go), else null,
// whether its source_request_id came earlier in the read (repeat: true
// for every repeat, and rarely for another batch, on a hash collision),
// and whether one of its identities is surely usable (usable: the engine
// then need not count them to tell whether the batch has one).
var (
	pairType    = func(a, b string) arrow.DataType { return arrow.StructOf(field(a, str), field(b, str)) }
	str         = arrow.BinaryTypes.String
	micros      = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	identType   = arrow.StructOf(field("t", str), field("v", str), nullable("j", arrow.PrimitiveTypes.Int8))
	eventType   = arrow.StructOf(nullable("id", str), field("type", str), field("name", str), nullable("ts", micros), nullable("attributes", str), uuidField("uuid"))
	batchSchema = arrow.NewSchema([]arrow.Field{
		field("_origin", str),
		nullable("ts", micros),
		nullable("mpid", arrow.PrimitiveTypes.Int64),
		nullable("request_id", str),
		field("identities", arrow.ListOf(identType)),
		field("attributes", arrow.ListOf(pairType("k", "v"))),
		field("deleted", arrow.ListOf(str)),
		field("events", arrow.ListOf(eventType)),
		nullable("batch", str),
		field("repeat", arrow.FixedWidthTypes.Boolean),
		field("usable", arrow.FixedWidthTypes.Boolean),
		uuidField("request_uuid"),
	}, nil)
)

// batchColumn and repeatColumn are the raw text's column in batchSchema
// and the column that marks a batch whose request id the read saw before
// (batchText.pass); usableColumn the one that marks a batch with an
// identity surely usable; requestUUIDColumn the request id's 16 bytes when
// it is a canonical UUID (uuid.go; request_id keeps its text either way,
// for the checks of batches already ingested).
const batchColumn, repeatColumn, usableColumn, requestUUIDColumn = 8, 9, 10, 11

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
		if rerr := d.err(); rerr != nil {
			return rerr // the cause, not DuckDB's report of the stream's end
		}
		return err
	}
	if err := d.err(); err != nil {
		return err
	}
	return flush(ctx, d.dropped, sink.DroppedRecords)
}

// decodeLine decodes one batch with dec into kept and returns its request
// id's hash (see batchText), or says why it is dropped.
func (f file) decodeLine(dec *batch.Decoder, kept *array.RecordBuilder, dropped *[][2]string, line string, lineNo int) (hash uint64, ok bool) {
	origin := f.origin + ":" + strconv.Itoa(lineNo)
	b, derr := dec.DecodeString(line, origin)
	if derr == nil {
		appendBatch(kept, origin, b, line, f.text, f.judge)
		return f.text.hash(b.SourceRequestID), true
	}
	var be *batch.Error
	errors.As(derr, &be)
	row, _ := json.Marshal(map[string]any{"file": f.origin, "line": lineNo, "error": be.Msg, "text": truncate(line, 2048)})
	*dropped = append(*dropped, [2]string{be.Reason, string(row)})
	return 0, false
}

// appendBatch appends b, its identities judged by judge when it is sure
// (nil: never), with its raw text when text needs it.
func appendBatch(rb *array.RecordBuilder, origin string, b *batch.Batch, line string, text *batchText, judge connectors.Judge) {
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
	if u, ok := canonicalUUID(b.SourceRequestID); ok {
		rb.Field(requestUUIDColumn).(*array.FixedSizeBinaryBuilder).Append(u[:])
	} else {
		rb.Field(requestUUIDColumn).AppendNull()
	}

	usable := appendIdentities(rb.Field(4).(*array.ListBuilder), b.Identities, judge)

	attrs := rb.Field(5).(*array.ListBuilder)
	attrs.Append(true)
	pairs := attrs.ValueBuilder().(*array.StructBuilder)
	for _, a := range b.Attributes {
		pairs.Append(true)
		pairs.FieldBuilder(0).(*array.StringBuilder).Append(a.Key)
		pairs.FieldBuilder(1).(*array.StringBuilder).Append(a.Value)
	}

	del := rb.Field(6).(*array.ListBuilder)
	del.Append(true)
	del.ValueBuilder().(*array.StringBuilder).AppendValues(b.Deleted, nil)

	events := rb.Field(7).(*array.ListBuilder)
	events.Append(true)
	ev := events.ValueBuilder().(*array.StructBuilder)
	for _, e := range b.Events {
		ev.Append(true)
		appendID(ev.FieldBuilder(5).(*array.FixedSizeBinaryBuilder), ev.FieldBuilder(0).(*array.StringBuilder), e.ID)
		ev.FieldBuilder(1).(*array.StringBuilder).Append(e.Type)
		ev.FieldBuilder(2).(*array.StringBuilder).Append(e.Name)
		appendTime(ev.FieldBuilder(3).(*array.TimestampBuilder), e.Time)
		if strings.HasPrefix(e.Attributes, "{") { // else "null": none
			ev.FieldBuilder(4).(*array.StringBuilder).Append(e.Attributes)
		} else {
			ev.FieldBuilder(4).AppendNull()
		}
	}
	rb.Field(repeatColumn).(*array.BooleanBuilder).Append(false) // batchText.pass marks repeats
	rb.Field(usableColumn).(*array.BooleanBuilder).Append(usable)
	if text.needs(b, usable) {
		rb.Field(batchColumn).(*array.StringBuilder).Append(strings.TrimSpace(line))
	} else {
		rb.Field(batchColumn).AppendNull()
	}
}

// appendIdentities appends a batch's identities, judged where judge is
// sure (an identity of which nothing is left is not appended), and tells
// whether one of them is surely usable.
func appendIdentities(lb *array.ListBuilder, ids []batch.Identity, judge connectors.Judge) (usable bool) {
	lb.Append(true)
	sb := lb.ValueBuilder().(*array.StructBuilder)
	t, v, j := sb.FieldBuilder(0).(*array.StringBuilder), sb.FieldBuilder(1).(*array.StringBuilder), sb.FieldBuilder(2).(*array.Int8Builder)
	for _, id := range ids {
		value, bits := id.Value, int8(-1)
		if judge != nil {
			if jd, sure := judge(id.Type, id.Value); sure {
				if jd.Value == "" {
					continue
				}
				value, bits = jd.Value, jd.Bits()
				usable = usable || jd.Usable()
			}
		}
		sb.Append(true)
		t.Append(id.Type)
		v.Append(value)
		if bits < 0 {
			j.AppendNull()
		} else {
			j.Append(bits)
		}
	}
	return usable
}

func appendTime(tb *array.TimestampBuilder, t time.Time) {
	if t.IsZero() {
		tb.AppendNull()
	} else {
		tb.Append(arrow.Timestamp(t.UnixMicro()))
	}
}

// isObject tells whether raw JSON text is an object (planSpan takes an
// unterminated last line that is a whole JSON object).
func isObject(raw []byte) bool {
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

package files

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/batch"
)

// BatchColumns are the columns a `format: batch` feed stages, one row per
// valid batch; the engine unnests the JSON ones.
var batchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "_origin", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "mpid", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "request_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "identities", Type: arrow.BinaryTypes.String},
	{Name: "attributes", Type: arrow.BinaryTypes.String},
	{Name: "deleted", Type: arrow.BinaryTypes.String},
	{Name: "events", Type: arrow.BinaryTypes.String},
	{Name: "batch", Type: arrow.BinaryTypes.String},
}, nil)

var droppedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: "row", Type: arrow.BinaryTypes.String},
}, nil)

// chunk is how many batches go to the sink at a time.
const chunk = 8192

// readBatch decodes an NDJSON file of mParticle batches (gzip or not) with
// the batch package and stages the valid ones; the others go to
// dropped_rows with the decoder's reason and message.
func (f file) readBatch(ctx context.Context, sink connectors.Sink) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer fh.Close()
	var r io.Reader = fh
	if strings.HasSuffix(strings.ToLower(f.path), ".gz") {
		gz, err := gzip.NewReader(fh)
		if err != nil {
			return fmt.Errorf("not a gzip file: %w", err)
		}
		r = gz
	}
	br := bufio.NewReaderSize(r, 1<<20)
	kept := array.NewRecordBuilder(memory.NewGoAllocator(), batchSchema)
	defer kept.Release()
	dropped := array.NewRecordBuilder(memory.NewGoAllocator(), droppedSchema)
	defer dropped.Release()
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			origin := fmt.Sprintf("%s:%d", f.origin, lineNo)
			b, derr := batch.Decode(line, origin)
			if derr != nil {
				var be *batch.Error
				errors.As(derr, &be)
				row, _ := json.Marshal(map[string]any{"file": f.origin, "line": lineNo, "error": be.Msg, "text": truncate(string(line), 2048)})
				dropped.Field(0).(*array.StringBuilder).Append(be.Reason)
				dropped.Field(1).(*array.StringBuilder).Append(string(row))
			} else {
				appendBatch(kept, origin, b, line)
			}
			if kept.Field(0).Len() >= chunk {
				if err := flush(ctx, kept, sink.Arrow); err != nil {
					return err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if err := flush(ctx, kept, sink.Arrow); err != nil {
		return err
	}
	return flush(ctx, dropped, sink.DroppedRecords)
}

func appendBatch(rb *array.RecordBuilder, origin string, b *batch.Batch, line []byte) {
	str := func(i int, s string) { rb.Field(i).(*array.StringBuilder).Append(s) }
	js := func(i int, v any) {
		out, _ := json.Marshal(v)
		str(i, string(out))
	}
	str(0, origin)
	if b.Time.IsZero() {
		rb.Field(1).AppendNull()
	} else {
		rb.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(b.Time.UnixMicro()))
	}
	if b.MPID == 0 {
		rb.Field(2).AppendNull()
	} else {
		rb.Field(2).(*array.Int64Builder).Append(b.MPID)
	}
	if b.SourceRequestID == "" {
		rb.Field(3).AppendNull()
	} else {
		str(3, b.SourceRequestID)
	}
	js(4, b.Identities)
	if b.Attributes == nil {
		str(5, "{}")
	} else {
		js(5, b.Attributes)
	}
	js(6, append([]string{}, b.Deleted...))
	events := make([]map[string]any, len(b.Events))
	for i, e := range b.Events {
		var ts any
		if !e.Time.IsZero() {
			ts = e.Time.Format(time.RFC3339Nano)
		}
		events[i] = map[string]any{"id": e.ID, "type": e.Type, "name": e.Name, "ts": ts, "attributes": e.Attributes}
	}
	js(7, events)
	str(8, strings.TrimSpace(string(line)))
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

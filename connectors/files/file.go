package files

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"

	"github.com/mosaic-cdp/mosaic/connectors"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// file is one file of a feed being read.
type file struct {
	path      string   // as opened
	origin    string   // as recorded (relative to the pipeline file)
	columns   []string // the feed's mapped columns
	delimiter string
	// lineBase is added to the line numbers of what is read (a read of
	// a file's appended part, or of a copy of it); for batch, from and to
	// bound the bytes read (to 0: the whole file).
	lineBase, from, to int64
	// maxLine, if not 0, is the last line an NDJSON read reads.
	maxLine int64
	// cores bounds the batch decoder's goroutines (0: GOMAXPROCS), which
	// run at lowered priority when background is set.
	cores      int
	background bool
	// text keeps track of which batches are staged with their raw text,
	// over one read of a `format: batch` feed.
	text *batchText
	// judge judges a batch's identities as staging would (nil: never sure).
	judge connectors.Judge
}

var scanSeq atomic.Int64

func (f file) read(ctx context.Context, format string, sink connectors.Sink) error {
	switch format {
	case "csv":
		return f.readCSV(ctx, sink)
	case "ndjson":
		return f.readNDJSON(ctx, sink)
	case "parquet":
		return f.readParquet(ctx, sink)
	case "batch":
		return f.readBatch(ctx, sink)
	}
	return fmt.Errorf("unknown format %q", format)
}

// sqlData is what the files/*.sql.tmpl templates see.
type sqlData struct {
	Path, Origin, Delimiter, Prefix string
	Columns, Header                 []string
	RejectsTable, RejectsScan       string
	Lines                           string
	LineBase                        int64 // added to the reader's line numbers
	MaxLine                         int64 // if not 0, the last line read (NDJSON)
}

func (f file) data() sqlData {
	n := scanSeq.Add(1)
	return sqlData{
		Path: f.path, Origin: f.origin, Columns: f.columns, LineBase: f.lineBase, MaxLine: f.maxLine,
		RejectsTable: fmt.Sprintf("_rejects_%d", n), RejectsScan: fmt.Sprintf("_rejects_scan_%d", n),
	}
}

func (f file) readCSV(ctx context.Context, sink connectors.Sink) error {
	d := f.data()
	d.Delimiter, d.Prefix = f.delimiter, "csv_"
	if d.Delimiter == "" {
		d.Delimiter = ","
	}
	header, err := csvHeader(f.path, d.Delimiter)
	if errors.Is(err, io.EOF) {
		return nil // an empty file holds no rows
	}
	if err != nil {
		return fmt.Errorf("read CSV header: %w", err)
	}
	for _, c := range f.columns {
		if !slices.Contains(header, c) {
			return fmt.Errorf("the header has no column %q (it has: %s); fix the feed's mapping", c, strings.Join(header, ", "))
		}
	}
	d.Header = header
	return f.stage(ctx, sink, d, "files/read_csv.sql.tmpl", "")
}

func (f file) readNDJSON(ctx context.Context, sink connectors.Sink) error {
	d := f.data()
	d.Prefix = "ndjson_"
	read, err := sqlfiles.Render("files/read_lines.sql.tmpl", d)
	if err != nil {
		return err
	}
	if d.Lines, err = sink.Temp(ctx, read); err != nil {
		return err
	}
	return f.stage(ctx, sink, d, "files/ndjson_rows.sql.tmpl", "files/ndjson_dropped.sql.tmpl")
}

func (f file) readParquet(ctx context.Context, sink connectors.Sink) error {
	if err := checkParquet(f.path); err != nil {
		return err
	}
	q, err := sqlfiles.Render("files/read_parquet.sql.tmpl", f.data())
	if err != nil {
		return err
	}
	return sink.Query(ctx, q)
}

// stage runs the rows template into the sink, then records the dropped
// rows: those of the dropped template, if any, and the reader's rejects.
func (f file) stage(ctx context.Context, sink connectors.Sink, d sqlData, rows, dropped string) error {
	q, err := sqlfiles.Render(rows, d)
	if err != nil {
		return err
	}
	if err := sink.Query(ctx, q); err != nil {
		return err
	}
	for _, tmpl := range []string{dropped, "files/csv_rejects.sql.tmpl"} {
		if tmpl == "" {
			continue
		}
		q, err := sqlfiles.Render(tmpl, d)
		if err != nil {
			return err
		}
		if err := sink.Dropped(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// csvHeader reads the first record of a CSV file (gzip or not).
func csvHeader(path, delimiter string) ([]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var r io.Reader = bufio.NewReader(fh)
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("not a gzip file: %w", err)
		}
		r = gz
	}
	cr := csv.NewReader(r)
	cr.Comma = []rune(delimiter)[0]
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	rec, err := cr.Read()
	if err != nil {
		return nil, err
	}
	if len(rec) > 0 {
		rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
	}
	return rec, nil
}

// checkParquet refuses a file that is not Parquet before DuckDB reads it: a
// failed statement would abort the whole run's transaction.
func checkParquet(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return err
	}
	head, tail := make([]byte, 4), make([]byte, 4)
	if info.Size() < 12 {
		return errors.New("not a Parquet file: too short")
	}
	if _, err := fh.ReadAt(head, 0); err != nil {
		return err
	}
	if _, err := fh.ReadAt(tail, info.Size()-4); err != nil {
		return err
	}
	if !bytes.Equal(head, []byte("PAR1")) || !bytes.Equal(tail, []byte("PAR1")) {
		return errors.New("not a Parquet file (no PAR1 magic at both ends): replace it, or remove it from the glob")
	}
	return nil
}

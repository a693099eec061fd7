//go:build duckdb_arrow

package engine

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

var viewSeq atomic.Int64

// StageArrow appends a stream of Arrow record batches to the temp table
// (created by the first call), materialised at once with a single
// `SELECT *` of the stream's view (withView).
func (t *Tx) StageArrow(ctx context.Context, table string, rdr array.RecordReader) (int64, error) {
	var n int64
	err := t.withView(ctx, rdr, func(view string) error {
		query, err := sqlfiles.Render("engine/select_all.sql.tmpl", view)
		if err != nil {
			return err
		}
		n, err = t.stageSelect(ctx, table, query)
		return err
	})
	return n, err
}

// withView registers the stream as a view for fn's statements. duckdb-go's
// Arrow views can be scanned only once, and a query must read every
// column of one and filter none: projecting a subset of the columns reads
// the wrong ones, and a filter pushed into the view is ignored (duckdb-go
// 2.10506; see docs/duckdb-notes.md).
func (t *Tx) withView(ctx context.Context, rdr array.RecordReader, fn func(view string) error) error {
	view := fmt.Sprintf("_arrow_%d", viewSeq.Add(1))
	var release func()
	err := t.s.conn.Raw(func(dc any) error {
		a, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		release, err = a.RegisterView(rdr, view)
		return err
	})
	if err != nil {
		return fmt.Errorf("stage arrow stream: %w", err)
	}
	// Deferred calls run last first: the view is dropped before the stream
	// is released. A query interrupted mid-scan (a cancelled read) can leave
	// scan tasks with DuckDB that it runs when the connection prepares its
	// next statement; the drop is that statement, so they run while the
	// stream is still valid instead of on a freed cgo handle (a panic).
	defer release()
	defer t.dropTemplate(ctx, "engine/drop_arrow_view.sql.tmpl", view)
	return fn(view)
}

// Arrow stages a stream of record batches (the Sink method for sources
// that read outside DuckDB). A batch feed's batches are staged in chunks
// of about Options.BatchChunk (whole records, over any number of calls):
// each full chunk is kept (keepChunk) before the next is staged, so that
// a read of any size holds one chunk staged at a time. Finish keeps the
// last.
func (f *FeedStage) Arrow(ctx context.Context, r array.RecordReader) error {
	if !f.feed.Source.IsBatch() {
		_, err := f.tx.StageArrow(ctx, f.table, r)
		return err
	}
	for {
		c := &chunkReader{RecordReader: r, left: f.tx.s.chunk - f.staged}
		_, err := f.tx.StageArrow(ctx, f.table, c)
		f.staged += c.rows
		if err != nil || f.staged < f.tx.s.chunk {
			return err // the stream ended first
		}
		if err := f.keepChunk(ctx); err != nil {
			return err
		}
	}
}

// chunkReader ends a stream once it has passed on left rows or more, and
// counts them. The stream goes on after it: releasing the chunk (as the
// view it was registered as does) leaves the stream alone.
type chunkReader struct {
	array.RecordReader
	left, rows int64
}

func (c *chunkReader) Retain()  {}
func (c *chunkReader) Release() {}

func (c *chunkReader) Next() bool {
	if c.left <= 0 || !c.RecordReader.Next() {
		return false
	}
	n := c.RecordReader.RecordBatch().NumRows()
	c.left, c.rows = c.left-n, c.rows+n
	return true
}

// ScanArrow runs a query inside the transaction and hands its result to fn
// one Arrow record batch at a time (columnar: no row-at-a-time scanning).
// A batch is valid only during its call.
func (t *Tx) ScanArrow(ctx context.Context, fn func(arrow.RecordBatch) error, query string, args ...any) error {
	return t.s.ScanArrow(ctx, fn, query, args...)
}

// ScanArrow is Tx.ScanArrow outside a transaction. Like Tx.Exec, it logs
// the query at debug level with the rows read and the time taken, fn's
// included.
func (s *Store) ScanArrow(ctx context.Context, fn func(arrow.RecordBatch) error, query string, args ...any) error {
	start, cpu := time.Now(), cpuTime()
	var rdr array.RecordReader
	err := s.conn.Raw(func(dc any) error {
		a, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rdr, err = a.QueryContext(ctx, query, args...)
		return err
	})
	if err != nil {
		return err
	}
	defer rdr.Release()
	var n int64
	for rdr.Next() {
		rec := rdr.RecordBatch()
		n += rec.NumRows()
		if err := fn(rec); err != nil {
			return err
		}
	}
	s.log.Debug("sql", "rows", n, "ms", time.Since(start).Milliseconds(), "cpu_ms", (cpuTime() - cpu).Milliseconds(), "stmt", firstLine(query))
	return rdr.Err()
}

// DroppedRecords records rows a source could not parse, given as Arrow
// record batches of (reason, row JSON text).
func (f *FeedStage) DroppedRecords(ctx context.Context, r array.RecordReader) error {
	table := "_dropped_" + f.feed.Name
	if _, err := f.tx.StageArrow(ctx, table, r); err != nil {
		return fmt.Errorf("stage dropped rows: %w", err)
	}
	defer f.tx.dropTemp(ctx, table)
	q, err := sqlfiles.Render("engine/select_dropped.sql.tmpl", table)
	if err != nil {
		return err
	}
	return f.Dropped(ctx, q)
}

// stageBatchRows is the most rows a builder's record hands DuckDB in one
// Arrow batch: DuckDB's row group. Its threads take the stream's batches
// in turn, so one batch of every row would be converted on one thread.
const stageBatchRows = 122_880

// StageBuilder stages what an Arrow record builder holds into the temp table
// (as StageArrow) and releases the builder.
func (t *Tx) StageBuilder(ctx context.Context, table string, b *array.RecordBuilder) error {
	return withRecord(b, func(rdr array.RecordReader, _ int64) error {
		_, err := t.StageArrow(ctx, table, rdr)
		return err
	})
}

// InsertBuilder runs the statement of the SQL template file name, with
// args, over what an Arrow record builder holds, and releases the
// builder. The template is given the name of the record's view (as
// {{ident .}}); its statement must read every column of the view and
// filter none (withView). Writing a store table straight from the record
// costs half of staging it as a temp table first and inserting from
// there: in the run's transaction DuckDB scans such a table on one thread.
// With no rows it runs nothing: in DuckDB 1.5 an insert from an ordered
// source that writes no row makes later large inserts into the table in
// the same transaction lose their rows (see ExecUnordered).
func (t *Tx) InsertBuilder(ctx context.Context, name string, b *array.RecordBuilder, args ...any) (int64, error) {
	var n int64
	err := withRecord(b, func(rdr array.RecordReader, rows int64) error {
		if rows == 0 {
			return nil
		}
		return t.withView(ctx, rdr, func(view string) error {
			stmt, err := sqlfiles.Render(name, view)
			if err != nil {
				return err
			}
			n, err = t.Exec(ctx, stmt, args...)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return nil
		})
	})
	return n, err
}

// withRecord hands fn a reader of what b holds, in batches of at most
// stageBatchRows rows, and their number, and releases b.
func withRecord(b *array.RecordBuilder, fn func(rdr array.RecordReader, rows int64) error) error {
	defer b.Release()
	rec := b.NewRecordBatch()
	defer rec.Release()
	batches := []arrow.RecordBatch{rec}
	if n := rec.NumRows(); n > stageBatchRows {
		batches = batches[:0]
		for i := int64(0); i < n; i += stageBatchRows {
			s := rec.NewSlice(i, min(i+stageBatchRows, n))
			defer s.Release()
			batches = append(batches, s)
		}
	}
	rdr, err := array.NewRecordReader(rec.Schema(), batches)
	if err != nil {
		return err
	}
	defer rdr.Release()
	return fn(rdr, rec.NumRows())
}

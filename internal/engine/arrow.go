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
// (created by the first call). The stream is registered as a view and
// materialised at once with a single `SELECT *`: duckdb-go's Arrow views
// can be scanned only once, and projecting a subset of their columns reads
// the wrong columns (duckdb-go 2.10506).
func (t *Tx) StageArrow(ctx context.Context, table string, rdr array.RecordReader) (int64, error) {
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
		return 0, fmt.Errorf("stage arrow stream: %w", err)
	}
	// Deferred calls run last first: the view is dropped before the stream
	// is released. A query interrupted mid-scan (a cancelled read) can leave
	// scan tasks with DuckDB that it runs when the connection prepares its
	// next statement; the drop is that statement, so they run while the
	// stream is still valid instead of on a freed cgo handle (a panic).
	defer release()
	defer t.dropTemplate(ctx, "engine/drop_arrow_view.sql.tmpl", view)
	query, err := sqlfiles.Render("engine/select_all.sql.tmpl", view)
	if err != nil {
		return 0, err
	}
	return t.stageSelect(ctx, table, query)
}

// Arrow stages a stream of record batches (the Sink method for sources
// that read outside DuckDB).
func (f *FeedStage) Arrow(ctx context.Context, r array.RecordReader) error {
	if _, err := f.tx.StageArrow(ctx, f.table, r); err != nil {
		return err
	}
	return nil
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

// stageBatchRows is the most rows StageBuilder hands DuckDB in one Arrow
// batch: DuckDB's row group. Its threads take the stream's batches in
// turn, so one batch of every row would be converted on one thread.
const stageBatchRows = 122_880

// StageBuilder stages what an Arrow record builder holds into the temp table
// (as StageArrow) and releases the builder.
func (t *Tx) StageBuilder(ctx context.Context, table string, b *array.RecordBuilder) error {
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
	_, err = t.StageArrow(ctx, table, rdr)
	return err
}

package bigquery

import (
	"context"
	"errors"
	"fmt"

	"cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/api/iterator"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// reader is one feed's read.
type reader struct {
	cfg       Config
	client    *bigquery.Client
	req       connectors.ReadRequest
	prev      State
	batchRows int
}

// read runs the feed's query and stages its result through the Storage
// Read API when BigQuery serves it that way, else through REST pages.
func (r *reader) read(ctx context.Context, sink connectors.Sink) (State, error) {
	schema, err := sourceSchema(ctx, r.client, r.cfg, r.req.Cursor, r.req.Watermark, r.prev)
	if err != nil {
		return State{}, err
	}
	sql, params, err := buildQuery(r.cfg, schema, r.req.Columns, r.req.Cursor, r.req.Watermark)
	if err != nil {
		return State{}, err
	}
	q := r.client.Query(sql)
	q.Parameters = params
	q.Location = r.cfg.Location
	it, err := r.run(ctx, q)
	if err != nil {
		return State{}, fmt.Errorf("run the read query: %w", redact(err))
	}
	mem := memory.DefaultAllocator
	if it.IsAccelerated() {
		arrowIt, err := it.ArrowIterator()
		if err != nil {
			return State{}, err
		}
		rdr, err := DecodeStorage(arrowIt, mem)
		if err != nil {
			return State{}, err
		}
		n, err := stage(ctx, sink, rdr)
		return r.state(PathStorageRead, n, it.Schema), err
	}
	var first []bigquery.Value
	switch err := it.Next(&first); {
	case errors.Is(err, iterator.Done):
		return r.state(PathREST, 0, it.Schema), nil
	case err != nil:
		return State{}, fmt.Errorf("read rows: %w", redact(err))
	}
	rdr, err := newRESTReader(it, it.Schema, first, r.batchRows, mem)
	if err != nil {
		return State{}, err
	}
	n, err := stage(ctx, sink, rdr)
	return r.state(PathREST, n, it.Schema), err
}

// state reports the read, with the cursor's type in the result (or, when
// the result had no schema, the type the previous read saw).
func (r *reader) state(path string, rows int64, schema bigquery.Schema) State {
	st := State{Path: path, Rows: rows}
	if r.req.Cursor == "" {
		return st
	}
	st.Cursor = r.req.Cursor
	if f := field(schema, r.req.Cursor); f != nil {
		st.CursorType = string(f.Type)
	} else if r.prev.Cursor == r.req.Cursor {
		st.CursorType = r.prev.CursorType
	}
	return st
}

// run starts the query. With the Storage Read API, jobs.query answers a
// small result inline and a larger one is read through a read session.
// Without it, the job's result is fetched in pages of a bounded number of
// rows (jobs.query would return its first page unbounded by rows).
func (r *reader) run(ctx context.Context, q *bigquery.Query) (*bigquery.RowIterator, error) {
	if r.cfg.useStorage() {
		return q.Read(ctx)
	}
	job, err := q.Run(ctx)
	if err != nil {
		return nil, err
	}
	it, err := job.Read(ctx)
	if err != nil {
		return nil, err
	}
	it.PageInfo().MaxSize = pageRows(r.batchRows)
	return it, nil
}

// pageRows is the rows asked for per REST page: a few Arrow batches' worth
// (BigQuery caps a page at about 10 MB anyway).
func pageRows(batchRows int) int {
	if batchRows <= 0 {
		batchRows = 16384
	}
	return 4 * batchRows
}

// stage hands rdr to the sink and returns the rows it delivered. An error
// of the reader itself (a dropped connection, a cancelled context) wins
// over the sink's report of it, so that errors.Is sees its cause.
func stage(ctx context.Context, sink connectors.Sink, rdr array.RecordReader) (int64, error) {
	c := &counter{RecordReader: rdr}
	defer rdr.Release()
	err := sink.Arrow(ctx, c)
	if rerr := rdr.Err(); rerr != nil {
		return c.rows, rerr
	}
	if err != nil {
		return c.rows, fmt.Errorf("stage rows: %w", err)
	}
	return c.rows, nil
}

// counter counts the rows of the batches passed on.
type counter struct {
	array.RecordReader
	rows int64
}

func (c *counter) Next() bool {
	if !c.RecordReader.Next() {
		return false
	}
	c.rows += c.RecordBatch().NumRows()
	return true
}

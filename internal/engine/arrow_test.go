//go:build duckdb_arrow

package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
)

// arrowRows builds a stream of two record batches with more columns than
// the feed maps, in an order unlike the mapping's.
func arrowRows(t *testing.T) array.RecordReader {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "unused_a", Type: arrow.PrimitiveTypes.Int64},
		{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "unused_b", Type: arrow.BinaryTypes.String},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "vip", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer b.Release()
	var recs []arrow.RecordBatch
	base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for batch := range 2 {
		for i := range 3 {
			n := batch*3 + i
			b.Field(0).(*array.Int64Builder).Append(int64(n))
			if n == 4 {
				b.Field(1).(*array.StringBuilder).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf(" User%d@Example.com ", n))
			}
			b.Field(2).(*array.Float64Builder).Append(float64(n) + 0.5)
			b.Field(3).(*array.StringBuilder).Append("x")
			b.Field(4).(*array.TimestampBuilder).Append(arrow.Timestamp(base.Add(time.Duration(n) * time.Hour).UnixMicro()))
			b.Field(5).(*array.BooleanBuilder).Append(n%2 == 0)
		}
		recs = append(recs, b.NewRecordBatch())
	}
	r, err := array.NewRecordReader(schema, recs)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestStageArrowMaterialisesOnce stages an Arrow stream through a
// registered view (scanned once, all columns) and maps a subset of its
// columns in another order: the path where duckdb-go's Arrow views misread
// projected columns (duckdb-go 2.10506) if not materialised first.
func TestStageArrowMaterialisesOnce(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	p := testPipeline(t, "    timestamp: ts\n    identities: {email: email}\n    attributes: {score: score, vip: vip}\n")
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	stage := tx.StageFeed(p, 0, 1, time.Now())
	if err := stage.Arrow(ctx, arrowRows(t)); err != nil {
		t.Fatal(err)
	}
	st, err := stage.Finish(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(FeedStats{Read: 6, Kept: 5, Dropped: 1}, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	rows, err := s.Conn().QueryContext(ctx, `
		SELECT r.row_pos, strftime(r.ts, '%H'), i.identity_value, a.value::VARCHAR, v.value::VARCHAR
		FROM _mosaic.feed_rows r
		JOIN _mosaic.feed_identities i USING (row_id)
		JOIN _mosaic.feed_attributes a ON a.row_id = r.row_id AND a.key = 'score'
		JOIN _mosaic.feed_attributes v ON v.row_id = r.row_id AND v.key = 'vip'
		ORDER BY r.row_pos`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got [][]string
	for rows.Next() {
		var pos, hour, email, score, vip string
		if err := rows.Scan(&pos, &hour, &email, &score, &vip); err != nil {
			t.Fatal(err)
		}
		got = append(got, []string{pos, hour, email, score, vip})
	}
	want := [][]string{
		{"1", "00", "user0@example.com", "0.5", "true"},
		{"2", "01", "user1@example.com", "1.5", "false"},
		{"3", "02", "user2@example.com", "2.5", "true"},
		{"4", "03", "user3@example.com", "3.5", "false"},
		{"6", "05", "user5@example.com", "5.5", "false"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kept rows (-want +got):\n%s", diff)
	}
	var reason string
	if err := s.Conn().QueryRowContext(ctx, "SELECT reason FROM _mosaic.dropped_rows").Scan(&reason); err != nil || reason != "no_identity" {
		t.Errorf("dropped reason = %q, %v; want no_identity", reason, err)
	}
}

// cancellingReader yields one batch and cancels its context as it does,
// as a source whose read is cancelled while DuckDB scans it; then it ends,
// as a source that honours its context.
type cancellingReader struct {
	array.RecordReader
	cancel func()
	calls  int
}

func (r *cancellingReader) Next() bool {
	r.calls++
	if r.calls == 1 {
		r.cancel()
		return true
	}
	return false
}

// TestStageArrowCancelledMidScan cancels a staged stream mid-scan, many
// times: the stream must stay valid until DuckDB is done with it. Released
// first, the next statement on the connection ran DuckDB's leftover scan
// tasks on a freed handle and panicked (about one read in fifty).
func TestStageArrowCancelledMidScan(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer b.Release()
	for i := range 2048 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	for range 200 {
		ctx, cancel := context.WithCancel(context.Background())
		tx, err := s.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		inner, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
		if err != nil {
			t.Fatal(err)
		}
		rdr := &cancellingReader{RecordReader: inner, cancel: cancel}
		inner.Next()
		// Whether the stage fails depends on when DuckDB sees the
		// cancellation; what matters is that nothing reads a freed stream.
		tx.StageArrow(ctx, "_cancelled", rdr)
		if err := tx.Rollback(context.Background()); err != nil {
			t.Fatal(err)
		}
		inner.Release()
		cancel()
	}
}

// TestArrowViewsDoNotOutliveTheirStream: DuckDB's arrow scan makes its
// view in main, where a committed one would outlive the stream it reads
// (reading it crashed the process). After a staged stream commits no such
// view is left, and one an older mosaic left goes when a writer opens.
func TestArrowViewsDoNotOutliveTheirStream(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.duckdb")
	s := openStore(t, path)
	p := testPipeline(t, "    timestamp: ts\n    identities: {email: email}\n")
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.StageFeed(p, 0, 1, time.Now()).Arrow(ctx, arrowRows(t)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	arrowViews := func(s *Store) int {
		var n int
		if err := s.Conn().QueryRowContext(ctx, "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE '%arrow%'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := arrowViews(s); n != 0 {
		t.Fatalf("%d arrow views left after the commit", n)
	}
	if _, err := s.Conn().ExecContext(ctx, "CREATE VIEW main._arrow_41 AS SELECT 1 AS x"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, path)
	if n := arrowViews(s); n != 0 {
		t.Fatalf("%d leftover arrow views after a writer opened the store", n)
	}
}

// TestInsertBuilder writes a record of several Arrow batches straight into
// a store table, its columns read in another order than the record's, and
// runs nothing for an empty record.
func TestInsertBuilder(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "mpid", Type: arrow.PrimitiveTypes.Int64}, {Name: "row_id", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	rows := 2*stageBatchRows + 7
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	for i := range rows {
		b.Field(0).(*array.Int64Builder).Append(-3 * int64(i+1))
		b.Field(1).(*array.Int64Builder).Append(int64(i + 1))
	}
	n, err := tx.InsertBuilder(ctx, "identity/insert_rows.sql.tmpl", b)
	if err != nil || n != int64(rows) {
		t.Fatalf("InsertBuilder = %d, %v; want %d rows", n, err, rows)
	}
	var count, wrong int64
	err = tx.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE mpid <> -3 * row_id) FROM _mosaic.row_profiles").Scan(&count, &wrong)
	if err != nil || count != int64(rows) || wrong != 0 {
		t.Errorf("row_profiles: %d rows, %d with the wrong profile, %v; want %d, 0", count, wrong, err, rows)
	}
	// Run, the statement would fail: it takes a parameter.
	empty := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	if n, err := tx.InsertBuilder(ctx, "identity/insert_refusals.sql.tmpl", empty); n != 0 || err != nil {
		t.Errorf("InsertBuilder of no rows = %d, %v; want 0, nil", n, err)
	}
}

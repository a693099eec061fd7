package files

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/mosaic-cdp/mosaic/connectors"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

var _ connectors.Checker = (*Source)(nil)

// Check looks at the files the next read would read (those the state has
// not seen, and of a line file that grew only its new part; or the last
// matching file when there are none, so that the
// mapping is still checked) with the readers Read uses, in an in-memory
// DuckDB of its own: the mapped columns and their types (DuckDB types, as
// the rows are staged), and how many rows those files hold. It reads the
// files but stages nothing.
func (s *Source) Check(ctx context.Context, req connectors.CheckRequest) (connectors.CheckResult, error) {
	res := connectors.CheckResult{Rows: -1}
	c, matches, err := s.plan(req.ValidateRequest)
	if err != nil {
		return res, err
	}
	_, todo, err := pending(req.ReadRequest, matches, c.Format)
	if err != nil {
		return res, err
	}
	look := todo
	if len(look) == 0 {
		_, all, err := pending(connectors.ReadRequest{ValidateRequest: req.ValidateRequest}, matches, c.Format)
		if err != nil {
			return res, err
		}
		if len(all) == 0 {
			return res, fmt.Errorf("feed %s: %q matches only folders; point `path:` at files", req.Feed, c.Path)
		}
		look = all[len(all)-1:]
	}
	db, conn, err := openDuckDB(ctx)
	if err != nil {
		return res, err
	}
	defer db.Close()
	defer conn.Close()
	ck := &checker{conn: conn, feed: req.Feed, wanted: req.Wanted(), cursor: req.Cursor, timestamp: req.Timestamp, cols: map[string]*connectors.CheckColumn{}, keyLines: map[string]int64{}, keyTypes: map[string][]string{}}
	res.Rows = 0
	for _, p := range look {
		f := file{path: p.path, origin: p.key, delimiter: c.Delimiter}
		done, count := func() {}, len(todo) > 0
		if count && p.prev != nil && appendable(c.Format, p.path) {
			// Look at what the next read reads: the appended part; when
			// there is none (only an unfinished line), the whole file,
			// for its columns, counting no row.
			g, _, gdone, err := f.spanned(ctx, c.Format, p.prev, p.now, true)
			if err != nil {
				ck.problemf("%s: %v", p.key, err)
				continue
			}
			if gdone == nil {
				count = false
			} else {
				f, done = g, gdone
			}
		}
		n, err := ck.file(ctx, f, c.Format)
		done()
		if err != nil {
			if ctx.Err() != nil {
				return res, fmt.Errorf("feed %s: check cancelled: %w", req.Feed, ctx.Err())
			}
			ck.problemf("%s: %v; fix or remove the file", p.key, err)
			continue
		}
		if count {
			res.Rows += n
		}
	}
	ck.finish()
	res.Columns, res.Problems = ck.result(), ck.problems
	return res, nil
}

// openDuckDB opens an in-memory DuckDB on one connection (the readers'
// rejects tables live on it).
func openDuckDB(ctx context.Context) (*sql.DB, *sql.Conn, error) {
	connector, err := duckdb.NewConnector("", func(driver.ExecerContext) error { return nil })
	if err != nil {
		return nil, nil, fmt.Errorf("open DuckDB: %w", err)
	}
	db := sql.OpenDB(connector)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("open DuckDB: %w", err)
	}
	return db, conn, nil
}

// checker collects one feed's findings over its files.
type checker struct {
	conn              *sql.Conn
	feed              string
	wanted            []string
	cursor, timestamp string
	cols              map[string]*connectors.CheckColumn
	problems          []string
	// NDJSON keys are looked for over all the files: per key, on how many
	// lines it is present and the JSON types of its values.
	ndjsonFiles []string
	ndjsonLines int64
	keyLines    map[string]int64
	keyTypes    map[string][]string
}

func (ck *checker) problemf(format string, args ...any) {
	ck.problems = append(ck.problems, fmt.Sprintf("feed %s: ", ck.feed)+fmt.Sprintf(format, args...))
}

// file checks one file and returns how many rows the reader yields.
func (ck *checker) file(ctx context.Context, f file, format string) (int64, error) {
	switch format {
	case "csv":
		return ck.csv(ctx, f)
	case "ndjson":
		return ck.ndjson(ctx, f)
	case "parquet":
		return ck.parquet(ctx, f)
	case "batch":
		return ck.batch(ctx, f)
	}
	return 0, fmt.Errorf("unknown format %q", format)
}

func (ck *checker) csv(ctx context.Context, f file) (int64, error) {
	d := f.data()
	d.Delimiter, d.Prefix = f.delimiter, "csv_"
	if d.Delimiter == "" {
		d.Delimiter = ","
	}
	header, err := csvHeader(f.path, d.Delimiter)
	if errors.Is(err, io.EOF) {
		return 0, nil // an empty file holds no rows
	}
	if err != nil {
		return 0, fmt.Errorf("read CSV header: %w", err)
	}
	d.Header = header
	d.Columns = ck.present(f.origin, header)
	return ck.reader(ctx, d, "files/read_csv.sql.tmpl", func(string) string { return "text (CSV)" })
}

func (ck *checker) parquet(ctx context.Context, f file) (int64, error) {
	if err := checkParquet(f.path); err != nil {
		return 0, err
	}
	d := f.data()
	q, err := sqlfiles.Render("files/parquet_columns.sql.tmpl", d)
	if err != nil {
		return 0, err
	}
	types, err := ck.describe(ctx, q)
	if err != nil {
		return 0, err
	}
	have := make([]string, len(types))
	for i, t := range types {
		have[i] = t[0]
	}
	d.Columns = ck.present(f.origin, have)
	source := func(name string) string {
		for _, t := range types {
			if t[0] == name {
				return t[1]
			}
		}
		return ""
	}
	return ck.reader(ctx, d, "files/read_parquet.sql.tmpl", source)
}

// present returns the wanted columns among have, noting the others as
// problems (the read would fail on them).
func (ck *checker) present(origin string, have []string) []string {
	var out, missing []string
	for _, c := range ck.wanted {
		if slices.Contains(have, c) {
			out = append(out, c)
		} else {
			missing = append(missing, c)
		}
	}
	for _, c := range missing {
		ck.problemf("%s has no column %q (it has: %s); fix the feed's mapping or the file", origin, c, strings.Join(have, ", "))
	}
	return out
}

// reader describes and counts a reader query rendered from tmpl with d,
// recording each column's source type (from source) and staged type.
func (ck *checker) reader(ctx context.Context, d sqlData, tmpl string, source func(string) string) (int64, error) {
	if err := ck.describeReader(ctx, d, tmpl, source); err != nil {
		return 0, err
	}
	q, err := sqlfiles.Render(tmpl, d)
	if err != nil {
		return 0, err
	}
	return ck.count(ctx, q)
}

// describeReader records the types of the columns of the reader query
// rendered from tmpl with d; DuckDB binds the query and reads no row.
func (ck *checker) describeReader(ctx context.Context, d sqlData, tmpl string, source func(string) string) error {
	q, err := sqlfiles.Render(tmpl, d)
	if err != nil {
		return err
	}
	dq, err := sqlfiles.Render("files/describe.sql.tmpl", q)
	if err != nil {
		return err
	}
	staged, err := ck.describe(ctx, dq)
	if err != nil {
		return err
	}
	for _, t := range staged {
		if slices.Contains(d.Columns, t[0]) {
			ck.column(d.Origin, t[0], source(t[0]), t[1])
		}
	}
	return nil
}

// column records a column's types as one file has them; a type that
// differs from another file's is a problem (staging appends by name).
func (ck *checker) column(origin, name, source, staged string) {
	c, ok := ck.cols[name]
	if !ok {
		ck.cols[name] = &connectors.CheckColumn{Name: name, SourceType: source, Staged: staged}
		ck.checkRole(origin, name, staged)
		return
	}
	if c.Staged != staged {
		ck.problemf("column %q is %s in %s but %s in an earlier file; make the files agree (or cast in a view)", name, staged, origin, c.Staged)
	}
}

// timeTypes are the DuckDB types a timestamp or cursor column can stage as.
func isTimeType(t string) bool {
	switch {
	case strings.HasPrefix(t, "TIMESTAMP"), t == "DATE", t == "VARCHAR", t == "JSON":
		return true
	}
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT":
		return true
	}
	return false
}

// checkRole checks the types of the timestamp and cursor columns.
func (ck *checker) checkRole(origin, name, staged string) {
	if isTimeType(staged) {
		return
	}
	if name == ck.timestamp {
		ck.problemf("the timestamp column %q is %s in %s; it must hold times: a timestamp, date, epoch integer or ISO 8601 text", name, staged, origin)
	}
	if name == ck.cursor && name != ck.timestamp {
		ck.problemf("the cursor column %q is %s in %s; a cursor must be an integer, date, timestamp or ISO 8601 text column", name, staged, origin)
	}
}

// describe runs a DESCRIBE and returns (name, type) pairs. Its rows are a
// handful of column descriptions, not feed rows.
func (ck *checker) describe(ctx context.Context, q string) ([][2]string, error) {
	rows, err := ck.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		var name, typ string
		vals[0], vals[1] = &name, &typ
		for i := 2; i < len(vals); i++ {
			vals[i] = new(any)
		}
		if err := rows.Scan(vals...); err != nil {
			return nil, err
		}
		out = append(out, [2]string{name, typ})
	}
	return out, rows.Err()
}

func (ck *checker) count(ctx context.Context, q string) (int64, error) {
	cq, err := sqlfiles.Render("files/count.sql.tmpl", q)
	if err != nil {
		return 0, err
	}
	var n int64
	err = ck.conn.QueryRowContext(ctx, cq).Scan(&n)
	return n, err
}

// result lists the columns found, sorted by name.
func (ck *checker) result() []connectors.CheckColumn {
	var out []connectors.CheckColumn
	for _, name := range ck.wanted {
		if c, ok := ck.cols[name]; ok {
			out = append(out, *c)
		}
	}
	return out
}

package bigquery

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Ident quotes a BigQuery identifier (a column, or one part of a table
// path) with backquotes, escaping backslashes and backquotes inside it.
func Ident(s string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(s) + "`"
}

// sourceSchema returns what buildQuery checks the feed against: a
// table's schema (its metadata), or for a query only the cursor column's
// type when a watermark must be compared with it. That type is the one
// the previous read saw (kept in the state), else a dry run's, which reads
// nothing. A nil schema leaves the columns unchecked: a missing one is
// reported by the engine from the staged result.
func sourceSchema(ctx context.Context, client *bigquery.Client, c Config, cursor, watermark string, prev State) (bigquery.Schema, error) {
	if c.Query == "" {
		md, err := client.DatasetInProject(c.Project, c.Dataset).Table(c.Table).Metadata(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the table's schema: %w", redact(err))
		}
		return md.Schema, nil
	}
	if cursor == "" || watermark == "" {
		return nil, nil
	}
	if prev.Cursor == cursor && prev.CursorType != "" {
		return bigquery.Schema{{Name: cursor, Type: bigquery.FieldType(prev.CursorType)}}, nil
	}
	q := client.Query(c.Query)
	q.DryRun = true
	q.Location = c.Location
	job, err := q.Run(ctx)
	if err != nil {
		return nil, fmt.Errorf("check the query (dry run): %w", redact(err))
	}
	if st := job.LastStatus(); st != nil && st.Statistics != nil {
		if qs, ok := st.Statistics.Details.(*bigquery.QueryStatistics); ok && qs.Schema != nil {
			return qs.Schema, nil
		}
	}
	return nil, fmt.Errorf("check the query (dry run): BigQuery returned no result schema, so the cursor %q cannot be typed; run once with --full-refresh", cursor)
}

// selectData is what sql/bigquery/select.sql.tmpl renders; every
// identifier in it is quoted for BigQuery already.
type selectData struct {
	Columns []string // `name` or `name` AS `Alias`
	Table   string   // `project`.`dataset`.`table`, or "" with Query
	Query   string   // the user's query, or ""
	Cursor  string   // the cursor column when a watermark filters rows
	OrderBy string   // the cursor column, when the feed has one
}

// buildQuery renders the read's statement and its parameters: only the
// columns the feed maps (and its cursor), and `cursor > @watermark` as a
// typed query parameter when a watermark is known.
func buildQuery(c Config, schema bigquery.Schema, columns []string, cursor, watermark string) (string, []bigquery.QueryParameter, error) {
	want := slices.Clone(columns)
	if cursor != "" && !slices.Contains(want, cursor) {
		want = append(want, cursor)
	}
	d := selectData{Table: Ident(c.Project) + "." + Ident(c.Dataset) + "." + Ident(c.Table)}
	if c.Query != "" {
		d.Table = ""
		d.Query = strings.TrimRight(strings.TrimSpace(c.Query), "; \t\n")
	}
	var have []string
	for _, f := range schema {
		have = append(have, f.Name)
	}
	var cursorField *bigquery.FieldSchema
	for _, name := range want {
		f := field(schema, name)
		if f == nil && c.Query != "" {
			d.Columns = append(d.Columns, Ident(name)) // checked on the result
			if name == cursor {
				d.OrderBy = Ident(name)
			}
			continue
		}
		if f == nil {
			return "", nil, fmt.Errorf("column %q is not in the source (it has: %s); fix the feed's mapping", name, strings.Join(have, ", "))
		}
		if err := crossable(f); err != nil {
			return "", nil, err
		}
		col := Ident(f.Name)
		if f.Name != name {
			col += " AS " + Ident(name) // BigQuery names are case-insensitive; keep the feed's spelling
		}
		d.Columns = append(d.Columns, col)
		if name == cursor {
			cursorField = f
		}
	}
	var params []bigquery.QueryParameter
	if cursorField != nil {
		d.OrderBy = Ident(cursorField.Name)
		if watermark != "" {
			v, err := watermarkValue(cursorField, watermark)
			if err != nil {
				return "", nil, err
			}
			d.Cursor = Ident(cursorField.Name)
			params = append(params, bigquery.QueryParameter{Name: "watermark", Value: v})
		}
	}
	sql, err := sqlfiles.Render("bigquery/select.sql.tmpl", d)
	if err != nil {
		return "", nil, err
	}
	return sql, params, nil
}

// field finds a top-level column by name, as BigQuery does (ignoring case).
func field(schema bigquery.Schema, name string) *bigquery.FieldSchema {
	for _, f := range schema {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

// crossable refuses the types that cannot reach DuckDB through Arrow, with
// the query that fixes it.
func crossable(f *bigquery.FieldSchema) error {
	switch f.Type {
	case bigquery.BigNumericFieldType, bigquery.IntervalFieldType, bigquery.RangeFieldType:
		return fmt.Errorf("column %q is %s, which cannot cross into DuckDB through Arrow: read it with `query:` and CAST(%s AS STRING) (or AS NUMERIC: 38 digits, 9 after the point)", f.Name, f.Type, Ident(f.Name))
	case bigquery.RecordFieldType:
		for _, c := range f.Schema {
			if err := crossable(c); err != nil {
				return fmt.Errorf("in %q: %w", f.Name, err)
			}
		}
	}
	return nil
}

// watermarkValue turns the engine's watermark text (DuckDB's text of the
// staged cursor value) back into a value of the cursor column's type.
func watermarkValue(f *bigquery.FieldSchema, text string) (any, error) {
	var v any
	var err error
	switch f.Type {
	case bigquery.IntegerFieldType:
		v, err = strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	case bigquery.FloatFieldType:
		v, err = strconv.ParseFloat(strings.TrimSpace(text), 64)
	case bigquery.NumericFieldType:
		r, ok := new(big.Rat).SetString(strings.TrimSpace(text))
		if !ok {
			err = fmt.Errorf("not a number")
		}
		v = r
	case bigquery.StringFieldType:
		v = text
	case bigquery.TimestampFieldType:
		v, err = parseTime(text)
	case bigquery.DateTimeFieldType:
		var t time.Time
		t, err = parseTime(text)
		v = civil.DateTimeOf(t)
	case bigquery.DateFieldType:
		var t time.Time
		t, err = parseTime(text)
		v = civil.DateOf(t)
	default:
		return nil, fmt.Errorf("the cursor column %q is %s: a cursor must be INT64, NUMERIC, FLOAT64, STRING, DATE, DATETIME or TIMESTAMP", f.Name, f.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("the watermark %q does not read as the cursor column %q's type %s (%v); run once with --full-refresh", text, f.Name, f.Type, err)
	}
	return v, nil
}

// timeLayouts are the forms in which DuckDB writes timestamps and dates as
// text, and ISO 8601.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// parseTime reads a timestamp; text without a zone is UTC.
func parseTime(text string) (time.Time, error) {
	s := strings.TrimSpace(text)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a timestamp")
}

package bigquery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"

	"github.com/mosaic-cdp/mosaic/connectors"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

var _ connectors.Checker = (*Source)(nil)

// cursorTypes are the types watermarkValue can type a watermark as.
var cursorTypes = []bigquery.FieldType{
	bigquery.IntegerFieldType, bigquery.NumericFieldType, bigquery.FloatFieldType, bigquery.StringFieldType,
	bigquery.DateFieldType, bigquery.DateTimeFieldType, bigquery.TimestampFieldType,
}

// timestampTypes are the types a timestamp column can have: times, dates,
// epoch integers or ISO 8601 text.
var timestampTypes = []bigquery.FieldType{
	bigquery.TimestampFieldType, bigquery.DateTimeFieldType, bigquery.DateFieldType,
	bigquery.IntegerFieldType, bigquery.StringFieldType,
}

// Check reads the table's metadata (or dry-runs the query: BigQuery plans
// it and reads nothing; when a dry run gives no schema, the query runs
// with LIMIT 0), checks the mapped columns against it, and counts the rows
// past the watermark with a COUNT(*) query. No read session is opened and
// no row is read.
func (s *Source) Check(ctx context.Context, req connectors.CheckRequest) (connectors.CheckResult, error) {
	res := connectors.CheckResult{Rows: -1}
	c, err := plan(req.ValidateRequest)
	if err != nil {
		return res, err
	}
	off := false
	c.StorageRead = &off // counting needs no read session
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	client, err := newClient(ctx, c, newNetWatch(c.networkRetries(), cancel))
	if err != nil {
		return res, fmt.Errorf("feed %s: bigquery %s: %w", req.Feed, c.where(), err)
	}
	defer client.Close()
	fail := func(err error) error {
		if lost := lostConnection(ctx); lost != nil {
			err = lost
		}
		return fmt.Errorf("feed %s: bigquery %s: %w", req.Feed, c.where(), err)
	}
	schema, err := checkSchema(ctx, client, c)
	if err != nil {
		return res, fail(err)
	}
	var have []string
	for _, f := range schema {
		have = append(have, f.Name)
	}
	what := "table " + c.where()
	if c.Query != "" {
		what = "the query"
	}
	problemf := func(format string, args ...any) {
		res.Problems = append(res.Problems, fmt.Sprintf("feed %s: ", req.Feed)+fmt.Sprintf(format, args...))
	}
	var cursorField *bigquery.FieldSchema
	for _, name := range req.Wanted() {
		f := field(schema, name)
		if f == nil {
			problemf("%s has no column %q (it has: %s); fix the feed's mapping or the source", what, name, strings.Join(have, ", "))
			continue
		}
		if err := crossable(f); err != nil {
			problemf("%v", err)
			continue
		}
		af, err := arrowField(f)
		if err != nil {
			problemf("column %q: %v", name, err)
			continue
		}
		res.Columns = append(res.Columns, connectors.CheckColumn{Name: name, SourceType: typeName(f), Staged: af.Type.String()})
		if name == req.Cursor {
			cursorField = f
			if f.Repeated || !slices.Contains(cursorTypes, f.Type) {
				problemf("the cursor column %q is %s; a cursor must be INT64, NUMERIC, FLOAT64, STRING, DATE, DATETIME or TIMESTAMP (cast it in `query:`)", name, typeName(f))
			}
		}
		if name == req.Timestamp && (f.Repeated || !slices.Contains(timestampTypes, f.Type)) {
			problemf("the timestamp column %q is %s; it must hold times: a TIMESTAMP, DATETIME, DATE, epoch INT64 or ISO 8601 STRING", name, typeName(f))
		}
	}
	if len(res.Problems) > 0 {
		return res, nil // counting would fail on the same columns
	}
	q, params, err := countQuery(c, cursorField, req.Watermark)
	if err != nil {
		problemf("%v", err)
		return res, nil
	}
	if res.Rows, err = count(ctx, client, c, q, params); err != nil {
		return res, fail(fmt.Errorf("count the rows to read: %w", redact(err)))
	}
	return res, nil
}

// checkSchema is the table's schema from its metadata, or the query's
// result schema from a dry run.
func checkSchema(ctx context.Context, client *bigquery.Client, c Config) (bigquery.Schema, error) {
	if c.Query == "" {
		md, err := client.DatasetInProject(c.Project, c.Dataset).Table(c.Table).Metadata(ctx)
		var ge *googleapi.Error
		if errors.As(err, &ge) && ge.Code == http.StatusNotFound {
			return nil, fmt.Errorf("the table does not exist, or these credentials cannot see it (%s); fix `project:`, `dataset:` or `table:`", redact(err))
		}
		if err != nil {
			return nil, fmt.Errorf("read the table's metadata: %w", redact(err))
		}
		return md.Schema, nil
	}
	q := client.Query(c.Query)
	q.DryRun = true
	q.Location = c.Location
	job, err := q.Run(ctx)
	if err != nil {
		return nil, fmt.Errorf("the query does not run (dry run: %w); fix `query:`", redact(err))
	}
	if st := job.LastStatus(); st != nil && st.Statistics != nil {
		if qs, ok := st.Statistics.Details.(*bigquery.QueryStatistics); ok && qs.Schema != nil {
			return qs.Schema, nil
		}
	}
	// No schema from the dry run: the result's schema without its rows.
	sql, err := sqlfiles.Render("bigquery/schema.sql.tmpl", strings.TrimRight(strings.TrimSpace(c.Query), "; \t\n"))
	if err != nil {
		return nil, err
	}
	q = client.Query(sql)
	q.Location = c.Location
	it, err := q.Read(ctx)
	if err == nil {
		var row []bigquery.Value
		if err = it.Next(&row); errors.Is(err, iterator.Done) {
			err = nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("the query does not run (%w); fix `query:`", redact(err))
	}
	if it.Schema == nil {
		return nil, errors.New("BigQuery returned no result schema for the query, so its columns cannot be checked")
	}
	return it.Schema, nil
}

// countQuery renders the count of the rows past the watermark (all rows
// without one), the watermark typed as the cursor column.
func countQuery(c Config, cursor *bigquery.FieldSchema, watermark string) (string, []bigquery.QueryParameter, error) {
	d := selectData{Table: Ident(c.Project) + "." + Ident(c.Dataset) + "." + Ident(c.Table)}
	if c.Query != "" {
		d.Table, d.Query = "", strings.TrimRight(strings.TrimSpace(c.Query), "; \t\n")
	}
	var params []bigquery.QueryParameter
	if cursor != nil && watermark != "" {
		v, err := watermarkValue(cursor, watermark)
		if err != nil {
			return "", nil, err
		}
		d.Cursor = Ident(cursor.Name)
		params = append(params, bigquery.QueryParameter{Name: "watermark", Value: v})
	}
	sql, err := sqlfiles.Render("bigquery/count.sql.tmpl", d)
	return sql, params, err
}

// count runs a one-value query and returns its INT64.
func count(ctx context.Context, client *bigquery.Client, c Config, sql string, params []bigquery.QueryParameter) (int64, error) {
	q := client.Query(sql)
	q.Parameters = params
	q.Location = c.Location
	it, err := q.Read(ctx)
	if err != nil {
		return 0, err
	}
	var row []bigquery.Value
	if err := it.Next(&row); err != nil {
		if errors.Is(err, iterator.Done) {
			return 0, errors.New("the count query returned no row")
		}
		return 0, err
	}
	if len(row) == 1 {
		if n, ok := row[0].(int64); ok {
			return n, nil
		}
	}
	return 0, fmt.Errorf("the count query returned %v, not one INT64", row)
}

// typeName spells a column's type as GoogleSQL does: ARRAY<T>, STRUCT<…>.
func typeName(f *bigquery.FieldSchema) string {
	t := string(f.Type)
	switch f.Type {
	case bigquery.IntegerFieldType:
		t = "INT64"
	case bigquery.FloatFieldType:
		t = "FLOAT64"
	case bigquery.BooleanFieldType:
		t = "BOOL"
	case bigquery.RecordFieldType:
		parts := make([]string, len(f.Schema))
		for i, c := range f.Schema {
			parts[i] = c.Name + " " + typeName(c)
		}
		t = "STRUCT<" + strings.Join(parts, ", ") + ">"
	}
	if f.Repeated {
		return "ARRAY<" + t + ">"
	}
	return t
}

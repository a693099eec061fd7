package bigquery

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// tableSink stages what a source hands over into one temp table of a real
// store, so that tests can look at the DuckDB types and values that came
// out of Arrow.
type tableSink struct {
	tx    *engine.Tx
	table string
}

func newTableSink(t *testing.T) *tableSink {
	t.Helper()
	ctx := context.Background()
	store, err := engine.Open(ctx, filepath.Join(t.TempDir(), "store.duckdb"), engine.Options{Command: "bigquery-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	tx, err := store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(ctx) })
	return &tableSink{tx: tx, table: "staged"}
}

func (s *tableSink) Arrow(ctx context.Context, r array.RecordReader) error {
	_, err := s.tx.StageArrow(ctx, s.table, r)
	return err
}

var errNotArrow = errors.New("this test sink takes Arrow only")

func (s *tableSink) Query(context.Context, string) error                      { return errNotArrow }
func (s *tableSink) Dropped(context.Context, string) error                    { return errNotArrow }
func (s *tableSink) DroppedRecords(context.Context, array.RecordReader) error { return errNotArrow }
func (s *tableSink) Temp(context.Context, string) (string, error)             { return "", errNotArrow }

// column returns the DuckDB type of a staged column and its values as text
// ("NULL" for NULL), in staging order.
func (s *tableSink) column(t *testing.T, name string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	var typ string
	q := fmt.Sprintf(`SELECT data_type FROM duckdb_columns() WHERE table_name = '%s' AND column_name = '%s'`, s.table, name)
	if err := s.tx.QueryRow(ctx, q).Scan(&typ); err != nil {
		t.Fatalf("column %s: %v", name, err)
	}
	var vals []string
	for i := 0; ; i++ {
		var v sql.NullString
		err := s.tx.QueryRow(ctx, fmt.Sprintf(`SELECT CAST("%s" AS VARCHAR) FROM %s ORDER BY rowid LIMIT 1 OFFSET %d`, name, s.table, i)).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if v.Valid {
			vals = append(vals, v.String)
		} else {
			vals = append(vals, "NULL")
		}
	}
	return typ, vals
}

// got returns the staged values of tc's column, as checkTypes compares
// them: WKT as BigQuery writes it (the emulator writes "POINT (1 2)").
func (tc typeCase) got(vals []string) []string {
	if tc.bq == "GEOGRAPHY" {
		for i, v := range vals {
			vals[i] = strings.Replace(v, " (", "(", 1)
		}
	}
	return vals
}

// checkTypes checks each type's column, one subtest per type.
func checkTypes(t *testing.T, sink *tableSink) {
	for _, tc := range typeCases {
		t.Run(tc.bq, func(t *testing.T) {
			typ, vals := sink.column(t, tc.column)
			if typ != tc.duck {
				t.Errorf("%s stages as %s, want %s", tc.bq, typ, tc.duck)
			}
			if diff := cmp.Diff(tc.want, tc.got(vals)); diff != "" {
				t.Errorf("%s values (-want +got):\n%s", tc.bq, diff)
			}
		})
	}
}

// typeCase is one BigQuery type: the column holding it in the types
// table, the DuckDB type it must stage as, and the values of its 3 rows.
type typeCase struct {
	bq, column, duck string
	want             []string
}

var typeCases = []typeCase{
	{"INT64", "int64_col", "BIGINT", []string{"-9007199254740993", "NULL", "42"}},
	{"FLOAT64", "float64_col", "DOUBLE", []string{"3.25", "NULL", "-0.001"}},
	{"NUMERIC", "numeric_col", "DECIMAL(38,9)", []string{"123.456789012", "NULL", "-0.000000005"}},
	{"BOOL", "bool_col", "BOOLEAN", []string{"true", "NULL", "false"}},
	{"STRING", "string_col", "VARCHAR", []string{"gold ✓", "NULL", "it's"}},
	{"BYTES", "bytes_col", "BLOB", []string{`\xDE\xAD`, "NULL", ""}},
	{"DATE", "date_col", "DATE", []string{"2026-05-01", "NULL", "1999-12-31"}},
	{"DATETIME", "datetime_col", "TIMESTAMP", []string{"2026-05-01 09:30:15.123456", "NULL", "1999-12-31 23:59:59"}},
	{"TIMESTAMP", "timestamp_col", "TIMESTAMP WITH TIME ZONE", []string{"2026-05-01 09:30:15.123456+00", "NULL", "1999-12-31 23:59:59+00"}},
	{"TIME", "time_col", "TIME", []string{"09:30:15.123456", "NULL", "23:59:59"}},
	{"JSON", "json_col", "JSON", []string{`{"a":[1,2],"b":"x"}`, "NULL", "3"}},
	{"GEOGRAPHY", "geography_col", "VARCHAR", []string{"POINT(1 2)", "NULL", "POINT(-3 4.5)"}},
	{"ARRAY<STRING>", "array_col", "VARCHAR[]", []string{"[a, b]", "[]", "[c]"}},
	{"STRUCT<n INT64, s STRING, j JSON>", "struct_col", "STRUCT(n BIGINT, s VARCHAR, j JSON)", []string{`{'n': 7, 's': s0, 'j': '{"k":true}'}`, "NULL", `{'n': 9, 's': s2, 'j': '{"k":true}'}`}},
}

package postgres_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/mosaic-cdp/mosaic/connectors/postgres"
)

// TestPostgresTypes reads one column of each mapped type (a value, an edge
// value and NULL) and checks the Arrow type, the values and the DuckDB type
// they stage as.
func TestPostgresTypes(t *testing.T) {
	conn := server(t)
	schema := newSchema(t, conn)
	setDSN(t, randomName("mosaic_types_"))
	cases := []struct {
		pgType, values string // two SQL values, ", " between them
		arrow, duck    string
		want           []string
	}{
		{"int2", "1, -32768", "int16", "SMALLINT", []string{"1", "-32768", "NULL"}},
		{"int4", "2, 2147483647", "int32", "INTEGER", []string{"2", "2147483647", "NULL"}},
		{"int8", "3, -9223372036854775808", "int64", "BIGINT", []string{"3", "-9223372036854775808", "NULL"}},
		{"numeric(12,2)", "1234.5, -0.07", "decimal(12, 2)", "DECIMAL(12,2)", []string{"1234.5", "-0.07", "NULL"}},
		{"numeric(38,10)", "12345678901234567890.0123456789, 'NaN'", "decimal(38, 10)", "DECIMAL(38,10)", []string{"12345678901234567890.0123456789", "NULL", "NULL"}},
		{"numeric", "12.5, -1e-20", "float64", "DOUBLE", []string{"12.5", "-1e-20", "NULL"}},
		{"numeric", "'Infinity', 123456789012345678901234567890", "float64", "DOUBLE", []string{"+Inf", "1.2345678901234568e+29", "NULL"}},
		{"float4", "1.5, '-Infinity'", "float32", "FLOAT", []string{"1.5", "-Inf", "NULL"}},
		{"float8", "2.25, 1e300", "float64", "DOUBLE", []string{"2.25", "1e+300", "NULL"}},
		{"text", "'héllo', ''", "utf8", "VARCHAR", []string{"héllo", "", "NULL"}},
		{"varchar(10)", "'a', 'b c'", "utf8", "VARCHAR", []string{"a", "b c", "NULL"}},
		{"char(3)", "'ab', 'xyz'", "utf8", "VARCHAR", []string{"ab ", "xyz", "NULL"}},
		{"bool", "true, false", "bool", "BOOLEAN", []string{"true", "false", "NULL"}},
		{"date", "'2026-05-01', '1969-12-31'", "date32", "DATE", []string{"2026-05-01", "1969-12-31", "NULL"}},
		{"timestamp", "'2026-05-01 12:34:56.789012', '1999-12-31 23:59:59'", "timestamp[us]", "TIMESTAMP", []string{"2026-05-01T12:34:56.789012", "1999-12-31T23:59:59", "NULL"}},
		{"timestamptz", "'2026-05-01 12:00:00+02', 'infinity'", "timestamp[us, tz=UTC]", "TIMESTAMP WITH TIME ZONE", []string{"2026-05-01T10:00:00Z", "9223372036854775807", "NULL"}}, // DuckDB reads int64 max as infinity
		{"jsonb", `'{"b": [1, 2], "a": "x"}', '3'`, "utf8", "JSON", []string{`{"a": "x", "b": [1, 2]}`, "3", "NULL"}},
		{"json", `'{"b": 1,  "a": 2}', 'null'`, "utf8", "JSON", []string{`{"b": 1,  "a": 2}`, "null", "NULL"}},
		{"text[]", `'{a,"b c"}', '{x,NULL}'`, "list<item: utf8, nullable>", "VARCHAR[]", []string{`["a","b c"]`, `["x",null]`, "NULL"}},
		{"text[]", `'{}', '{{a,b},{c,d}}'`, "list<item: utf8, nullable>", "VARCHAR[]", []string{`[]`, `["a","b","c","d"]`, "NULL"}},
		{"varchar[]", `'{v}', '{}'`, "list<item: utf8, nullable>", "VARCHAR[]", []string{`["v"]`, `[]`, "NULL"}},
		{"uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000'", "utf8", "VARCHAR", []string{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000", "NULL"}},
		{"bytea", `'\x00ff', ''`, "binary", "BLOB", []string{"AP8=", "", "NULL"}},
		{"interval", "'1 day 2 hours', '-3 minutes'", "utf8", "VARCHAR", []string{"1 day 02:00:00", "-00:03:00", "NULL"}},
		{"inet", "'10.0.0.1', '::1'", "utf8", "VARCHAR", []string{"10.0.0.1", "::1", "NULL"}},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%s_%d", tc.pgType, i), func(t *testing.T) {
			table := fmt.Sprintf("types_%d", i)
			exec(t, conn, fmt.Sprintf("CREATE TABLE %s.%s (pos int, v %s)", schema, table, tc.pgType))
			cut := strings.LastIndex(tc.values, ", ")
			a, b := tc.values[:cut], tc.values[cut+2:]
			exec(t, conn, fmt.Sprintf("INSERT INTO %s.%s VALUES (1, %s), (2, %s), (3, NULL)", schema, table, a, b))
			req := feedRequest(t, fmt.Sprintf("{ kind: postgres, dsn_env: %s, query: 'SELECT v, pos FROM %s.%s ORDER BY pos' }", dsnEnv, schema, table), []string{"v"}, "", "")
			var c capture
			defer c.release()
			if _, err := postgres.New().Read(context.Background(), req, &c); err != nil {
				t.Fatal(err)
			}
			if got := c.schema.Field(0).Type.String(); got != tc.arrow {
				t.Errorf("Arrow type %s, want %s", got, tc.arrow)
			}
			got := c.column(t, "v")
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("values %q, want %q", got, tc.want)
			}
			if got := duckType(t, &c); got != tc.duck {
				t.Errorf("DuckDB type %s, want %s", got, tc.duck)
			}
		})
	}
}

// duckType stages the captured batches in DuckDB and returns v's type.
func duckType(t *testing.T, c *capture) string {
	t.Helper()
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rdr, err := array.NewRecordReader(c.schema, c.recs)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		_, err = a.RegisterView(rdr, "staged")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var typ string
	if err := conn.QueryRowContext(context.Background(), "SELECT typeof(v) FROM staged LIMIT 1").Scan(&typ); err != nil {
		t.Fatal(err)
	}
	return typ
}

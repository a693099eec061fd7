package pipeline

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// TestIdentityColumnKind: the column types a check finds, in the words
// of each source (DuckDB types from files, Arrow types from PostgreSQL and
// BigQuery, JSON value types from NDJSON keys), are told apart: floats and
// nested values are reported, integers, decimals and text are not.
func TestIdentityColumnKind(t *testing.T) {
	const ok, float, nested = 0, 1, 2
	cases := []struct {
		col  connectors.CheckColumn
		want int
	}{
		{connectors.CheckColumn{SourceType: "VARCHAR", Staged: "VARCHAR"}, ok},
		{connectors.CheckColumn{SourceType: "text (CSV)", Staged: "VARCHAR"}, ok},
		{connectors.CheckColumn{SourceType: "BIGINT", Staged: "BIGINT"}, ok},
		{connectors.CheckColumn{SourceType: "HUGEINT", Staged: "HUGEINT"}, ok},
		{connectors.CheckColumn{SourceType: "DECIMAL(18,2)", Staged: "DECIMAL(18,2)"}, ok},
		{connectors.CheckColumn{SourceType: "DOUBLE", Staged: "DOUBLE"}, float},
		{connectors.CheckColumn{SourceType: "FLOAT", Staged: "FLOAT"}, float},
		{connectors.CheckColumn{SourceType: "VARCHAR[]", Staged: "VARCHAR[]"}, nested},
		{connectors.CheckColumn{SourceType: "INTEGER[3]", Staged: "INTEGER[3]"}, nested},
		{connectors.CheckColumn{SourceType: "STRUCT(email VARCHAR)", Staged: "STRUCT(email VARCHAR)"}, nested},
		{connectors.CheckColumn{SourceType: "MAP(VARCHAR, VARCHAR)", Staged: "MAP(VARCHAR, VARCHAR)"}, nested},
		{connectors.CheckColumn{SourceType: "json VARCHAR|UBIGINT", Staged: "JSON"}, ok},
		{connectors.CheckColumn{SourceType: "json", Staged: "JSON"}, ok},
		{connectors.CheckColumn{SourceType: "json DOUBLE|UBIGINT", Staged: "JSON"}, float},
		{connectors.CheckColumn{SourceType: "json ARRAY|VARCHAR", Staged: "JSON"}, nested},
		{connectors.CheckColumn{SourceType: "json OBJECT", Staged: "JSON"}, nested},
		{connectors.CheckColumn{SourceType: "jsonb", Staged: arrow.BinaryTypes.String.String()}, ok},
		{connectors.CheckColumn{SourceType: "int8", Staged: arrow.PrimitiveTypes.Int64.String()}, ok},
		{connectors.CheckColumn{SourceType: "numeric(18,2)", Staged: (&arrow.Decimal128Type{Precision: 18, Scale: 2}).String()}, ok},
		{connectors.CheckColumn{SourceType: "numeric", Staged: arrow.PrimitiveTypes.Float64.String()}, float},
		{connectors.CheckColumn{SourceType: "float4", Staged: arrow.PrimitiveTypes.Float32.String()}, float},
		{connectors.CheckColumn{SourceType: "_text", Staged: arrow.ListOf(arrow.BinaryTypes.String).String()}, nested},
		{connectors.CheckColumn{SourceType: "ARRAY<STRING>", Staged: arrow.ListOfField(arrow.Field{Name: "item", Type: arrow.BinaryTypes.String, Nullable: true}).String()}, nested},
		{connectors.CheckColumn{SourceType: "STRUCT", Staged: arrow.StructOf(arrow.Field{Name: "email", Type: arrow.BinaryTypes.String}).String()}, nested},
		{connectors.CheckColumn{SourceType: "MAP", Staged: arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String).String()}, nested},
		{connectors.CheckColumn{SourceType: "FIXED", Staged: arrow.FixedSizeListOf(2, arrow.BinaryTypes.String).String()}, nested},
	}
	for _, c := range cases {
		fl, ne := identityColumnKind(c.col)
		got := ok
		switch {
		case fl != "" && ne != "":
			got = -1
		case fl != "":
			got = float
		case ne != "":
			got = nested
		}
		if got != c.want {
			t.Errorf("%s staged as %s: kind %d (%q, %q), want %d", c.col.SourceType, c.col.Staged, got, fl, ne, c.want)
		}
	}
}

//go:build duckdb_arrow

package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// TestIdentityValueByColumnType stages, in real DuckDB, identity columns of
// every kind of type a source stages (files read by DuckDB, Arrow from
// PostgreSQL and BigQuery) and checks what identity value each value
// becomes, or why it is refused: integers and whole decimals and floats
// as plain digits (777.0 and 777.00 are 777, as an integer column or an
// mParticle batch sends it), text as written, a fraction or an inexact
// float refused as identity_not_integer, a list, struct, map or JSON
// array or object as identity_not_scalar. Each row keeps its customerid,
// so a refusal is recorded for the kept row, and the row counts add up.
func TestIdentityValueByColumnType(t *testing.T) {
	const notInt, notScalar = "refused identity_not_integer", "refused identity_not_scalar"
	type value struct{ sql, want string } // want: the identity value, a refusal, or "" for none
	cols := []struct {
		typ    string
		values []value
	}{
		{"INTEGER", []value{{"777", "777"}, {"-5", "-5"}}},
		{"BIGINT", []value{{"9007199254740993", "9007199254740993"}}},
		{"HUGEINT", []value{{"170141183460469231731687303715884105727", "170141183460469231731687303715884105727"}}},
		{"UBIGINT", []value{{"18446744073709551615", "18446744073709551615"}}},
		{"DECIMAL(18,0)", []value{{"777", "777"}}},
		{"DECIMAL(18,2)", []value{{"777.00", "777"}, {"-7.00", "-7"}, {"777.25", notInt}, {"0.50", notInt}}},
		// BigQuery's NUMERIC
		{"DECIMAL(38,9)", []value{{"12345678901234567890.000000000", "12345678901234567890"}, {"0.000000001", notInt}}},
		{"DOUBLE", []value{
			{"777.0", "777"}, {"-12.0", "-12"}, {"-0.0", "0"}, {"9007199254740991", "9007199254740991"},
			{"777.5", notInt}, {"9007199254740992", notInt}, {"1e20", notInt}, {"'nan'", notInt}, {"'-inf'", notInt}, {"NULL", ""},
		}},
		{"FLOAT", []value{{"3.0", "3"}, {"16777215", "16777215"}, {"16777216", notInt}, {"0.1", notInt}}},
		{"VARCHAR", []value{{"' 777.0 '", "777.0"}, {`'["a@x.com"]'`, `["a@x.com"]`}, {"'  '", ""}}},
		{"VARCHAR[]", []value{{"['a@x.com']", notScalar}, {"[]", notScalar}, {"NULL", ""}}},
		{"VARCHAR[2]", []value{{"array_value('a', 'b')", notScalar}}},
		{"STRUCT(email VARCHAR)", []value{{"{'email': 'a@x.com'}", notScalar}}},
		{"MAP(VARCHAR, VARCHAR)", []value{{"MAP {'email': 'a@x.com'}", notScalar}}},
		{"UNION(s VARCHAR, n INTEGER)", []value{{"union_value(s := 'a')", notScalar}}},
		{"JSON", []value{
			{`'"777"'`, "777"}, {"'777'", "777"}, {"'777.0'", "777"}, {"'1e3'", "1000"}, {"'-5'", "-5"},
			{"'18446744073709551616'", "18446744073709551616"}, {"'true'", "true"}, {"'null'", ""},
			{"'0.5'", notInt}, {"'12345678901234567891.0'", notInt}, {"'1e400'", notInt},
			{`'["a@x.com"]'`, notScalar}, {`'{"email": "a@x.com"}'`, notScalar},
		}},
	}
	rows := 0
	for _, c := range cols {
		rows = max(rows, len(c.values))
	}
	types := slices.DeleteFunc(slices.Clone(config.IdentityTypes), func(t string) bool { return t == "customerid" || t == "email" })
	var mapping []string
	selects := make([][]string, rows)
	for i, c := range cols {
		name := fmt.Sprintf("c%d", i)
		mapping = append(mapping, name+": "+types[i])
		for r := range rows {
			v := "NULL"
			if r < len(c.values) {
				v = c.values[r].sql
			}
			selects[r] = append(selects[r], fmt.Sprintf("CAST(%s AS %s) AS %s", v, c.typ, name))
		}
	}
	var q strings.Builder
	for r, sel := range selects {
		if r > 0 {
			q.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&q, "SELECT %d AS r, 'C%d' AS k, %s", r, r, strings.Join(sel, ", "))
	}
	query := "SELECT * FROM (" + q.String() + ") ORDER BY r"

	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	p := testPipeline(t, "    identities: {k: customerid, "+strings.Join(mapping, ", ")+"}\n")
	stx, staged, err := s.BeginStaging(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	stage := stx.StageFeed(p, 0, staged.Run, time.Now())
	if err := stage.Query(ctx, query); err != nil {
		t.Fatal(err)
	}
	st, err := stage.Finish(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if st.Read != int64(rows) || st.Kept != int64(rows) || st.Dropped != 0 {
		t.Errorf("read %d rows, kept %d, dropped %d; want %d read and kept", st.Read, st.Kept, st.Dropped, rows)
	}

	got := map[string]string{} // "type row" → value or refusal
	add := func(q string) {
		r, err := s.Conn().QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for r.Next() {
			var typ, v string
			var pos int
			if err := r.Scan(&typ, &pos, &v); err != nil {
				t.Fatal(err)
			}
			key := fmt.Sprintf("%s %d", typ, pos-1) // row_pos counts from 1
			if prev, ok := got[key]; ok {
				t.Errorf("%s: both %q and %q", key, prev, v)
			}
			got[key] = v
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
	}
	add(`SELECT i.identity_type, r.row_pos, i.identity_value FROM _mosaic.feed_identities i JOIN _mosaic.feed_rows r USING (row_id)
		WHERE i.identity_type <> 'customerid'`)
	add(`SELECT "row"->>'identity_type', CAST("row"->>'row_pos' AS INTEGER), 'refused ' || reason FROM _mosaic.dropped_rows`)
	want := map[string]string{}
	for i, c := range cols {
		for r, v := range c.values {
			if v.want != "" {
				want[fmt.Sprintf("%s %d", types[i], r)] = v.want
			}
		}
	}
	// Name each case by its column's type and value in the diff.
	label := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			var typ string
			var r int
			fmt.Sscanf(k, "%s %d", &typ, &r)
			i := slices.Index(types, typ)
			if i < 0 || i >= len(cols) || r >= len(cols[i].values) {
				out[k] = v
				continue
			}
			out[fmt.Sprintf("%s %s", cols[i].typ, cols[i].values[r].sql)] = v
		}
		return out
	}
	if diff := cmp.Diff(label(want), label(got)); diff != "" {
		t.Errorf("identity values by column type (-want +got):\n%s", diff)
	}

	// A refusal's record names the column and its type, and holds the
	// value as it came.
	var rec string
	if err := s.Conn().QueryRowContext(ctx, `SELECT CAST("row" AS VARCHAR) FROM _mosaic.dropped_rows
		WHERE "row"->>'column_type' = 'STRUCT(email VARCHAR)'`).Scan(&rec); err != nil {
		t.Fatal(err)
	}
	wantRec := fmt.Sprintf(`{"identity_type":%q,"identity_value":{"email":"a@x.com"},"column":"c12","column_type":"STRUCT(email VARCHAR)","origin":null,"row_pos":1}`, types[12])
	if rec != wantRec {
		t.Errorf("the struct's refusal is recorded as\n%s\nwant\n%s", rec, wantRec)
	}
}

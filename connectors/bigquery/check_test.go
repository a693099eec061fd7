package bigquery

import (
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// TestCheck checks a table and a query of the emulator: the mapped
// columns with their BigQuery and Arrow types, the rows past a watermark
// (a typed parameter), and the problems of a wrong mapping.
func TestCheck(t *testing.T) {
	c := emuClient(t)
	schema := bigquery.Schema{
		{Name: "id", Type: bigquery.StringFieldType},
		{Name: "n", Type: bigquery.IntegerFieldType},
		{Name: "ts", Type: bigquery.TimestampFieldType},
		{Name: "tags", Type: bigquery.StringFieldType, Repeated: true},
		{Name: "flag", Type: bigquery.BooleanFieldType},
		{Name: "big", Type: bigquery.BigNumericFieldType},
	}
	table := tableName("check", t.Name()+time.Now().String())
	tb := ensureTable(t, c, table, schema)
	base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	var rows [][]bigquery.Value
	for i := range 6 {
		rows = append(rows, []bigquery.Value{string(rune('a' + i)), int64(i), base.Add(time.Duration(i) * time.Hour), []bigquery.Value{"x"}, i%2 == 0, nil})
	}
	insert(t, tb, schema, rows)
	check := func(block string, columns []string, cursor, watermark, timestamp string) (connectors.CheckResult, error) {
		t.Helper()
		req := connectors.CheckRequest{ReadRequest: request(t, block, columns, cursor, watermark), Timestamp: timestamp}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return New().Check(ctx, req)
	}
	block := emuBlock(t, table)

	res, err := check(block, []string{"id", "tags"}, "ts", "", "ts")
	if err != nil {
		t.Fatal(err)
	}
	want := connectors.CheckResult{Rows: 6, Columns: []connectors.CheckColumn{
		{Name: "id", SourceType: "STRING", Staged: "utf8"},
		{Name: "tags", SourceType: "ARRAY<STRING>", Staged: "list<item: utf8, nullable>"},
		{Name: "ts", SourceType: "TIMESTAMP", Staged: "timestamp[us, tz=UTC]"},
	}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("check (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		cursor, watermark string
		want              int64
	}{
		{"ts", "2026-05-01 02:00:00+00", 3},
		{"n", "4", 1},
	} {
		if res, err := check(block, []string{"id"}, tc.cursor, tc.watermark, ""); err != nil || res.Rows != tc.want {
			t.Errorf("check past %s > %s: %+v (%v), want %d rows", tc.cursor, tc.watermark, res, err, tc.want)
		}
	}

	res, err = check(block, []string{"id", "phone", "big"}, "flag", "", "tags")
	if err != nil {
		t.Fatal(err)
	}
	wantProblems := []string{
		"feed f: column \"big\" is BIGNUMERIC, which cannot cross into DuckDB through Arrow: read it with `query:` and CAST(`big` AS STRING) (or AS NUMERIC: 38 digits, 9 after the point)",
		"feed f: the cursor column \"flag\" is BOOL; a cursor must be INT64, NUMERIC, FLOAT64, STRING, DATE, DATETIME or TIMESTAMP (cast it in `query:`)",
		"feed f: table " + emuProject + "." + emuDataset + "." + table + " has no column \"phone\" (it has: id, n, ts, tags, flag, big); fix the feed's mapping or the source",
		"feed f: the timestamp column \"tags\" is ARRAY<STRING>; it must hold times: a TIMESTAMP, DATETIME, DATE, epoch INT64 or ISO 8601 STRING",
	}
	if diff := cmp.Diff(wantProblems, res.Problems); diff != "" || res.Rows != -1 {
		t.Errorf("problems (-want +got), rows %d:\n%s", res.Rows, diff)
	}

	q := "SELECT id, n * 10 AS n10, ts FROM `" + emuProject + "." + emuDataset + "." + table + "`"
	res, err = check(fmtBlock(emulator(t), q), []string{"id", "n10"}, "ts", "2026-05-01 03:00:00+00", "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 2 || len(res.Columns) != 3 || res.Columns[1] != (connectors.CheckColumn{Name: "n10", SourceType: "INT64", Staged: "int64"}) {
		t.Errorf("check of a query past a watermark: %+v, want 2 rows and n10 INT64", res)
	}

	if _, err := check(emuBlock(t, "no_such_table"), []string{"id"}, "", "", ""); err == nil || !strings.Contains(err.Error(), "the table does not exist") {
		t.Errorf("check of a missing table: %v", err)
	}
}

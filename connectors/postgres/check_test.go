package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/postgres"
)

func TestPostgresCheck(t *testing.T) {
	conn := server(t)
	schema := newSchema(t, conn)
	setDSN(t, randomName("mosaic_check_"))
	exec(t, conn, "CREATE TABLE "+schema+".crm (id text, email varchar(200), ltv numeric(10,2), flag bool, seq int8, updated_at timestamptz)")
	exec(t, conn, "INSERT INTO "+schema+`.crm SELECT 'C' || i, 'u' || i || '@x', i, i % 2 = 0, i, timestamptz '2026-05-01 00:00:00+00' + i * interval '1 hour'
		FROM generate_series(1, 25) AS i`)
	block := fmt.Sprintf("{ kind: postgres, dsn_env: %s, schema: %s, table: crm }", dsnEnv, schema)
	check := func(columns []string, cursor, watermark, timestamp string) (connectors.CheckResult, error) {
		req := connectors.CheckRequest{ReadRequest: feedRequest(t, block, columns, cursor, watermark), Timestamp: timestamp}
		return postgres.New().Check(context.Background(), req)
	}

	res, err := check([]string{"email", "id", "ltv"}, "updated_at", "", "updated_at")
	if err != nil {
		t.Fatal(err)
	}
	want := connectors.CheckResult{Rows: 25, Columns: []connectors.CheckColumn{
		{Name: "email", SourceType: "varchar", Staged: "utf8"},
		{Name: "id", SourceType: "text", Staged: "utf8"},
		{Name: "ltv", SourceType: "numeric(10,2)", Staged: "decimal(10, 2)"},
		{Name: "updated_at", SourceType: "timestamptz", Staged: "timestamp[us, tz=UTC]"},
	}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("check (-want +got):\n%s", diff)
	}

	if res, err := check([]string{"id"}, "seq", "20", ""); err != nil || res.Rows != 5 || len(res.Problems) != 0 {
		t.Errorf("check past watermark 20 on an integer cursor: %+v, %v; want 5 rows", res, err)
	}

	res, err = check([]string{"id", "phone"}, "flag", "", "ltv")
	if err != nil {
		t.Fatal(err)
	}
	wantProblems := []string{
		`feed f: the cursor column "flag" is bool; a cursor must be an integer, date or timestamp column (cast it in ` + "`query:`)",
		`feed f: the timestamp column "ltv" is numeric(10,2); it must hold times: a timestamp, date, epoch integer or ISO 8601 text`,
		`feed f: table ` + schema + `.crm has no column "phone" (it has: id, email, ltv, flag, seq, updated_at); fix the feed's mapping or the source`,
	}
	if diff := cmp.Diff(wantProblems, res.Problems); diff != "" || res.Rows != -1 {
		t.Errorf("problems (-want +got), rows %d:\n%s", res.Rows, diff)
	}

	req := connectors.CheckRequest{ReadRequest: feedRequest(t, strings.Replace(block, "table: crm", "table: nope", 1), []string{"id"}, "", "")}
	if _, err := postgres.New().Check(context.Background(), req); err == nil || !strings.Contains(err.Error(), "does not exist in PostgreSQL") {
		t.Errorf("check of a missing table: %v", err)
	}
}

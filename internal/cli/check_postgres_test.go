package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestCheckPostgres checks a feed of a real PostgreSQL table: its columns
// and row count, then after a run only the rows past the watermark, and a
// mapped column the table lacks.
func TestCheckPostgres(t *testing.T) {
	dsn := os.Getenv("MOSAIC_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("needs PostgreSQL: set MOSAIC_POSTGRES_DSN=postgres://user:pw@127.0.0.1:5432/db (`source .ci/postgres.sh` starts a throwaway server and sets it)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to MOSAIC_POSTGRES_DSN: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 5)
	rand.Read(b)
	schema := "mosaic_check_" + hex.EncodeToString(b)
	pgExec := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	pgExec("CREATE SCHEMA " + schema)
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	pgExec("CREATE TABLE " + schema + ".crm (id text, email varchar(200), tier text, updated_at timestamptz)")
	insert := func(from, to int) {
		pgExec(fmt.Sprintf(`INSERT INTO %s.crm SELECT 'C' || i, 'u' || i || '@x.com', 'gold', timestamptz '2026-05-01 00:00:00+00' + i * interval '1 hour'
			FROM generate_series(%d, %d) AS i`, schema, from, to))
	}
	insert(1, 25)
	t.Setenv("MOSAIC_CHECK_PG_DSN", dsn)
	pipeline := fmt.Sprintf(`version: 1
name: pg
state: ./store.duckdb
feeds:
  - name: crm
    source: { kind: postgres, dsn_env: MOSAIC_CHECK_PG_DSN, schema: %s, table: crm }
    source_type: warehouse
    cursor: updated_at
    timestamp: updated_at
    identities: { id: customerid, email: email }
    attributes: { tier: tier }
`, schema)
	t.Chdir(t.TempDir())
	writeFile(t, "pipeline.yaml", pipeline)

	code, out, errOut := mosaic(t, "check", "pipeline.yaml")
	if code != ExitOK {
		t.Fatalf("check: code %d\n%s%s", code, out, errOut)
	}
	golden(t, "check/postgres.txt", out)

	if code, out, errOut := mosaic(t, "run", "pipeline.yaml"); code != ExitOK {
		t.Fatalf("run: %d\n%s%s", code, out, errOut)
	}
	insert(26, 30)
	code, out, _ = mosaic(t, "check", "--format", "json", "pipeline.yaml")
	var rep struct {
		Feeds []struct {
			Rows      int64  `json:"rows"`
			Watermark string `json:"watermark"`
		} `json:"feeds"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitOK || len(rep.Feeds) != 1 || rep.Feeds[0].Rows != 5 || rep.Feeds[0].Watermark == "" {
		t.Errorf("check after a run and 5 new rows: code %d, %+v (%v), want 5 rows past the watermark\n%s", code, rep, err, out)
	}

	writeFile(t, "pipeline.yaml", strings.Replace(pipeline, "attributes: { tier: tier }", "attributes: { tier: tier, ltv: ltv }", 1))
	code, out, _ = mosaic(t, "check", "pipeline.yaml")
	want := fmt.Sprintf(`pipeline.yaml:5:5: feed crm: table %s.crm has no column "ltv" (it has: id, email, tier, updated_at); fix the feed's mapping or the source`, schema)
	if code != ExitFailed || !strings.Contains(out, want) {
		t.Errorf("check with a missing column: code %d, want %d and the problem %q in\n%s", code, ExitFailed, want, out)
	}
}

package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestPostgresIdentityColumnTypes: identity columns of a real PostgreSQL
// table that are float8, an unconstrained numeric (read as a DOUBLE),
// numeric(18,2) and text[]: check reports the float8, the numeric and the
// list at their mappings, saying to cast them in a `query:`; a run keeps
// whole values as digits (777.0 is customerid 777, 42.00 is 42), and
// refuses a fraction, a number past 2^53 and a list, each recorded with
// its row kept on its e-mail (the record holds the value as staged: the
// numeric as the DOUBLE it became, its last digits lost).
func TestPostgresIdentityColumnTypes(t *testing.T) {
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
	schema := "mosaic_idtypes_" + hex.EncodeToString(b)
	for _, sql := range []string{
		"CREATE SCHEMA " + schema,
		"CREATE TABLE " + schema + ".crm (id float8, legacy numeric, acct numeric(18,2), tags text[], email text, updated_at timestamptz)",
		"INSERT INTO " + schema + `.crm VALUES
			(777.0, 777, 42.00, '{a@x.com}', 'a@x.com', '2026-05-01 00:00:00+00'),
			(777.5, 12345678901234567891, 42.50, NULL, 'b@x.com', '2026-05-01 01:00:00+00')`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	t.Setenv("MOSAIC_CHECK_PG_DSN", dsn)
	t.Chdir(t.TempDir())
	writeFile(t, "pipeline.yaml", fmt.Sprintf(`version: 1
name: pg
state: ./store.duckdb
feeds:
  - name: crm
    source: { kind: postgres, dsn_env: MOSAIC_CHECK_PG_DSN, schema: %s, table: crm }
    source_type: warehouse
    timestamp: updated_at
    identities: { id: customerid, legacy: other, acct: other_id_2, tags: other_id_3, email: email }
`, schema))

	code, out, errOut := mosaic(t, "check", "pipeline.yaml")
	if code != ExitFailed {
		t.Errorf("check: code %d, want %d\n%s", code, ExitFailed, errOut)
	}
	golden(t, "check/postgres_identity_types.txt", out)

	if code, out, errOut := mosaic(t, "run", "pipeline.yaml", "--now", "2026-06-01T00:00:00Z"); code != ExitOK {
		t.Fatalf("run: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = mosaic(t, "sql", "--state", "store.duckdb", "--format", "csv", `
		SELECT identity_type, identity_value, NULL AS column_type FROM profile_identities
		UNION ALL
		SELECT reason, "row"->>'identity_value', "row"->>'column_type' FROM dropped_rows
		ORDER BY ALL`)
	if code != ExitOK {
		t.Fatalf("sql: %d\n%s", code, errOut)
	}
	want := `identity_type,identity_value,column_type
customerid,777,
email,a@x.com,
email,b@x.com,
identity_not_integer,12345678901234567000.0,DOUBLE
identity_not_integer,42.5,"DECIMAL(18,2)"
identity_not_integer,777.5,DOUBLE
identity_not_scalar,"[""a@x.com""]",VARCHAR[]
other,777,
other_id_2,42,
`
	if out != want {
		t.Errorf("identities and refusals:\n%s\nwant\n%s", out, want)
	}
}

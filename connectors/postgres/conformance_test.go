package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/postgres"
)

// TestPostgresConformance runs the connector suite against a real server:
// each harness folder gets its own table in the test's schema.
func TestPostgresConformance(t *testing.T) {
	conn := server(t)
	schema := newSchema(t, conn)
	app := randomName("mosaic_conformance_")
	setDSN(t, app)
	tables := map[string]string{}
	fx := connectortest.Fixture{
		Write: func(t *testing.T, dir string, rows []connectortest.Row) string {
			table, ok := tables[dir]
			if !ok {
				table = fmt.Sprintf("feed_%d", len(tables))
				tables[dir] = table
				exec(t, conn, fmt.Sprintf("CREATE TABLE %s.%s (id text, email text, tier text, ts timestamptz, unused jsonb)", schema, table))
			}
			_, err := conn.CopyFrom(context.Background(), pgx.Identifier{schema, table}, []string{"id", "email", "tier", "ts"},
				pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
					r := rows[i]
					return []any{r.ID, r.Email, r.Tier, r.TS}, nil
				}))
			if err != nil {
				t.Fatalf("copy rows into %s: %v", table, err)
			}
			return fmt.Sprintf("{ kind: postgres, dsn_env: %s, schema: %s, table: %s }", dsnEnv, schema, table)
		},
		Break: func(t *testing.T) {
			// Terminate the source's session (and wait for it to end).
			rows, _ := conn.Query(context.Background(),
				"SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = $1", app)
			n, err := pgx.CollectRows(rows, pgx.RowTo[bool])
			if err != nil || len(n) == 0 {
				t.Errorf("terminate the source's session: %v terminated, %v", n, err)
			}
		},
		MidReadRows: 200_000,
		Large:       true,
	}
	connectortest.TestSource(t, &postgres.Source{BatchRows: 4096}, fx)
}

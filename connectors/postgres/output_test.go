package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/postgres"
)

// TestDestinationConformance runs the destination suite against the real
// PostgreSQL, each output into a fresh table; a co-writer's rows sit in
// the same tables, and a CHECK constraint that no row meets makes the
// server refuse records.
func TestDestinationConformance(t *testing.T) {
	conn := server(t)
	setDSN(t, "mosaic_dest")
	tables := map[string]string{}
	ctx := context.Background()
	connectortest.RunDestination(t, "postgres", postgres.NewDestination(), connectortest.DestinationFixture{
		Output: func(t *testing.T, dir, name string) string {
			tables[name] = randomName("out_" + name + "_")
			t.Cleanup(func() { conn.Exec(ctx, "DROP TABLE IF EXISTS "+tables[name]) })
			return "    kind: postgres\n    dsn_env: " + dsnEnv + "\n    table: " + tables[name] + "\n"
		},
		Held: func(t *testing.T, name string) map[string]string {
			rows, err := conn.Query(ctx, "SELECT key, (jsonb_strip_nulls(to_jsonb(t)) - 'key')::text FROM "+tables[name]+" t")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			held := map[string]string{}
			for rows.Next() {
				var k, v string
				if err := rows.Scan(&k, &v); err != nil {
					t.Fatal(err)
				}
				held[k] = v
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return held
		},
		Foreign: func(t *testing.T, name, key string) {
			if _, err := conn.Exec(ctx, "INSERT INTO "+tables[name]+" (key) VALUES ($1)", key); err != nil {
				t.Fatal(err)
			}
		},
		Fail: func(t *testing.T, n int) {
			for _, table := range tables {
				q := "ALTER TABLE " + table + " DROP CONSTRAINT IF EXISTS mosaic_test_refuse"
				if n > 0 {
					q = "ALTER TABLE " + table + " ADD CONSTRAINT mosaic_test_refuse CHECK (key = '') NOT VALID"
				}
				if _, err := conn.Exec(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
		},
	})
}

// TestOutputTableMissingColumns: a table that exists without a field's
// column fails the sync naming the columns and the fix.
func TestOutputTableMissingColumns(t *testing.T) {
	conn := server(t)
	setDSN(t, "mosaic_dest_cols")
	table := randomName("out_cols_")
	ctx := context.Background()
	if _, err := conn.Exec(ctx, "CREATE TABLE "+table+" (key text PRIMARY KEY, email text)"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Exec(ctx, "DROP TABLE IF EXISTS "+table) })
	o := connectortest.ParseOutput(t, "    kind: postgres\n    dsn_env: "+dsnEnv+"\n    table: "+table+"\n    send: profiles\n    key: email\n    fields: { email: identity.email, tier: attribute.tier }\n")
	_, err := postgres.NewDestination().Open(ctx, connectors.OutputRequest{Output: o, Fields: []string{"email", "tier"}})
	if err == nil || !strings.Contains(err.Error(), "without the columns tier") || !strings.Contains(err.Error(), "ALTER TABLE") {
		t.Fatalf("Open: %v; want an error naming the missing column tier and the fix", err)
	}
}

// TestOutputReplacedThenChanged: a changed audience record arrives as the
// removal of what it replaces, then the record, in one batch (large
// enough to be split between connections): the table ends holding the
// new record.
func TestOutputReplacedThenChanged(t *testing.T) {
	conn := server(t)
	setDSN(t, "mosaic_dest_replace")
	table := randomName("out_replace_")
	ctx := context.Background()
	t.Cleanup(func() { conn.Exec(ctx, "DROP TABLE IF EXISTS "+table) })
	o := connectortest.ParseOutput(t, "    kind: postgres\n    dsn_env: "+dsnEnv+"\n    table: "+table+"\n    send: audience\n    audience: gold\n    identities: [email]\n")
	w, err := postgres.NewDestination().Open(ctx, connectors.OutputRequest{Output: o, Fields: []string{"audience", "mpid", "identities"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var recs []connectors.Record
	for i := range 3000 { // removals first, as a sync orders them
		recs = append(recs, connectors.Record{Op: connectors.OpRemove, Key: fmt.Sprintf("gold:%d", i),
			Fields: []byte(fmt.Sprintf(`{"audience":"gold","mpid":%d,"identities":{"email":["old%d@x.com"]}}`, i, i))})
	}
	for i := range 3000 {
		recs = append(recs, connectors.Record{Op: connectors.OpAdd, Key: fmt.Sprintf("gold:%d", i),
			Fields: []byte(fmt.Sprintf(`{"audience":"gold","mpid":%d,"identities":{"email":["new%d@x.com"]}}`, i, i))})
	}
	errs, err := w.Write(ctx, connectors.Batch{Output: "o", RunID: 1, Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range errs {
		if e != nil {
			t.Fatalf("record %d: %v", i, e)
		}
	}
	var n, stale int
	if err := conn.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE identities::text LIKE '%old%') FROM "+table).Scan(&n, &stale); err != nil {
		t.Fatal(err)
	}
	if n != 3000 || stale != 0 {
		t.Errorf("the table holds %d rows, %d with the replaced identities; want 3000 new ones", n, stale)
	}
}

// TestOutputCheckEnv: the connection string's variable is set and parses,
// checked without a server; its password never shows.
func TestOutputCheckEnv(t *testing.T) {
	o := connectortest.ParseOutput(t, "    kind: postgres\n    dsn_env: PG_TEST_OUT_DSN\n    table: t\n    send: profiles\n    key: email\n    fields: { email: identity.email }\n")
	connectortest.RunEnvCases(t, postgres.NewDestination(), connectors.OutputRequest{Output: o}, []connectortest.EnvCase{
		{Env: map[string]string{"PG_TEST_OUT_DSN": "postgres://u:tok-pass@127.0.0.1:5432/db"}},
		{Env: map[string]string{}, Want: "p.yaml:11:14: outputs[0].dsn_env: environment variable PG_TEST_OUT_DSN is not set, and output o cannot sync without it: set it to the PostgreSQL connection string (postgres://user:password@host:5432/db), e.g. `export PG_TEST_OUT_DSN=...`"},
		{Env: map[string]string{"PG_TEST_OUT_DSN": "postgres://u:tok-pass@127.0.0.1:port/db"}, Want: "p.yaml:11:14: outputs[0].dsn_env: environment variable PG_TEST_OUT_DSN is set, but output o cannot sync with it: it does not parse as a connection string: invalid port"},
	})
}

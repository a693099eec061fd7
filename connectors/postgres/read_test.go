package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/postgres"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

func TestPostgresValidateErrors(t *testing.T) {
	cases := map[string]string{
		"{ kind: postgres, table: t }":                                "p.yaml:5:21: feeds[0].source.kind: feed f: a postgres source needs `dsn_env:`, the name of the environment variable that holds the connection string (e.g. dsn_env: PG_DSN)",
		"{ kind: postgres, dsn_env: PG }":                             "p.yaml:5:21: feeds[0].source.kind: feed f: a postgres source needs `table:` or `query:`",
		"{ kind: postgres, dsn_env: PG, table: t, query: SELECT 1 }":  "p.yaml:5:61: feeds[0].source.query: feed f: give `table:` or `query:`, not both",
		"{ kind: postgres, dsn_env: PG, schema: s, query: SELECT 1 }": "p.yaml:5:52: feeds[0].source.schema: feed f: `schema:` goes with `table:`; write the schema into the query instead",
		"{ kind: postgres, dsn_env: PG, tabel: t }":                   `p.yaml:5:44: unknown key "tabel", did you mean "table"?`,
	}
	for block, want := range cases {
		req := feedRequest(t, block, nil, "", "")
		err := postgres.New().Validate(req.ValidateRequest)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant it to contain %q", block, err, want)
		}
	}
	good := feedRequest(t, "{ kind: postgres, dsn_env: UNSET_VARIABLE_FOR_TEST, table: t }", nil, "", "")
	if err := postgres.New().Validate(good.ValidateRequest); err != nil {
		t.Errorf("Validate needs no connection nor variable: %v", err)
	}
}

// TestSourceCheckEnv: the connection string's variable is set and parses,
// checked without a server, as an output's; its password never shows.
func TestSourceCheckEnv(t *testing.T) {
	req := connectortest.ParseSource(t, t.TempDir(), "      kind: postgres\n      dsn_env: PG_TEST_FEED_DSN\n      table: t\n")
	connectortest.RunSourceEnvCases(t, postgres.New(), req, []connectortest.EnvCase{
		{Env: map[string]string{"PG_TEST_FEED_DSN": "postgres://u:tok-pass@127.0.0.1:5432/db"}},
		{Env: map[string]string{}, Want: "p.yaml:9:16: feeds[0].source.dsn_env: environment variable PG_TEST_FEED_DSN is not set, and feed f cannot be read without it: set it to the PostgreSQL connection string (postgres://user:password@host:5432/db), e.g. `export PG_TEST_FEED_DSN=...`"},
		{Env: map[string]string{"PG_TEST_FEED_DSN": "postgres://u:tok-pass@127.0.0.1:port/db"}, Want: "p.yaml:9:16: feeds[0].source.dsn_env: environment variable PG_TEST_FEED_DSN is set, but feed f cannot be read with it: it does not parse as a connection string: invalid port"},
	})
}

// TestPostgresSecretsStayOut checks that neither the DSN nor its password
// appears in errors, run records or logs, whatever fails.
func TestPostgresSecretsStayOut(t *testing.T) {
	server(t)
	real := os.Getenv("MOSAIC_POSTGRES_DSN")
	cfg, err := pgconn.ParseConfig(real)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "s3cr3t-Pa55word"
	wrong := fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User, secret, cfg.Host, cfg.Port, cfg.Database)
	cases := map[string]struct{ dsn, want string }{
		"wrong password": {wrong, "feed f: cannot connect to PostgreSQL (connection string from $" + dsnEnv + "):"},
		"does not parse": {"postgres://u:" + secret + "@127.0.0.1:notaport/db", "environment variable " + dsnEnv + " (dsn_env): it does not parse as a connection string:"},
		"no server":      {"postgres://u:" + secret + "@127.0.0.1:1/db?connect_timeout=5", "feed f: cannot connect to PostgreSQL"},
		"key=value":      {fmt.Sprintf("host=%s port=%d user=%s password=%s dbname=%s sslmode=disable", cfg.Host, cfg.Port, cfg.User, secret, cfg.Database), "feed f: cannot connect to PostgreSQL"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(dsnEnv, tc.dsn)
			req := feedRequest(t, "{ kind: postgres, dsn_env: "+dsnEnv+", table: t }", []string{"id"}, "", "")
			_, err := postgres.New().Read(context.Background(), req, &capture{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), tc.dsn) {
				t.Fatalf("the error shows the secret: %v", err)
			}
			t.Log(err)

			// A whole run: its log and its run record.
			dir := t.TempDir()
			yaml := "version: 1\nname: secrets\nstate: ./s.duckdb\nfeeds:\n  - name: f\n    source: { kind: postgres, dsn_env: " + dsnEnv + ", table: t }\n    source_type: warehouse\n    identities: { id: customerid }\n"
			if err := os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := pipeline.Load(filepath.Join(dir, "p.yaml"), builtin.Registry())
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			res, err := (&pipeline.Runner{Registry: builtin.Registry(), Log: log}).Run(context.Background(), p, pipeline.Options{})
			if err == nil {
				t.Fatal("the run succeeded")
			}
			texts := map[string]string{"run error": err.Error(), "log": logs.String()}
			if res != nil { // a connection string that does not parse is refused before the run
				texts["run record"] = res.Run.Error
			}
			for what, text := range texts {
				if strings.Contains(text, secret) {
					t.Errorf("the %s shows the password: %s", what, text)
				}
			}
		})
	}
}

func TestPostgresTableAndColumnErrors(t *testing.T) {
	conn := server(t)
	schema := newSchema(t, conn)
	setDSN(t, randomName("mosaic_errors_"))
	exec(t, conn, "CREATE TABLE "+schema+".people (id text, email text, ts timestamptz)")
	cases := []struct {
		block   string
		columns []string
		want    string
	}{
		{"{ kind: postgres, dsn_env: " + dsnEnv + ", schema: " + schema + ", table: nope }", []string{"id"},
			"feed f: table " + schema + ".nope does not exist in PostgreSQL: relation \"" + schema + ".nope\" does not exist; create it, or fix `table:`/`schema:` (or the search path)"},
		{"{ kind: postgres, dsn_env: " + dsnEnv + ", schema: nope_schema, table: people }", []string{"id"},
			"feed f: table nope_schema.people does not exist in PostgreSQL"},
		{"{ kind: postgres, dsn_env: " + dsnEnv + ", schema: " + schema + ", table: people }", []string{"id", "phone", "tier"},
			"feed f: table " + schema + ".people has no column \"phone\", \"tier\" (it has: id, email, ts); fix the feed's mapping or the source"},
		{"{ kind: postgres, dsn_env: " + dsnEnv + ", query: 'SELEC id FROM x' }", []string{"id"},
			"feed f: the query is not valid SQL: syntax error at or near"},
	}
	for _, tc := range cases {
		req := feedRequest(t, tc.block, tc.columns, "", "")
		_, err := postgres.New().Read(context.Background(), req, &capture{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant %q", tc.block, err, tc.want)
		}
	}
}

// TestPostgresPushdown reads only the mapped columns (odd names quoted),
// only rows past the watermark (a parameter: a hostile one is just an
// error), in cursor order.
func TestPostgresPushdown(t *testing.T) {
	conn := server(t)
	schema := newSchema(t, conn)
	setDSN(t, randomName("mosaic_pushdown_"))
	table := `Odd "Table"; --`
	exec(t, conn, fmt.Sprintf(`CREATE TABLE %s."Odd ""Table""; --" (id int, "we""ird col" text, ts timestamptz, big_unread bytea)`, schema))
	exec(t, conn, fmt.Sprintf(`INSERT INTO %s."Odd ""Table""; --" SELECT i, 'v' || i, timestamptz '2026-05-01 00:00:00+00' + i * interval '1 minute', '\x00'
		FROM generate_series(10, 1, -1) AS i`, schema))
	block := fmt.Sprintf("{ kind: postgres, dsn_env: %s, schema: %s, table: '%s' }", dsnEnv, schema, table)

	req := feedRequest(t, block, []string{`we"ird col`, "id"}, "ts", "2026-05-01 00:07:00+00")
	var c capture
	defer c.release()
	if _, err := postgres.New().Read(context.Background(), req, &c); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range c.schema.Fields() {
		names = append(names, f.Name)
	}
	if want := []string{"id", "ts", `we"ird col`}; !slices.Equal(names, want) {
		t.Errorf("columns read %q, want %q (mapped ones and the cursor only)", names, want)
	}
	if got, want := c.column(t, "id"), []string{"8", "9", "10"}; !slices.Equal(got, want) {
		t.Errorf("ids read past the watermark %q, want %q in cursor order", got, want)
	}

	hostile := feedRequest(t, block, []string{"id"}, "ts", "x'; DROP TABLE people; --")
	_, err := postgres.New().Read(context.Background(), hostile, &capture{})
	if err == nil || !strings.Contains(err.Error(), "invalid input syntax for type timestamp with time zone") {
		t.Fatalf("hostile watermark: err = %v, want PostgreSQL's invalid input error", err)
	}
}

// TestPostgresQuery reads a query's result with a cursor.
func TestPostgresQuery(t *testing.T) {
	conn := server(t)
	schema := newSchema(t, conn)
	setDSN(t, randomName("mosaic_query_"))
	exec(t, conn, "CREATE TABLE "+schema+".c (id int, email text)")
	exec(t, conn, "CREATE TABLE "+schema+".o (cid int, amount numeric(10,2), at timestamptz)")
	exec(t, conn, "INSERT INTO "+schema+".c VALUES (1, 'a@x'), (2, 'b@x')")
	exec(t, conn, "INSERT INTO "+schema+".o VALUES (1, 5, '2026-05-01'), (1, 7.5, '2026-05-02'), (2, 1, '2026-05-03')")
	q := fmt.Sprintf("SELECT c.email, sum(o.amount) AS total, max(o.at) AS last_at FROM %s.c JOIN %s.o ON o.cid = c.id GROUP BY c.email;", schema, schema)
	block := fmt.Sprintf("{ kind: postgres, dsn_env: %s, query: %q }", dsnEnv, q)
	req := feedRequest(t, block, []string{"email", "total"}, "last_at", "2026-05-02 12:00:00+00")
	var c capture
	defer c.release()
	if _, err := postgres.New().Read(context.Background(), req, &c); err != nil {
		t.Fatal(err)
	}
	if got := c.column(t, "email"); !slices.Equal(got, []string{"b@x"}) {
		t.Errorf("emails %q, want [b@x] (a@x's last order is before the watermark)", got)
	}
	if got := c.column(t, "total"); !slices.Equal(got, []string{"1"}) {
		t.Errorf("totals %q", got)
	}
}

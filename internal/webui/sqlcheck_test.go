package webui

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

func TestCheckSQL(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := loadAllowed(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	a.views = map[string]bool{"profiles": true, "profile_identities": true, "events": true, "audience_members": true, "runs": true}
	for _, c := range []struct {
		name, query string
		refused     string // part of the refusal; empty when accepted
	}{
		{"a view", "SELECT * FROM profiles", ""},
		{"main schema, any case", `select count(*) from MAIN."Profiles"`, ""},
		{"FROM first", "FROM events SELECT event_name", ""},
		{"join of two views", "SELECT p.mpid, i.identity_value FROM profiles p JOIN profile_identities i USING (mpid)", ""},
		{"subqueries", "SELECT * FROM (SELECT mpid FROM profiles) WHERE mpid IN (SELECT mpid FROM audience_members) AND EXISTS (SELECT 1 FROM events)", ""},
		{"CTEs", "WITH a AS (SELECT mpid FROM profiles), b AS (SELECT * FROM a) SELECT * FROM b", ""},
		{"recursive CTE", "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t", ""},
		{"allowed table functions", "SELECT * FROM range(3), generate_series(1, 2), unnest([1, 2])", ""},
		{"union and values", "SELECT 1 UNION ALL SELECT mpid FROM profiles UNION ALL FROM (VALUES (2))", ""},
		{"no table", "SELECT 1 + 1", ""},
		{"functions, JSON, lambdas, windows", `SELECT coalesce(max(mpid), 0), to_json({'a': 1})->>'$.a', list_transform([1], x -> x + 1), count(*) OVER (), main.abs(-1) FROM profiles WHERE mpid::VARCHAR LIKE '1%'`, ""},
		{"a function of an extension not loaded", "SELECT st_point(1, 2)", "unknown function st_point"},
		{"a function in another schema", "SELECT other.f(1)", "other.f is not a function here"},
		{"read_csv", "SELECT * FROM read_csv('/etc/passwd')", "table function read_csv"},
		{"read_parquet in a subquery expression", "SELECT (SELECT count(*) FROM read_parquet('x.parquet'))", "table function read_parquet"},
		{"glob", "SELECT * FROM glob('/*')", "table function glob"},
		{"query", "SELECT * FROM query('SELECT * FROM _mosaic.profiles')", "table function query"},
		{"catalog functions", "SELECT * FROM duckdb_settings()", "table function duckdb_settings"},
		{"a private table", "SELECT * FROM _mosaic.profiles", "_mosaic.profiles is not a public view"},
		{"an unknown table", "SELECT * FROM secrets", "secrets is not a public view"},
		{"another database", "SELECT * FROM store.main.profiles", "without a database"},
		{"a file (replacement scan)", "SELECT * FROM 'file.csv'", "file.csv is not a public view"},
		{"a file in a subquery", "SELECT * FROM (FROM '/etc/passwd')", "/etc/passwd is not a public view"},
		{"a CTE body reads a file", "WITH a AS (SELECT * FROM 'x.csv') SELECT * FROM a", "x.csv is not a public view"},
		{"a CTE named like a file", `WITH "x.csv" AS (SELECT 1) SELECT * FROM 'x.csv'`, "plain identifier"},
		{"a CTE used before it is defined", "WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a", "b is not a public view"},
		{"a CTE out of its scope", "SELECT * FROM (WITH c AS (SELECT 1) SELECT * FROM c), c", "c is not a public view"},
		{"time travel", "SELECT * FROM profiles AT (VERSION => 1)", "AT (time travel)"},
		{"COPY", "COPY profiles TO '/tmp/x.csv'", "only a SELECT"},
		{"ATTACH", "ATTACH '/tmp/other.db' AS other", "only a SELECT"},
		{"PRAGMA", "PRAGMA database_list", "only a SELECT"},
		{"SET", "SET threads = 1", "only a SELECT"},
		{"INSERT", "INSERT INTO runs SELECT * FROM runs", "only a SELECT"},
		{"DESCRIBE", "DESCRIBE profiles", "DESCRIBE, SHOW or SUMMARIZE"},
		{"SHOW TABLES", "SHOW TABLES", "DESCRIBE, SHOW or SUMMARIZE"},
		{"two statements", "SELECT 1; SELECT 2", "one statement at a time"},
		{"a statement after a SELECT", "SELECT 1; COPY profiles TO 'x.csv'", "only a SELECT"},
		{"syntax error", "SELEC 1", "does not parse"},
		{"empty", "  -- nothing\n", "empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkSQL(context.Background(), db, c.query, a)
			switch {
			case c.refused == "" && err != nil:
				t.Errorf("%s: refused: %v", c.query, err)
			case c.refused != "" && err == nil:
				t.Errorf("%s: accepted, want refused with %q", c.query, c.refused)
			case c.refused != "" && (!errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), c.refused)):
				t.Errorf("%s: %v, want a refusal saying %q", c.query, err, c.refused)
			}
		})
	}
}

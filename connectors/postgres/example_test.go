package postgres_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestPostgresExamplePipeline runs pipelines/postgres.yaml against the
// quickstart's data loaded into PostgreSQL (testdata/quickstart/postgres.sql)
// and checks it makes the same profiles as pipelines/quickstart.yaml makes
// from the files: same MPIDs, identities and attributes.
func TestPostgresExamplePipeline(t *testing.T) {
	conn := server(t)
	schema := newSchema(t, conn)
	load, err := os.ReadFile("../../testdata/quickstart/postgres.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, conn, "SET search_path TO "+schema)
	exec(t, conn, string(load))
	dsn := os.Getenv("MOSAIC_POSTGRES_DSN")
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	t.Setenv("PG_DSN", dsn+sep+"options=-c%20search_path%3D"+schema)

	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	stores := map[string]string{}
	for _, name := range []string{"quickstart", "postgres"} {
		p, err := pipeline.Load(filepath.Join("../../pipelines", name+".yaml"), builtin.Registry())
		if err != nil {
			t.Fatal(err)
		}
		p.State = filepath.Join(t.TempDir(), name+".duckdb")
		res, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: now})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Stats.Profiles.Created == 0 {
			t.Fatalf("%s created no profile: %+v", name, res.Stats)
		}
		t.Logf("%s: %+v", name, res.Stats.Feeds)
		stores[name] = p.State
	}
	for _, q := range []string{
		`SELECT mpid, identity_type, identity_value, first_seen_at, last_seen_at, feed FROM profile_identities ORDER BY ALL`,
		`SELECT mpid, key, value, source_type, feed, updated_at, calculated FROM profile_attributes ORDER BY ALL`,
		`SELECT mpid, created_at, updated_at, last_seen_at FROM profiles ORDER BY ALL`,
		`SELECT alias_mpid, mpid FROM profile_aliases ORDER BY ALL`,
	} {
		files, pg := rowsOf(t, stores["quickstart"], q), rowsOf(t, stores["postgres"], q)
		if len(files) == 0 && !strings.Contains(q, "aliases") {
			t.Errorf("%s: the files pipeline has no rows", q)
		}
		if diff := cmp.Diff(files, pg); diff != "" {
			t.Errorf("%s: PostgreSQL differs from files (-files +postgres):\n%s", q, diff)
		}
	}

	// A second run reads nothing new: every feed is past its watermark.
	p, err := pipeline.Load("../../pipelines/postgres.yaml", builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	p.State = stores["postgres"]
	res, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for feed, st := range res.Stats.Feeds {
		if st.Read != 0 {
			t.Errorf("second run read %d rows of %s, want 0 (cursor pushdown)", st.Read, feed)
		}
	}
}

// rowsOf returns q's rows over a store, each as one line of text.
func rowsOf(t *testing.T, state, q string) []string {
	t.Helper()
	db, err := sql.Open("duckdb", state+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var line []string
		for _, v := range vals {
			line = append(line, v.String)
		}
		out = append(out, strings.Join(line, " | "))
	}
	return out
}

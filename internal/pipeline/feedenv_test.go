package pipeline

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// crmThenPostgres loads a pipeline of a CSV feed, crm, then a PostgreSQL
// feed, pg, whose connection string is in TESTENV_FEED_DSN (named at the
// file's line 10, column 16).
func crmThenPostgres(t *testing.T) *config.Pipeline {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "crm.csv", "id,email\nC1,a@x.com\n")
	return loadPipeline(t, dir, `version: 1
name: p
state: ./store.duckdb
feeds:
  - name: crm
    source: { kind: files, path: crm.csv }
    source_type: warehouse
    identities: { id: customerid, email: email }
  - name: pg
    source:
      kind: postgres
      dsn_env: TESTENV_FEED_DSN
      table: customers
    source_type: warehouse
    identities: { id: customerid }
`)
}

// TestRunRefusesFeedsThatCannotBeRead: a run whose feed's connection
// string is unset or does not parse is refused before it stages any feed
// (no store, no run record), dry runs and --no-sync runs too, as every
// run reads its feeds; the refusal names the variable at its key, never
// the value.
func TestRunRefusesFeedsThatCannotBeRead(t *testing.T) {
	p := crmThenPostgres(t)
	r := &Runner{Registry: builtin.Registry()}
	for _, dsn := range []string{"", "postgres://u:secret-pass@127.0.0.1:port/db"} {
		t.Setenv("TESTENV_FEED_DSN", dsn)
		for _, opts := range []Options{{}, {NoSync: true}, {DryRun: true}} {
			res, err := r.Run(context.Background(), p, opts)
			var ee *EnvError
			if !errors.As(err, &ee) || !ee.Feeds || ee.Outputs || res != nil || !strings.Contains(err.Error(), "pipeline.yaml:12:16: feeds[1].source.dsn_env: environment variable TESTENV_FEED_DSN ") {
				t.Fatalf("dsn %q, %+v: run = %v, %v; want it refused naming the variable", dsn, opts, res, err)
			}
			if dsn != "" && strings.Contains(err.Error(), "secret-pass") {
				t.Errorf("the refusal shows the connection string's password: %v", err)
			}
			if _, err := os.Stat(p.State); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a refused run made the store (%v)", err)
			}
		}
	}
}

// TestCheckReportsFeedEnv: `mosaic check` reports a feed whose variable
// is unset at the key naming it, without connecting; the other feeds are
// checked as usual.
func TestCheckReportsFeedEnv(t *testing.T) {
	p := crmThenPostgres(t)
	t.Setenv("TESTENV_FEED_DSN", "")
	rep, err := Check(context.Background(), p, builtin.Registry(), CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Feeds) != 2 || rep.Ready() || !rep.Feeds[0].Ready() || rep.Feeds[0].Rows != 1 {
		t.Fatalf("feeds %+v, ready %v; want crm ready with 1 row, pg not", rep.Feeds, rep.Ready())
	}
	want := "pipeline.yaml:12:16: feeds[1].source.dsn_env: environment variable TESTENV_FEED_DSN is not set, and feed pg cannot be read without it"
	if f := rep.Feeds[1]; len(f.Problems) != 1 || !strings.Contains(f.Problems[0], want) || f.Checked {
		t.Errorf("the postgres feed: %+v; want only its problem %s…, not connected", f, want)
	}
}

package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFeedSecretsAreCheckedUpFront: a PostgreSQL feed whose connection
// string is unset or does not parse is reported, at the key naming its
// variable and without its value, by validate, check (which does not
// connect) and run (refused before it stages the feed before it, with
// --no-sync and --dry-run too), each exiting 1; schedule refuses to
// start. validate --no-env needs no secret.
func TestFeedSecretsAreCheckedUpFront(t *testing.T) {
	dir := smallDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	writeFile(t, p, smallPipeline+`  - name: pg
    source: { kind: postgres, dsn_env: MOSAIC_TEST_CLI_FEED_DSN, table: customers }
    source_type: warehouse
    identities: { id: customerid }
schedule: "@hourly"
`)
	where := p + ":12:40: feeds[1].source.dsn_env: environment variable MOSAIC_TEST_CLI_FEED_DSN "
	for _, c := range []struct{ dsn, problem string }{
		{"", where + "is not set, and feed pg cannot be read without it: set it to the PostgreSQL connection string (postgres://user:password@host:5432/db), e.g. `export MOSAIC_TEST_CLI_FEED_DSN=...`"},
		{"postgres://u:tok-password@127.0.0.1:port/db", where + "is set, but feed pg cannot be read with it: it does not parse as a connection string: invalid port"},
	} {
		t.Setenv("MOSAIC_TEST_CLI_FEED_DSN", c.dsn)
		for _, args := range [][]string{{"run", p}, {"run", p, "--no-sync"}, {"run", p, "--dry-run"}, {"validate", p}, {"check", p}, {"schedule", p}} {
			var code int
			var out, errOut string
			if args[0] == "schedule" { // a child: one that starts is stopped
				code, errOut = mosaicChild(t, args...)
			} else {
				code, out, errOut = mosaic(t, args...)
			}
			if code != ExitFailed || !strings.Contains(out+errOut, c.problem) || (c.dsn != "" && strings.Contains(out+errOut, "tok-password")) {
				t.Errorf("dsn %q: %v: exit %d\n%s%s\nwant exit 1 and the problem\n%s", c.dsn, args, code, out, errOut, c.problem)
			}
			switch args[0] {
			case "run":
				if _, err := os.Stat(filepath.Join(dir, "store.duckdb")); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("%v: a refused run made the store (%v)", args, err)
				}
				if !strings.Contains(errOut, "refused before reading anything: the feeds above could not be read. Set the variables and run again") {
					t.Errorf("%v: the refused run does not say what to do:\n%s", args, errOut)
				}
			case "validate":
				if !strings.Contains(errOut, "is valid, but its feeds cannot be read here") {
					t.Errorf("validate does not say what cannot work:\n%s", errOut)
				}
			case "check":
				if !strings.Contains(out, "\n1 of 2 feeds not ready") || strings.Contains(out, "cannot connect") {
					t.Errorf("check does not sum the feeds up, or connected:\n%s", out)
				}
			}
		}
		if code, _, errOut := mosaic(t, "validate", "--no-env", p); code != ExitOK {
			t.Errorf("validate --no-env: %d %s", code, errOut)
		}
	}
}

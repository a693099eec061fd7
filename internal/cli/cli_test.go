package cli

import (
	"bytes"
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets the test binary stand in for the mosaic binary: with
// MOSAIC_CLI_SUBPROCESS=1 it runs the CLI on its arguments (for tests that
// need a real second process: kill, lock).
func TestMain(m *testing.M) {
	if os.Getenv("MOSAIC_CLI_SUBPROCESS") == "1" {
		// As cmd/mosaic does: SIGINT and SIGTERM cancel the context.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// mosaic runs the CLI in-process.
func mosaic(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const smallPipeline = `version: 1
name: small
state: ./store.duckdb
feeds:
  - name: crm
    source: { kind: files, path: in/*.csv }
    source_type: warehouse
    timestamp: ts
    identities: { id: customerid, email: email }
    attributes: { tier: tier }
`

// smallDir writes a pipeline over one small CSV into a temp dir.
func smallDir(t *testing.T) string {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "pipeline.yaml"), smallPipeline)
	writeFile(t, filepath.Join(dir, "in/a.csv"), "id,email,tier,ts\nC1,a@x.com,gold,2026-05-01T00:00:00Z\nC2,b@x.com,silver,2026-05-02T00:00:00Z\nC3,,,nope\n")
	return dir
}

func TestHelpAndUsage(t *testing.T) {
	code, out, _ := mosaic(t, "--help")
	if code != ExitOK || !strings.Contains(out, "mosaic run") {
		t.Errorf("--help: code %d, out %q", code, out)
	}
	if code, _, _ := mosaic(t); code != ExitUsage {
		t.Errorf("no args: code %d, want %d", code, ExitUsage)
	}
	code, _, errOut := mosaic(t, "rnu")
	if code != ExitUsage || !strings.Contains(errOut, `unknown command "rnu"`) {
		t.Errorf("unknown command: code %d, stderr %q", code, errOut)
	}
	for _, c := range commands() {
		code, _, errOut := mosaic(t, c.name, "--help")
		if code != ExitOK || !strings.Contains(errOut, "Usage: mosaic "+c.name) {
			t.Errorf("%s --help: code %d, stderr %q", c.name, code, errOut)
		}
	}
}

func TestValidate(t *testing.T) {
	dir := smallDir(t)
	code, out, errOut := mosaic(t, "validate", filepath.Join(dir, "pipeline.yaml"))
	if code != ExitOK || !strings.Contains(out, "ok") {
		t.Fatalf("valid: code %d, out %q, err %q", code, out, errOut)
	}
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, strings.Replace(smallPipeline, "source_type:", "source_tpye:", 1))
	code, _, errOut = mosaic(t, "validate", bad)
	want := bad + `:7:5: unknown key "source_tpye", did you mean "source_type"?`
	if code != ExitUsage || !strings.Contains(errOut, want) {
		t.Errorf("invalid: code %d, stderr %q, want it to contain %q", code, errOut, want)
	}
	// A source problem is positioned too.
	missing := filepath.Join(dir, "missing.yaml")
	writeFile(t, missing, strings.Replace(smallPipeline, "in/*.csv", "nowhere/*.csv", 1))
	code, _, errOut = mosaic(t, "validate", missing)
	if code != ExitUsage || !strings.Contains(errOut, missing+`:6:34: feeds[0].source.path: feed crm: no file matches "nowhere/*.csv"`) {
		t.Errorf("missing files: code %d, stderr %q", code, errOut)
	}
}

func TestRunPrintsSummaryAndSQLReadsTheStore(t *testing.T) {
	dir := smallDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	code, out, errOut := mosaic(t, "run", p)
	if code != ExitOK {
		t.Fatalf("run: code %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"run 1 of small succeeded", "crm          3     2        1  1: invalid_timestamp 1", "dropped 1 row, each recorded in dropped_rows with its reason — see them with:"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	cases := []struct{ format, want string }{
		{"csv", "reason,n\ninvalid_timestamp,1\n"},
		{"json", "[\n  {\n    \"n\": 1,\n    \"reason\": \"invalid_timestamp\"\n  }\n]\n"},
		{"ndjson", "{\"n\":1,\"reason\":\"invalid_timestamp\"}\n"},
		{"table", "reason             n\ninvalid_timestamp  1\n(1 rows)\n"},
	}
	for _, c := range cases {
		code, out, errOut := mosaic(t, "sql", "-p", p, "--format", c.format, "SELECT reason, count(*)::INT AS n FROM dropped_rows GROUP BY reason")
		if code != ExitOK || out != c.want {
			t.Errorf("sql --format %s: code %d, out %q, want %q (stderr %q)", c.format, code, out, c.want, errOut)
		}
	}
	// Writes are refused with the read-only message, writes to views (which
	// fail to bind before their type is known) included; a reading query's
	// own errors stay as DuckDB says them.
	for _, q := range []string{
		"DELETE FROM _mosaic.runs",
		"DELETE FROM runs",
		"INSERT INTO profiles VALUES (1, now(), now(), now())",
		"\n-- a comment\n/* and another */ UPDATE profile_attributes SET key = 'x'",
		"WITH x AS (SELECT 1) DELETE FROM runs",
	} {
		code, _, errOut = mosaic(t, "sql", "--state", filepath.Join(dir, "store.duckdb"), q)
		if code != ExitUsage || !strings.Contains(errOut, "only reading statements run here") {
			t.Errorf("write %q: code %d, stderr %q", q, code, errOut)
		}
	}
	for _, q := range []string{"SELECT * FROM nope", "EXPLAIN SELECT * FROM nope", "SELEC 1"} {
		code, _, errOut = mosaic(t, "sql", "--state", filepath.Join(dir, "store.duckdb"), q)
		if code != ExitFailed || strings.Contains(errOut, "only reading statements") {
			t.Errorf("read %q: code %d, want %d with DuckDB's error, stderr %q", q, code, ExitFailed, errOut)
		}
	}
	code, out, _ = mosaic(t, "runs", "-p", p, "--format", "csv")
	if code != ExitOK || !strings.Contains(out, "1,succeeded,") {
		t.Errorf("runs: code %d, out %q", code, out)
	}
	if code, _, _ := mosaic(t, "sql", "QUERY"); code != ExitUsage {
		t.Errorf("sql without a store: code %d, want %d", code, ExitUsage)
	}
}

func TestRunFailureExitsOne(t *testing.T) {
	dir := smallDir(t)
	writeFile(t, filepath.Join(dir, "in/b.csv"), "id,ts\nC9,2026-05-01T00:00:00Z\n")
	code, _, errOut := mosaic(t, "run", filepath.Join(dir, "pipeline.yaml"))
	if code != ExitFailed || !strings.Contains(errOut, `header has no column "email"`) || !strings.Contains(errOut, "The store is unchanged") {
		t.Errorf("code %d, stderr %q", code, errOut)
	}
}

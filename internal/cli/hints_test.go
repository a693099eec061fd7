package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHintsNameTheStateGiven: a command given --state PATH names that
// store in every command it suggests, not the pipeline file's state:
// (which may not exist), quoted for the shell.
func TestHintsNameTheStateGiven(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "who are you?", http.StatusUnauthorized)
	}))
	defer srv.Close()
	dir := outputsDir(t, srv.URL)
	pipe := filepath.Join(dir, "pipeline.yaml")
	state := filepath.Join(dir, "other store.duckdb")
	quoted := "'" + state + "'"

	// run: the dropped rows' query, and the sync that completes a failed
	// output.
	code, out, errOut := mosaic(t, "run", pipe, "--state", state)
	if code != ExitFailed {
		t.Fatalf("run: exit %d, want %d (the webhook refuses)\n%s%s", code, ExitFailed, out, errOut)
	}
	m := regexp.MustCompile(`\n  mosaic sql (.*) "(SELECT [^"]*)"\n`).FindStringSubmatch(out)
	if m == nil || m[1] != "--state "+quoted {
		t.Fatalf("the run's summary does not name --state %s in its query of the dropped rows:\n%s", quoted, out)
	}
	if code, got, errOut := mosaic(t, "sql", "--state", state, m[2]); code != ExitOK || !strings.Contains(got, "invalid_timestamp") {
		t.Errorf("the hinted query: exit %d\n%s%s", code, got, errOut)
	}
	if !strings.Contains(errOut, "`mosaic sync "+pipe+" --state "+quoted+"`") {
		t.Errorf("run's failed output does not suggest the sync with --state:\n%s", errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "store.duckdb")); err == nil {
		t.Fatal("the run wrote the pipeline file's store")
	}

	cases := []struct {
		args []string
		want string
	}{
		{[]string{"sync", pipe, "--state", state}, "(see `mosaic outputs --state " + quoted + "`)"},
		{[]string{"forget", "--state", state, "--identity", "email=nobody@x.com"}, "`mosaic profile --state " + quoted + "`"},
		{[]string{"audience", "nope", "--state", state}, "`mosaic audiences --state " + quoted + "` lists them"},
		{[]string{"profile", "--state", state, "--identity", "email=nobody@x.com"}, "\n  mosaic sql --state " + quoted + " \"SELECT"},
	}
	for _, c := range cases {
		code, out, errOut := mosaic(t, c.args...)
		if code != ExitFailed || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want %d and a hint with %q:\n%s%s", c.args, code, ExitFailed, c.want, out, errOut)
		}
	}

	// check: a feed that is not ready, and a file that is not valid.
	writeFile(t, filepath.Join(dir, "in/b.csv"), "id,ts\nC9,2026-05-01T00:00:00Z\n")
	code, out, errOut = mosaic(t, "check", pipe, "--state", state)
	if want := "run `mosaic check " + pipe + " --state " + quoted + "` again"; code != ExitFailed || !strings.Contains(out, want) {
		t.Errorf("check: exit %d, want %d and %q:\n%s%s", code, ExitFailed, want, out, errOut)
	}
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, strings.Replace(smallPipeline, "source_type:", "source_tpye:", 1))
	code, _, errOut = mosaic(t, "check", bad, "--state", state)
	if want := "run `mosaic check " + bad + " --state " + quoted + "` again"; code != ExitUsage || !strings.Contains(errOut, want) {
		t.Errorf("check of an invalid file: exit %d, want %d and %q:\n%s", code, ExitUsage, want, errOut)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"pipelines/quickstart.yaml": "pipelines/quickstart.yaml",
		"/tmp/a b.duckdb":           "'/tmp/a b.duckdb'",
		"it's":                      `'it'\''s'`,
		"":                          "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
	if got, want := shellDoubleQuote("SELECT '$x' \"`\\"), "\"SELECT '\\$x' \\\"\\`\\\\\""; got != want {
		t.Errorf("shellDoubleQuote = %s, want %s", got, want)
	}
}

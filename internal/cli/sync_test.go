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

// outputsDir is smallDir with a files output (mirror, keyed by e-mail)
// and, when hook is set, a webhook output to that URL.
func outputsDir(t *testing.T, hook string) string {
	dir := smallDir(t)
	p := smallPipeline + `outputs:
  - { name: crm, kind: files, path: out, format: csv, send: profiles, key: email, mode: mirror, fields: { email: identity.email, tier: attribute.tier } }
`
	if hook != "" {
		p += "  - { name: hook, kind: webhook, url: " + hook + ", send: profiles, key: mpid, fields: { tier: attribute.tier }, timeout: 1s }\n"
	}
	writeFile(t, filepath.Join(dir, "pipeline.yaml"), p)
	return dir
}

func TestRunSyncsOutputs(t *testing.T) {
	dir := outputsDir(t, "")
	pipe := filepath.Join(dir, "pipeline.yaml")
	if code, out, errs := mosaic(t, "run", pipe, "--no-sync"); code != 0 || strings.Contains(out, "status") {
		t.Fatalf("run --no-sync: exit %d, stdout %q, stderr %s; want a run without a sync line", code, out, errs)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "out", "*")); len(files) != 0 {
		t.Fatalf("run --no-sync wrote %v", files)
	}

	code, out, errs := mosaic(t, "sync", pipe, "--dry-run")
	if code != 0 || !strings.Contains(out, "would add") || !strings.Contains(out, "upsert") {
		t.Fatalf("sync --dry-run: exit %d\n%s%s", code, out, errs)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "out", "*")); len(files) != 0 {
		t.Fatalf("sync --dry-run wrote %v", files)
	}

	if code, out, errs := mosaic(t, "sync", pipe); code != 0 || !strings.Contains(out, "succeeded") {
		t.Fatalf("sync: exit %d\n%s%s", code, out, errs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "out", "*.csv"))
	if len(files) != 1 {
		t.Fatalf("sync wrote %v, want one file", files)
	}
	data, _ := os.ReadFile(files[0])
	if !strings.HasPrefix(string(data), "op,key,email,tier\n") {
		t.Errorf("the file starts %q", data)
	}
	code, out, _ = mosaic(t, "outputs", "-p", pipe, "--format", "csv")
	if code != 0 || !strings.Contains(out, "crm,succeeded,") {
		t.Errorf("outputs: exit %d\n%s", code, out)
	}
	if code, _, errs := mosaic(t, "sync", pipe, "--output", "nope"); code != 1 || !strings.Contains(errs, `no output named "nope"`) || !strings.Contains(errs, "(it has: crm)") {
		t.Errorf("sync --output nope: exit %d, %s", code, errs)
	}
}

// TestRunWithFailingOutput: the run commits, the output fails, and mosaic
// run says so and exits 1; the other output is delivered.
func TestRunWithFailingOutput(t *testing.T) {
	// A receiver that refuses every request as unauthorised (not retried).
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "who are you?", http.StatusUnauthorized)
	}))
	defer srv.Close()
	dir := outputsDir(t, srv.URL)
	code, out, errs := mosaic(t, "run", filepath.Join(dir, "pipeline.yaml"))
	if code != 1 || !strings.Contains(errs, "committed") || !strings.Contains(errs, "output hook") || !strings.Contains(errs, "sent again at the next run") {
		t.Fatalf("run: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if !regexp.MustCompile(`crm +files +succeeded`).MatchString(out) || !regexp.MustCompile(`hook +webhook +failed`).MatchString(out) {
		t.Errorf("the summary does not show the outputs: %s", out)
	}
	code, out, _ = mosaic(t, "sql", "--state", filepath.Join(dir, "store.duckdb"), "--format", "csv",
		"SELECT (SELECT count(*) FROM runs WHERE status = 'succeeded') AS runs, (SELECT count(*) FROM output_failures WHERE output = 'hook') AS failures")
	if code != 0 || !strings.Contains(out, "1,") || strings.Contains(out, ",0\n") {
		t.Errorf("after the run: %s (want the run committed and the failed records recorded)", out)
	}
	// The next sync tries them again: their attempts count both syncs.
	if code, _, _ := mosaic(t, "sync", filepath.Join(dir, "pipeline.yaml"), "--output", "hook"); code != 1 {
		t.Errorf("sync of the refused output: exit %d, want 1", code)
	}
	_, out, _ = mosaic(t, "sql", "--state", filepath.Join(dir, "store.duckdb"), "--format", "csv",
		"SELECT count(*), max(attempts) FROM output_failures WHERE output = 'hook'")
	if !strings.Contains(out, "\n4,2\n") {
		t.Errorf("failures after two syncs: %q, want 4 rows, the latest at attempt 2", out)
	}
}

package cli

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hookSecret is a Standard Webhooks secret (24 bytes).
const hookSecret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"

// TestOutputSecretsAreCheckedUpFront: an output whose signing secret is
// unset or malformed is reported, at the key naming its variable and
// without its value, by validate, check, run (refused before it stages
// anything), sync (refused) and sync --dry-run (its counts, then the
// problem), each exiting 1; schedule refuses to start. validate --no-env
// and run --no-sync need no secret.
func TestOutputSecretsAreCheckedUpFront(t *testing.T) {
	var hits int
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer hook.Close()
	dir := smallDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	writeFile(t, p, smallPipeline+`schedule: "@hourly"
outputs:
  - name: hook
    kind: webhook
    url: `+hook.URL+`
    secret_env: MOSAIC_TEST_CLI_HOOK_SECRET
    send: profiles
    key: email
    fields: { tier: attribute.tier }
`)
	runs := 0 // committed by run --no-sync
	where := p + ":16:17: outputs[0].secret_env: environment variable MOSAIC_TEST_CLI_HOOK_SECRET "
	for _, c := range []struct{ secret, problem string }{
		{"", where + "is not set, and output hook cannot sync without it: set it to whsec_<base64>, the webhook's signing secret, e.g. `export MOSAIC_TEST_CLI_HOOK_SECRET=...`"},
		{"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", where + "is set, but output hook cannot sync with it: not a Standard Webhooks secret: it must start with whsec_"},
		{"whsec_not-base64!", where + "is set, but output hook cannot sync with it: not a Standard Webhooks secret: the part after whsec_ is not base64"},
	} {
		t.Setenv("MOSAIC_TEST_CLI_HOOK_SECRET", c.secret)
		for _, args := range [][]string{{"run", p}, {"validate", p}, {"check", p}, {"sync", p, "--dry-run"}, {"sync", p}, {"schedule", p}} {
			var code int
			var out, errOut string
			if args[0] == "schedule" { // a child: one that starts is stopped
				code, errOut = mosaicChild(t, args...)
			} else {
				code, out, errOut = mosaic(t, args...)
			}
			if code != ExitFailed || !strings.Contains(out+errOut, c.problem) || (c.secret != "" && strings.Contains(out+errOut, c.secret)) {
				t.Errorf("secret %q: %v: exit %d\n%s%s\nwant exit 1 and the problem\n%s", c.secret, args, code, out, errOut, c.problem)
			}
			if args[0] == "run" {
				if _, err := os.Stat(filepath.Join(dir, "store.duckdb")); runs == 0 && !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("a refused run made the store (%v)", err)
				}
				if _, out, _ := mosaic(t, "sql", "-p", p, "--format", "csv", "SELECT count(*) FROM runs"); runs > 0 && out != "count_star()\n"+strconv.Itoa(runs)+"\n" {
					t.Fatalf("a refused run was recorded: %q, want %d runs", out, runs)
				}
				if !strings.Contains(errOut, "refused before reading anything") || !strings.Contains(errOut, "mosaic run --no-sync "+p) {
					t.Errorf("the refused run does not say what to do:\n%s", errOut)
				}
				// The store exists from here on: sync has something to read.
				if code, _, errOut := mosaic(t, "run", p, "--no-sync"); code != ExitOK {
					t.Fatalf("run --no-sync: %d %s", code, errOut)
				}
				runs++
			}
		}
		if _, out, _ := mosaic(t, "sync", p, "--dry-run"); !strings.Contains(out, "would add") {
			t.Errorf("the dry run shows no counts:\n%s", out)
		}
		if _, out, _ := mosaic(t, "check", p); !strings.Contains(out, "\n1 feed ready; 1 of 1 output not ready: fix the problems above and run `mosaic check "+p+"` again\n") {
			t.Errorf("check does not sum the outputs up:\n%s", out)
		}
		if code, _, errOut := mosaic(t, "validate", "--no-env", p); code != ExitOK {
			t.Errorf("validate --no-env: %d %s", code, errOut)
		}
		if hits != 0 {
			t.Fatalf("the webhook was called %d times", hits)
		}
	}
	t.Setenv("MOSAIC_TEST_CLI_HOOK_SECRET", hookSecret)
	for _, args := range [][]string{{"validate", p}, {"check", p}, {"sync", p, "--dry-run"}, {"run", p}} {
		if code, out, errOut := mosaic(t, args...); code != ExitOK {
			t.Errorf("with the secret: %v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	if hits == 0 {
		t.Error("the run with the secret sent nothing")
	}
}

// mosaicChild runs mosaic in a child process (this test binary, see
// TestMain) with this process's environment, stopped after a minute (a
// command that should have refused to start and did not), and returns its
// exit code and output.
func mosaicChild(t *testing.T, args ...string) (int, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), "MOSAIC_CLI_SUBPROCESS=1")
	out, _ := cmd.CombinedOutput()
	return cmd.ProcessState.ExitCode(), string(out)
}

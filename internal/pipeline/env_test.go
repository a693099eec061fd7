package pipeline

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

var update = flag.Bool("update", false, "rewrite the want.txt of the cases under testdata/env (then check them by hand)")

// TestEnvCases runs the cases of testdata/env/: each folder holds a
// pipeline.yaml whose feeds and outputs read variables named TESTENV_*
// (the cases of feeds are named feed_*), an env file of NAME=VALUE lines
// (every other TESTENV_ variable is unset), and want.txt, the exact
// problems CheckEnv must find ("" for none), which say whether they are
// of feeds or of outputs. No problem may show a value. A new case is a
// new folder; `go test -run TestEnvCases -update` writes its want.txt, to
// check by hand.
func TestEnvCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/env/*")
	if err != nil || len(dirs) < 20 {
		t.Fatalf("testdata/env holds %d cases (%v)", len(dirs), err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "pipeline.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			p, err := config.Parse("pipeline.yaml", src)
			if err != nil {
				t.Fatal(err)
			}
			values := setTestEnv(t, filepath.Join(dir, "env"))
			got := ""
			err = CheckEnv(p, builtin.Registry(), true)
			var ee *EnvError
			switch {
			case err == nil:
			case !errors.As(err, &ee):
				t.Fatalf("CheckEnv returned %T, want an *EnvError: %v", err, err)
			case errors.Is(err, config.ErrInvalid):
				t.Errorf("errors.Is(%v, config.ErrInvalid): the file is valid", err)
			default:
				got = err.Error() + "\n"
				feeds, outputs := false, false
				for _, e := range ee.Problems {
					feeds = feeds || strings.HasPrefix(e.Msg, "feeds[")
					outputs = outputs || strings.HasPrefix(e.Msg, "outputs[")
				}
				if ee.Feeds != feeds || ee.Outputs != outputs {
					t.Errorf("EnvError says feeds %v, outputs %v; its problems are of feeds %v, of outputs %v", ee.Feeds, ee.Outputs, feeds, outputs)
				}
			}
			for _, v := range values {
				if len(v) >= 4 && strings.Contains(got, v) {
					t.Errorf("a problem shows the value %q:\n%s", v, got)
				}
			}
			wantFile := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run with -update to write it, then check it by hand)", err)
			}
			if got != string(want) {
				t.Errorf("CheckEnv\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

// setTestEnv unsets every TESTENV_ variable, then sets those of the file
// (NAME=VALUE lines; a missing file sets none) for the test, and returns
// their values.
func setTestEnv(t *testing.T, file string) []string {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TESTENV_") {
			t.Setenv(name, "")
		}
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
		name, value, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(name, "TESTENV_") {
			t.Fatalf("%s: %q is not TESTENV_NAME=VALUE", file, line)
		}
		t.Setenv(name, strings.ReplaceAll(value, `\n`, "\n"))
		values = append(values, value)
	}
	return values
}

// TestCheckOutputEnvOnly: given an output's name, only that output is
// checked (`mosaic sync --output NAME`).
func TestCheckOutputEnvOnly(t *testing.T) {
	src, err := os.ReadFile("testdata/env/outputs_in_file_order/pipeline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := config.Parse("pipeline.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	setTestEnv(t, "")
	if err := CheckOutputEnv(p, builtin.Registry(), "export"); err != nil {
		t.Errorf("the files output alone: %v", err)
	}
	err = CheckOutputEnv(p, builtin.Registry(), "meta")
	if err == nil || strings.Contains(err.Error(), "TESTENV_HOOK") || !strings.Contains(err.Error(), "TESTENV_META_TOKEN") {
		t.Errorf("the meta output alone: %v", err)
	}
}

// TestRunRefusesOutputsThatCannotSync: a run whose output's secret is
// unset or malformed is refused before it stages anything (no store, no
// run record); --no-sync and a dry run need no secret.
func TestRunRefusesOutputsThatCannotSync(t *testing.T) {
	p := crmWithOutputs(t, `  - name: hook
    kind: webhook
    url: http://127.0.0.1:9/hook
    secret_env: TESTENV_RUN_SECRET
    send: profiles
    key: customerid
    fields: { email: identity.email }
`)
	r := &Runner{Registry: builtin.Registry()}
	for _, secret := range []string{"", "not-whsec", "whsec_not base64!"} {
		t.Setenv("TESTENV_RUN_SECRET", secret)
		res, err := r.Run(context.Background(), p, Options{})
		var ee *EnvError
		if !errors.As(err, &ee) || res != nil || !strings.Contains(err.Error(), "pipeline.yaml:13:17: outputs[0].secret_env: environment variable TESTENV_RUN_SECRET ") {
			t.Fatalf("secret %q: run = %v, %v; want it refused naming the variable", secret, res, err)
		}
		if secret != "" && strings.Contains(err.Error(), secret) {
			t.Errorf("the refusal shows the secret: %v", err)
		}
		if _, err := os.Stat(p.State); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a refused run made the store (%v)", err)
		}
	}
	if res := run(t, p, Options{DryRun: true}); res.Run.Status != StatusDryRun {
		t.Errorf("dry run: %s", res.Run.Status)
	}
	if res := run(t, p, Options{NoSync: true}); res.Run.ID != 1 || len(res.Outputs) != 0 {
		t.Errorf("--no-sync: run %d, outputs %v", res.Run.ID, res.Outputs)
	}
}

// TestCheckReportsOutputs: `mosaic check` reports, per output, what it
// reads from the environment; an output that cannot sync makes the
// pipeline not ready.
func TestCheckReportsOutputs(t *testing.T) {
	p := crmWithOutputs(t, `  - name: export
    kind: files
    path: exports
    send: profiles
    key: customerid
    fields: { email: identity.email }
  - name: hook
    kind: webhook
    url: http://127.0.0.1:9/hook
    secret_env: TESTENV_CHECK_SECRET
    send: profiles
    key: customerid
    fields: { email: identity.email }
`)
	t.Setenv("TESTENV_CHECK_SECRET", "")
	rep, err := Check(context.Background(), p, builtin.Registry(), CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Outputs) != 2 || rep.Ready() {
		t.Fatalf("outputs %+v, ready %v; want two, not ready", rep.Outputs, rep.Ready())
	}
	if o := rep.Outputs[0]; o.Output != "export" || o.Checked || !o.Ready() {
		t.Errorf("the files output: %+v; want ready, nothing to check", o)
	}
	want := "pipeline.yaml:19:17: outputs[1].secret_env: environment variable TESTENV_CHECK_SECRET is not set"
	if o := rep.Outputs[1]; o.Output != "hook" || !o.Checked || len(o.Problems) != 1 || !strings.Contains(o.Problems[0], want) || !strings.HasSuffix(o.Position, "pipeline.yaml:16:5") {
		t.Errorf("the webhook output: %+v; want its problem …%s…", o, want)
	}
	t.Setenv("TESTENV_CHECK_SECRET", "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0")
	if rep, err := Check(context.Background(), p, builtin.Registry(), CheckOptions{}); err != nil || !rep.Ready() {
		t.Errorf("with the secret set: %+v, %v; want ready", rep, err)
	}
}

// crmWithOutputs loads a pipeline of one CSV feed, crm, in a temp dir,
// with outputs (YAML list items) as its outputs: block, which starts at
// the file's line 10.
func crmWithOutputs(t *testing.T, outputs string) *config.Pipeline {
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
outputs:
`+outputs)
}

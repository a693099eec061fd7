package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestValidateExplain: `mosaic validate --explain` prints exactly each
// audience golden case's want/explain.sql.
func TestValidateExplain(t *testing.T) {
	cases, _ := filepath.Glob("../../testdata/audiences/*/pipeline.yaml")
	if len(cases) == 0 {
		t.Fatal("no audience golden cases")
	}
	for _, c := range cases {
		want := filepath.Join(filepath.Dir(c), "want", "explain.sql")
		wantText, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		// The files source wants its files there: give it run 1's.
		dir := t.TempDir()
		// A case whose pipeline changes between runs explains its last one.
		if later, _ := filepath.Glob(filepath.Join(filepath.Dir(c), "inputs", "run*", "pipeline.yaml")); len(later) > 0 {
			c = later[len(later)-1]
		}
		src, _ := os.ReadFile(c)
		writeFile(t, filepath.Join(dir, "pipeline.yaml"), string(src))
		inputs, _ := filepath.Glob(filepath.Join(filepath.Dir(want), "..", "inputs", "run1", "*", "*"))
		for _, f := range inputs {
			b, _ := os.ReadFile(f)
			writeFile(t, filepath.Join(dir, "data", filepath.Base(filepath.Dir(f)), filepath.Base(f)), string(b))
		}
		code, out, errOut := mosaic(t, "validate", "--explain", filepath.Join(dir, "pipeline.yaml"))
		if code != ExitOK {
			t.Fatalf("%s: code %d: %s", c, code, errOut)
		}
		if diff := cmp.Diff(string(wantText), out); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c, diff)
		}
	}
}

func TestValidateRefusesAWritingSQLCriterion(t *testing.T) {
	dir := smallDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	writeFile(t, p, smallPipeline+"audiences:\n  - { name: a, criteria: { sql: \"DELETE FROM _mosaic.profiles\" } }\n")
	code, _, errOut := mosaic(t, "validate", p)
	want := p + ":12:33: audiences[0].criteria.sql: the query may only read: write one SELECT returning a column mpid\n"
	if code != ExitUsage || !strings.HasPrefix(errOut, want) {
		t.Errorf("code %d, stderr %q, want %q first", code, errOut, want)
	}
}

func TestAudiencesCommands(t *testing.T) {
	dir := smallDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	writeFile(t, p, smallPipeline+`audiences:
  - { name: gold, criteria: { attribute: { key: tier, op: eq, value: gold } } }
  - { name: has_email, criteria: { identity: { type: email } } }
  - { name: never, criteria: { identity: { type: mobile_number } } }
`)
	code, out, errOut := mosaic(t, "run", p, "--now", "2026-06-01T00:00:00Z")
	if code != ExitOK {
		t.Fatalf("run: code %d: %s", code, errOut)
	}
	for _, want := range []string{" audience  members  entered  exited", "     gold        1        1       0", "has_email        2        2       0"} {
		if !strings.Contains(out, want) {
			t.Errorf("run summary lacks %q:\n%s", want, out)
		}
	}
	// Run 2: C2 becomes gold.
	writeFile(t, filepath.Join(dir, "in/b.csv"), "id,email,tier,ts\nC2,b@x.com,gold,2026-06-01T12:00:00Z\n")
	if code, _, errOut := mosaic(t, "run", p, "--now", "2026-06-02T00:00:00Z"); code != ExitOK {
		t.Fatalf("run 2: code %d: %s", code, errOut)
	}
	code, out, errOut = mosaic(t, "audiences", "-p", p, "--format", "csv")
	want := "audience,members,last_change,entered,exited\n" +
		"gold,2,2026-06-02T00:00:00Z,1,0\n" +
		"has_email,2,2026-06-01T00:00:00Z,2,0\n" +
		"never,0,,0,0\n"
	if code != ExitOK || out != want {
		t.Errorf("audiences: code %d, stderr %q\n%s", code, errOut, cmp.Diff(want, out))
	}
	code, out, errOut = mosaic(t, "audience", "gold", "--state", filepath.Join(dir, "store.duckdb"), "--format", "csv")
	want = "changed_at,entered,exited,members\n2026-06-01T00:00:00Z,1,0,1\n2026-06-02T00:00:00Z,1,0,2\n"
	if code != ExitOK || out != want {
		t.Errorf("audience gold: code %d, stderr %q\n%s", code, errOut, cmp.Diff(want, out))
	}
	code, out, _ = mosaic(t, "audience", "gold", "-p", p, "--members", "--format", "csv")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != ExitOK || len(lines) != 3 || lines[0] != "mpid,entered_at" {
		t.Errorf("audience gold --members: code %d\n%s", code, out)
	}
	code, _, errOut = mosaic(t, "audience", "golld", "-p", p)
	if code != ExitFailed || !strings.Contains(errOut, `no audience "golld" in the store`) {
		t.Errorf("unknown audience: code %d, stderr %q", code, errOut)
	}
}

package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestIdentityFlagFollowsThePipelinesRules: `--identity` normalises its
// value as the pipeline's staging does: a pipeline that keeps e-mail
// case-sensitive stores Ada@X.com as written, and profile and forget find
// it so, where lower-casing it would miss.
func TestIdentityFlagFollowsThePipelinesRules(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.yaml")
	writeFile(t, p, strings.Replace(smallPipeline, "state: ./store.duckdb\n", "state: ./store.duckdb\nidentity: { case_sensitive: [email] }\n", 1))
	writeFile(t, filepath.Join(dir, "in/a.csv"), "id,email,tier,ts\nC1,Ada@X.com,gold,2026-05-01T00:00:00Z\n")
	if code, out, errOut := mosaic(t, "run", p); code != ExitOK {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := mosaic(t, "profile", "-p", p, "--identity", " email=Ada@X.com "); code != ExitOK || !strings.Contains(out, "Ada@X.com") {
		t.Errorf("profile: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := mosaic(t, "forget", "-p", p, "--identity", "email=Ada@X.com"); code != ExitOK || !strings.Contains(out, "erased profile") {
		t.Errorf("forget: exit %d\n%s%s", code, out, errOut)
	}
}

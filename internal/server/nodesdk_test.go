package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// nodeSDK installs mParticle's official Node SDK (npm `mparticle`, the
// version package-lock.json pins) into a cache folder once per lock file,
// and returns the folder holding send.js. Without node or npm the test is
// skipped, unless MOSAIC_REQUIRE_NODE=1 (CI) makes that a failure.
func nodeSDK(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("MOSAIC_REQUIRE_NODE") == "1" {
				t.Fatalf("%s is not installed (MOSAIC_REQUIRE_NODE=1)", tool)
			}
			t.Skipf("%s is not installed: the Node SDK test needs Node.js and npm", tool)
		}
	}
	lock, err := os.ReadFile("testdata/nodesdk/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "mosaic-test", "nodesdk-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"package.json", "package-lock.json", "send.js"} {
		b, err := os.ReadFile(filepath.Join("testdata/nodesdk", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules/mparticle/package.json")); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci (installs the mparticle package from the npm registry): %v\n%s", err, out)
		}
	}
	return dir
}

// TestNodeSDKSendsToEventsAPI: mParticle's own Node SDK sends a batch and
// a bulk request to the Events API (202, as mParticle answers) and gets
// the 400 of an invalid batch; after the next run the batches are
// profiles, read back through the Profile API.
func TestNodeSDKSendsToEventsAPI(t *testing.T) {
	dir := nodeSDK(t)
	s := start(t)
	cmd := exec.Command("node", "send.js", s.url+"/v2", "k1", "s1")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node send.js: %v\n%s", err, out)
	}
	type result struct {
		Call   string
		Status int
		Error  *string
		Body   string
	}
	got := map[string]result{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("send.js printed %q: %v", line, err)
		}
		got[r.Call] = r
	}
	for _, call := range []string{"single", "bulk"} {
		if r := got[call]; r.Status != http.StatusAccepted || r.Error != nil {
			t.Errorf("%s: status %d, error %v, body %q; want 202 and no error", call, r.Status, r.Error, r.Body)
		}
	}
	if r := got["invalid"]; r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "invalid_environment") {
		t.Errorf("invalid: status %d, body %q; want 400 naming invalid_environment", r.Status, r.Body)
	}
	s.runOnce()
	tok := s.token()
	for id, plan := range map[string]string{"node-1": "gold", "node-2": "silver", "node-3": "bronze"} {
		code, p, text := s.profile("POST", "/userprofile/v1/resolve/1/2/3", resolveBody("customer_id", id), tok)
		if code != http.StatusOK || p.UserAttributes["plan"] != plan || fmt.Sprint(p.UserAttributes["signups"]) != "1" {
			t.Errorf("%s: %d %s; want plan %s and one signup", id, code, text, plan)
		}
	}
	if code, _, _ := s.profile("POST", "/userprofile/v1/resolve/1/2/3", resolveBody("customer_id", "node-4"), tok); code != http.StatusNotFound {
		t.Errorf("the refused batch made a profile: %d", code)
	}
}

package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestProfile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pipeline.yaml")
	writeFile(t, p, `version: 1
name: prof
state: ./store.duckdb
feeds:
  - name: web
    source: { kind: files, path: web.csv }
    source_type: sdk
    timestamp: ts
    identities: { cookie: device_application_stamp, email: email }
`)
	// The cookie's profile merges into the email's on the third row.
	writeFile(t, filepath.Join(dir, "web.csv"), "cookie,email,ts\nck1,,2026-05-01T10:00:00Z\n,ada@x.com,2026-05-01T10:30:00Z\nck1,ada@x.com,2026-05-01T11:00:00Z\n")
	if code, out, errOut := mosaic(t, "run", p); code != ExitOK || !strings.Contains(out, "profiles: 2 created, 0 updated, 1 merged as aliases; 3 identities added") {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	const survivor, alias = "7288472099346865731", "8848350173023852121" // seeds of email=ada@x.com and the cookie ck1
	code, out, errOut := mosaic(t, "profile", "-p", p, "--identity", "email= Ada@X.com ")
	if code != ExitOK || !strings.Contains(out, "profile "+survivor) || !strings.Contains(out, "device_application_stamp  ck1") ||
		!strings.Contains(out, alias+" merged 2026-05-01T11:00:00Z in run 1") {
		t.Errorf("by identity: code %d\n%s%s", code, out, errOut)
	}
	code, out, _ = mosaic(t, "profile", "-p", p, "--mpid", alias, "--format", "json")
	var got profileJSON
	if code != ExitOK || json.Unmarshal([]byte(out), &got) != nil || got.Requested == 0 || !strings.Contains(string(got.Aliases), alias) {
		t.Errorf("by alias, json: code %d\n%s", code, out)
	}
	if code, _, errOut := mosaic(t, "profile", "-p", p, "--identity", "email=nobody@x.com"); code != ExitFailed || !strings.Contains(errOut, "no such profile") {
		t.Errorf("unknown: code %d, %q", code, errOut)
	}
	for _, args := range [][]string{{"--mpid", "1", "--identity", "email=a"}, {}, {"--identity", "emial=a@x.com"}} {
		if code, _, _ := mosaic(t, append([]string{"profile", "-p", p}, args...)...); code != ExitUsage {
			t.Errorf("profile %v: code %d, want %d", args, code, ExitUsage)
		}
	}
}

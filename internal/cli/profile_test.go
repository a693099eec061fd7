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
	for _, args := range [][]string{{"--mpid", "1", "--identity", "email=a"}, {}, {"--identity", "emial=a@x.com"}, {"--mpid", alias, "--format", "csv"}} {
		if code, _, _ := mosaic(t, append([]string{"profile", "-p", p}, args...)...); code != ExitUsage {
			t.Errorf("profile %v: code %d, want %d", args, code, ExitUsage)
		}
	}
}

// TestProfileNotFound: a value no profile holds is named, with the values
// of its type that differ from it only in case, else with a query that
// finds values containing it, naming the store as the command did.
func TestProfileNotFound(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pipeline.yaml")
	writeFile(t, p, `version: 1
name: prof
state: ./store.duckdb
feeds:
  - name: crm
    source: { kind: files, path: crm.csv }
    source_type: warehouse
    timestamp: ts
    identities: { id: customerid }
`)
	writeFile(t, filepath.Join(dir, "crm.csv"), "id,ts\nC001,2026-05-01T10:00:00Z\nAb1,2026-05-01T10:00:00Z\naB1,2026-05-01T10:00:00Z\n")
	if code, out, errOut := mosaic(t, "run", p); code != ExitOK {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	store := filepath.Join(dir, "store.duckdb")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-p", p, "--identity", "customerid=C001x"}, "no profile has customerid=C001x; identity values match exactly as stored (e-mails in lower case). Look for values that contain it with:\n" +
			"  mosaic sql -p " + p + ` "SELECT mpid, identity_type, identity_value FROM profile_identities WHERE identity_value ILIKE '%C001x%'"` + "\n"},
		{[]string{"--state", store, "--identity", "customerid=it's"}, "\n  mosaic sql --state " + store + ` "SELECT mpid, identity_type, identity_value FROM profile_identities WHERE identity_value ILIKE '%it''s%'"` + "\n"},
		{[]string{"-p", p, "--identity", "customerid=c001"}, "no profile has customerid=c001; did you mean customerid=C001? (identity values match exactly as stored)\n"},
		{[]string{"-p", p, "--identity", "customerid=ab1"}, "no profile has customerid=ab1; did you mean customerid=Ab1 or customerid=aB1?"},
		{[]string{"-p", p, "--identity", "customerid= C001 "}, ""},
		{[]string{"-p", p, "--identity", "customerid=aB1"}, ""},
		{[]string{"-p", p, "--identity", "customerid=C00l"}, "Look for values"},
		{[]string{"-p", p, "--identity", "customerid=C00I", "--explain"}, "no profile has customerid=C00I;"},
		{[]string{"-p", p, "--mpid", "12"}, "no profile has MPID 12, nor is it an alias of one\n"},
	}
	for _, c := range cases {
		code, out, errOut := mosaic(t, append([]string{"profile"}, c.args...)...)
		if c.want == "" {
			if code != ExitOK {
				t.Errorf("profile %v: code %d\n%s%s", c.args, code, out, errOut)
			}
			continue
		}
		if code != ExitFailed || !strings.Contains(errOut, c.want) {
			t.Errorf("profile %v: code %d, want %d and stderr with\n%s\ngot\n%s", c.args, code, ExitFailed, c.want, errOut)
		}
	}
}

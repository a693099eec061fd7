package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// erasurePipeline serves the Profile API (and with it erasure requests)
// over a CSV feed, and delivers its profiles to a files output.
const erasurePipeline = `version: 1
name: erased
state: ./store.duckdb
identity: { priority: [customerid, email], unique: [customerid] }
feeds:
  - name: crm
    source: { kind: files, path: in/*.csv }
    source_type: warehouse
    timestamp: ts
    identities: { id: customerid, email: email }
    attributes: { tier: tier }
audiences:
  - { name: gold, criteria: { attribute: { key: tier, op: eq, value: gold } } }
outputs:
  - { name: export, kind: files, path: ./exports, format: csv, send: profiles, key: email, fields: { email: identity.email, tier: attribute.tier } }
serve:
  profile_api: { client_id_env: ERASE_TEST_ID, client_secret_env: ERASE_TEST_SECRET, resolve: [customerid, email] }
`

// TestErasureThroughServeAsForget: a profile erased through mosaic
// serve's route, while it serves, leaves the store exactly as `mosaic
// forget --block` leaves a copy of it, and reports the same result;
// forget itself, refused while the server holds the store, names the
// route.
func TestErasureThroughServeAsForget(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "pipeline.yaml"), erasurePipeline)
	// Ada's second row is dropped (no timestamp) and names her; so is one
	// of Bob's, whose tier is her customer ID by chance: a number in a
	// field that holds no identity names no one, and it stays (forget
	// tells the fields apart by the pipeline).
	writeFile(t, filepath.Join(dir, "in/a.csv"), "id,email,tier,ts\n1001,ada@x.com,gold,2026-05-01T00:00:00Z\n"+
		"1002,bob@x.com,silver,2026-05-02T00:00:00Z\n1001,ada@x.com,gold,never\n1002,bob@x.com,1001,never\n1003,cy@x.com,gold,2026-05-03T00:00:00Z\n")
	if code, out, errOut := mosaic(t, "run", filepath.Join(dir, "pipeline.yaml")); code != ExitOK {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	// The copy, for forget.
	copyDir := t.TempDir()
	if err := os.CopyFS(copyDir, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}

	child, url, log := startServe(t, filepath.Join(dir, "pipeline.yaml"), "ERASE_TEST_ID=cid", "ERASE_TEST_SECRET=cs")
	if code, _, errOut := mosaic(t, "forget", "-p", filepath.Join(dir, "pipeline.yaml"), "--identity", "email=ada@x.com"); code != ExitFailed ||
		!strings.Contains(errOut, "send the erasure to it instead (with a Profile API token): POST "+url+"/opendsr/v3/requests") {
		t.Errorf("forget while serving: %d %s; want it refused, naming the route", code, errOut)
	}
	token := serveToken(t, url)
	const id = "a7551968-d5d6-44b2-9831-815ac9017798"
	code, text := serveRequest(t, "POST", url+"/opendsr/v3/requests", token, `{"regulation": "gdpr", "subject_request_id": "`+id+`",
		"subject_request_type": "erasure", "submitted_time": "2026-06-01T15:00:00Z",
		"subject_identities": {"email": {"value": "Ada@x.com", "encoding": "raw"}}, "extensions": {"mosaic": {"block": true}}}`)
	if code != http.StatusCreated {
		t.Fatalf("erasure request: %d %s", code, text)
	}
	var status struct {
		RequestStatus string `json:"request_status"`
		Extensions    struct {
			Mosaic struct {
				Identities []struct {
					Status   string
					ForgetID int64 `json:"forget_id"`
					Profiles int64
					Owing    int64 `json:"outputs"`
				}
			}
		}
	}
	for deadline := time.Now().Add(60 * time.Second); status.RequestStatus != "completed"; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not completed within 60s: %s\nserver log:\n%s", text, log)
		}
		_, text = serveRequest(t, "GET", url+"/opendsr/v3/requests/"+id, token, "")
		if err := json.Unmarshal([]byte(text), &status); err != nil {
			t.Fatalf("%v in %s", err, text)
		}
	}
	child.Process.Signal(syscall.SIGTERM)
	if err := child.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, log)
	}

	code, out, errOut := mosaic(t, "forget", "-p", filepath.Join(copyDir, "pipeline.yaml"), "--identity", "email=ada@x.com",
		"--reason", "gdpr erasure request "+id, "--block")
	if code != ExitOK {
		t.Fatalf("forget on the copy: %d\n%s\n%s", code, out, errOut)
	}
	got := status.Extensions.Mosaic.Identities
	want := fmt.Sprintf("forget request %d: erased profile", got[0].ForgetID)
	if len(got) != 1 || got[0].Status != "erased" || !strings.HasPrefix(out, want) || !strings.Contains(out, "merged into it; its identities are blocked") ||
		!strings.Contains(out, fmt.Sprintf("outputs holding its records: %d;", got[0].Owing)) || got[0].Owing != 1 || got[0].Profiles != 1 {
		t.Errorf("through the server: %+v\nforget on the copy: %s", got, out)
	}

	served, forgot := everyTable(t, filepath.Join(dir, "store.duckdb")), everyTable(t, filepath.Join(copyDir, "store.duckdb"))
	if n := len(served["_mosaic.erasure_identities"]); n != 1 || strings.Contains(served["_mosaic.erasure_identities"][0], "ada") {
		t.Errorf("the request's identities: %v; want one, without its value", served["_mosaic.erasure_identities"])
	}
	delete(served, "_mosaic.erasure_requests")
	delete(served, "_mosaic.erasure_identities")
	at := regexp.MustCompile(`"requested_at":"[^"]*"`)
	for _, tables := range []map[string][]string{served, forgot} {
		for table, rows := range tables {
			for i, r := range rows {
				rows[i] = at.ReplaceAllString(r, `"requested_at":"…"`)
			}
			tables[table] = rows
		}
	}
	if d := cmp.Diff(forgot, served); d != "" {
		t.Errorf("the store erased through the server differs from forget's copy (-forget +server):\n%s", d)
	}
	if !strings.Contains(strings.Join(served["_mosaic.forget_requests"], ""), `"blocked":true`) {
		t.Errorf("forget_requests: %v, want the request blocked", served["_mosaic.forget_requests"])
	}
}

// serveToken gets a Profile API token for the client ERASE_TEST_ID.
func serveToken(t *testing.T, url string) string {
	t.Helper()
	code, text := serveRequest(t, "POST", url+"/oauth/token", "", `{"client_id": "cid", "client_secret": "cs", "grant_type": "client_credentials"}`)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(text), &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %s", code, text)
	}
	return tok.AccessToken
}

// serveRequest sends a JSON request, with a bearer token unless empty.
func serveRequest(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

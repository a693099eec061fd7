package cli

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/google/googletest"
)

// googleDir is smallDir with a gold audience kept in step with srv's
// Customer Match list.
func googleDir(t *testing.T, srv *googletest.Server) string {
	dir := smallDir(t)
	writeFile(t, filepath.Join(dir, "pipeline.yaml"), smallPipeline+`audiences:
  - { name: gold, criteria: { attribute: { key: tier, op: eq, value: gold } } }
outputs:
  - name: google
    kind: google_customer_match
    send: audience
    audience: gold
    identities: [email]
    audience_id: "`+srv.Audience+`"
    account_id: "`+srv.Account+`"
    credentials_env: MOSAIC_TEST_GOOGLE_CREDENTIALS
    endpoint: `+srv.URL+`
    token_url: `+srv.TokenURL()+`
`)
	return dir
}

func hashedEmail(t *testing.T, email string) string {
	h, err := adnorm.Google("email", email)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestSyncDryRunChecksWithGoogle: on `mosaic sync --dry-run` a
// google_customer_match output's would-be requests go with validateOnly;
// the dry run reports the records Google would refuse, and neither the
// list nor the store changes. A real sync then refuses those records.
// Without credentials the dry run reports its counts, says which variable
// to set and exits 1; the sync is refused.
func TestSyncDryRunChecksWithGoogle(t *testing.T) {
	srv := googletest.New(t)
	srv.Audience, srv.Account = "8457012345", "1234567890"
	srv.ClientID, srv.ClientSecret, srv.RefreshToken = "client-1", "GOCSPX-test-secret", "1//refresh-TOKEN-test"
	creds, _ := json.Marshal(map[string]string{"type": "authorized_user", "client_id": srv.ClientID, "client_secret": srv.ClientSecret, "refresh_token": srv.RefreshToken})
	t.Setenv("MOSAIC_TEST_GOOGLE_CREDENTIALS", string(creds))
	dir := googleDir(t, srv)
	p, state := filepath.Join(dir, "pipeline.yaml"), filepath.Join(dir, "store.duckdb")
	if code, out, errOut := mosaic(t, "run", p); code != ExitOK {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	a, b, e := "email:"+hashedEmail(t, "a@x.com"), "email:"+hashedEmail(t, "b@x.com"), hashedEmail(t, "e@x.com")
	if got := srv.Members(); !slices.Equal(got, []string{a}) {
		t.Fatalf("after the first run the list holds %v, want C1's e-mail", got)
	}
	// C1 leaves gold (a remove), C2 and C4 enter (two adds); Google
	// refuses C4's e-mail.
	writeFile(t, filepath.Join(dir, "in/b.csv"), "id,email,tier,ts\nC1,a@x.com,silver,2026-06-01T00:00:00Z\nC2,b@x.com,gold,2026-06-01T00:00:00Z\nC4,e@x.com,gold,2026-06-01T00:00:00Z\n")
	if code, _, errOut := mosaic(t, "run", p, "--no-sync"); code != ExitOK {
		t.Fatal(errOut)
	}
	srv.Reject(e, "INVALID_SHA256_FORMAT")
	before, requests := everyTable(t, state), len(srv.Requests())

	code, out, errOut := mosaic(t, "sync", p, "--dry-run")
	if code != ExitOK {
		t.Fatalf("sync --dry-run: %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"the destination checked 3 records, applying nothing", "google: 1 would be refused, first 1:", "INVALID_SHA256_FORMAT"} {
		if !strings.Contains(out, want) {
			t.Errorf("the dry run does not say %q:\n%s", want, out)
		}
	}
	if got, want := srv.Requests()[requests:], []string{"validate remove 1", "validate ingest 2 refused", "validate ingest 1"}; !slices.Equal(got, want) {
		t.Errorf("the dry run's requests %q, want %q", got, want)
	}
	if got := srv.Members(); !slices.Equal(got, []string{a}) {
		t.Errorf("after the dry run the list holds %v, want it unchanged", got)
	}
	if diff := cmp.Diff(before, everyTable(t, state)); diff != "" {
		t.Fatalf("the dry run changed the store (-before +after):\n%s", diff)
	}

	// Without credentials: the plain dry run, what to set, and exit 1, as
	// the sync would fail; the sync itself is refused, sending nothing.
	t.Setenv("MOSAIC_TEST_GOOGLE_CREDENTIALS", "")
	requests = len(srv.Requests())
	code, out, errOut = mosaic(t, "sync", p, "--dry-run")
	problem := p + ":21:22: outputs[0].credentials_env: environment variable MOSAIC_TEST_GOOGLE_CREDENTIALS is not set, and output google cannot sync without it"
	if code != ExitFailed || !strings.Contains(out, "would add") || !strings.Contains(out, "google: not checked by the destination (the counts above stand): environment variable MOSAIC_TEST_GOOGLE_CREDENTIALS (credentials_env) is not set") ||
		!strings.Contains(errOut, problem) {
		t.Errorf("sync --dry-run without credentials: %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := mosaic(t, "sync", p); code != ExitFailed || !strings.Contains(errOut, problem) || !strings.Contains(errOut, "nothing was sent") {
		t.Errorf("sync without credentials: %d\n%s\n%s", code, out, errOut)
	}
	if len(srv.Requests()) != requests {
		t.Errorf("without credentials the dry run or the sync sent %q", srv.Requests()[requests:])
	}
	if diff := cmp.Diff(before, everyTable(t, state)); diff != "" {
		t.Fatalf("the dry run or the sync without credentials changed the store (-before +after):\n%s", diff)
	}

	// The real sync refuses what the dry run said.
	t.Setenv("MOSAIC_TEST_GOOGLE_CREDENTIALS", string(creds))
	if code, out, errOut := mosaic(t, "sync", p); code != ExitFailed || !strings.Contains(errOut, "1 of 3 records failed") {
		t.Fatalf("sync: %d, want 1 of 3 records failed\n%s\n%s", code, out, errOut)
	}
	if got := srv.Members(); !slices.Equal(got, []string{b}) {
		t.Errorf("after the sync the list holds %v, want C2's e-mail", got)
	}
	_, out, _ = mosaic(t, "sql", "--state", state, "--format", "csv", "SELECT count(*), bool_and(error LIKE '%INVALID_SHA256_FORMAT%') FROM output_failures")
	if !strings.Contains(out, "\n1,true\n") {
		t.Errorf("output_failures: %q, want the one record the dry run named", out)
	}
}

package google

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/google/googletest"
)

// output is an output with the given keys after `send: audience`.
func output(t *testing.T, keys string) connectors.OutputRequest {
	return connectors.OutputRequest{Output: connectortest.ParseOutput(t, "    send: audience\n"+keys)}
}

const okKeys = "    audience: vip\n    identities: [email, mobile_number]\n    kind: google_customer_match\n    audience_id: \"1\"\n    account_id: \"2\"\n    credentials_env: G_CREDS\n"

func TestValidate(t *testing.T) {
	for _, tc := range []struct{ keys, want string }{
		{okKeys, ""},
		{okKeys + "    login_account_id: \"3\"\n    consent: {ad_user_data: granted}\n    account_type: DATA_PARTNER\n", ""},
		{strings.Replace(okKeys, "audience: vip", "audiences: [vip, gold]", 1), "one Customer Match list in step with one mosaic audience"},
		{strings.Replace(okKeys, `audience_id: "1"`, "audience_id: abc", 1), "needs `audience_id:`"},
		{strings.Replace(okKeys, `account_id: "2"`, `account_id: "123-456-7890"`, 1), "digits without dashes"},
		{strings.Replace(okKeys, "mobile_number", "customerid", 1), `identities[1]: Customer Match matches e-mail addresses and phone numbers: identity type "customerid" cannot be sent`},
		{strings.Replace(okKeys, "G_CREDS", "g-creds", 1), "needs `credentials_env:`"},
		{okKeys + "    consent: {ad_user_data: yes}\n", `consent is granted or denied, got "yes"`},
		{okKeys + "    account_type: ADS\n", `account_type "ADS": use one of GOOGLE_ADS`},
		{okKeys + "    login_account_type: GOOGLE_ADS\n", "goes with login_account_id"},
		{okKeys + "    batch_size: 10001\n", "at most 10000 members a request"},
		{okKeys + "    token_url: ftp://x\n", `"ftp://x" is not an http(s) URL`},
		{okKeys + "    refresh_token: x\n", `unknown key "refresh_token"`},
	} {
		err := New().Validate(output(t, tc.keys))
		if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && !strings.Contains(got, tc.want)) {
			t.Errorf("keys\n%s Validate:\n got: %v\nwant: …%s…", tc.keys, err, tc.want)
		}
	}
}

// open returns a writer on srv with the credentials creds.
func open(t *testing.T, srv *googletest.Server, creds string) (*writer, error) {
	t.Helper()
	t.Setenv("MOSAIC_TEST_GOOGLE_CREDENTIALS", creds)
	keys := outputKeys(srv) + "    audience: vip\n    identities: [email, mobile_number]\n"
	w, err := New().Open(context.Background(), output(t, keys))
	if err != nil {
		return nil, err
	}
	return w.(*writer), nil
}

func TestOpenCredentials(t *testing.T) {
	srv := newServer(t)
	for creds, want := range map[string]string{
		"":                             "environment variable MOSAIC_TEST_GOOGLE_CREDENTIALS (credentials_env) is not set",
		"not json":                     "is not a credentials JSON object",
		`{"type": "external_account"}`: `have type "external_account"`,
		`{"type": "authorized_user"}`:  "need client_id, client_secret and refresh_token",
		strings.Replace(userCredentials(t), refreshToken, "1//stale", 1): "get an OAuth2 token with the credentials in MOSAIC_TEST_GOOGLE_CREDENTIALS",
	} {
		_, err := open(t, srv, creds)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "1//stale") || strings.Contains(err.Error(), clientSecret) {
			t.Errorf("credentials %q: %v, want …%s… and no secret", creds, err, want)
		}
	}
}

// TestCheckEnv: the credentials are checked before a run, their JSON
// and what their type needs, without asking for a token.
func TestCheckEnv(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(key))}))
	sa := func(privateKey string) string {
		b, _ := json.Marshal(map[string]string{"type": "service_account", "client_email": "tok@p.iam.gserviceaccount.com", "private_key": privateKey})
		return string(b)
	}
	const want = "p.yaml:16:22: outputs[0].credentials_env: environment variable G_CREDS is set, but output o cannot sync with it: "
	connectortest.RunEnvCases(t, New(), output(t, okKeys), []connectortest.EnvCase{
		{Env: map[string]string{"G_CREDS": sa(pemKey)}},
		{Env: map[string]string{"G_CREDS": `{"type": "authorized_user", "client_id": "tok-id", "client_secret": "tok-secret", "refresh_token": "tok-refresh"}`}},
		{Env: map[string]string{}, Want: "p.yaml:16:22: outputs[0].credentials_env: environment variable G_CREDS is not set, and output o cannot sync without it: set it to a service account key JSON or an authorized_user JSON (client_id, client_secret, refresh_token), such as a key file's content, e.g. `export G_CREDS=...`"},
		{Env: map[string]string{"G_CREDS": "tok-not-json"}, Want: want + "it is not a credentials JSON object"},
		{Env: map[string]string{"G_CREDS": `{"type": "external_account", "audience": "tok-aud"}`}, Want: want + `the credentials have type "external_account": use a service_account key or authorized_user credentials`},
		{Env: map[string]string{"G_CREDS": `{"type": "authorized_user", "client_id": "tok-id"}`}, Want: want + "the authorized_user credentials need client_id, client_secret and refresh_token"},
		{Env: map[string]string{"G_CREDS": sa("-----BEGIN PRIVATE KEY-----\ntok-garbage\n-----END PRIVATE KEY-----\n")}, Want: want + "the service_account credentials' private_key is not a PEM RSA private key"},
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestServiceAccount(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t)
	srv.ServiceAccount, srv.Key = "mosaic@p.iam.gserviceaccount.com", &key.PublicKey
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	creds, _ := json.Marshal(map[string]string{"type": "service_account", "client_email": srv.ServiceAccount,
		"private_key": string(pemKey), "private_key_id": "k1", "token_uri": "https://oauth2.googleapis.com/token"})
	w, err := open(t, srv, string(creds)) // token_url overrides token_uri
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(context.Background(), connectors.Batch{Records: []connectors.Record{rec("add", "1", map[string][]string{"email": {"a@x.com"}})}}); err != nil {
		t.Fatal(err)
	}
	if len(srv.Members()) != 1 {
		t.Errorf("members %v", srv.Members())
	}
}

func rec(op, mpid string, ids map[string][]string) connectors.Record {
	b, _ := json.Marshal(map[string]any{"audience": "vip", "mpid": mpid, "identities": ids})
	return connectors.Record{Op: op, Key: "vip:" + mpid, Fields: b}
}

func memberOf(t *testing.T, kind, v string) string {
	h, err := adnorm.Google(kind, v)
	if err != nil {
		t.Fatal(err)
	}
	return kind + ":" + h
}

func TestWriteMembersViolationsAndOrder(t *testing.T) {
	srv := newServer(t)
	w, err := open(t, srv, userCredentials(t))
	if err != nil {
		t.Fatal(err)
	}
	var many []string
	for i := range 12 {
		many = append(many, fmt.Sprintf("u%d@x.com", i))
	}
	h, _ := adnorm.Google("email", "refused@x.com")
	srv.Reject(h, "INVALID_FORMAT")
	srv.ExhaustNext(2)
	errs, err := w.Write(context.Background(), connectors.Batch{Records: []connectors.Record{
		rec("remove", "9", map[string][]string{"email": {"old@x.com"}}),
		rec("add", "1", map[string][]string{"mobile_number": {"+33 6 12 34 56 78"}, "email": {"Jane.Doe+x@gmail.com"}}),
		rec("add", "2", map[string][]string{"email": {"refused@x.com"}}),
		rec("add", "3", map[string][]string{"email": many}),
		rec("add", "4", map[string][]string{"email": {"nope"}}),
		rec("add", "5", map[string][]string{"email": {"b@x.com"}}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range errs {
		var re *connectors.RecordError
		if bad := i == 2 || i == 4; bad != errors.As(e, &re) || (!bad && e != nil) {
			t.Errorf("record %d: %v", i, e)
		}
	}
	if msg := errs[2].Error(); !strings.Contains(msg, "INVALID_FORMAT") || !strings.Contains(msg, "audience_members[1]") {
		t.Errorf("record 2's error: %s", msg)
	}
	// remove 1 (after two 429s), ingest 4 refused, ingest 3 accepted.
	if got, want := srv.Requests(), []string{"remove exhausted", "remove exhausted", "remove 1", "ingest 4 refused", "ingest 3"}; !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	want := []string{memberOf(t, "email", "janedoe@gmail.com"), memberOf(t, "phone", "+33612345678"), memberOf(t, "email", "b@x.com")}
	for _, e := range many[:MaxIdentifiers] {
		want = append(want, memberOf(t, "email", e))
	}
	slices.Sort(want)
	if got := srv.Members(); !slices.Equal(got, want) {
		t.Errorf("members %d %v, want %d (at most %d identifiers a member)", len(got), got, len(want), MaxIdentifiers)
	}
}

func TestLargeWritesAreChunked(t *testing.T) {
	srv := newServer(t)
	w, err := open(t, srv, userCredentials(t))
	if err != nil {
		t.Fatal(err)
	}
	var recs []connectors.Record
	for i := range MaxMembers + 3 {
		recs = append(recs, rec("add", fmt.Sprint(i), map[string][]string{"email": {fmt.Sprintf("u%d@x.com", i)}}))
	}
	if _, err := w.Write(context.Background(), connectors.Batch{Records: recs}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests(); !slices.Equal(got, []string{"ingest 10000", "ingest 3"}) || len(srv.Members()) != MaxMembers+3 {
		t.Errorf("requests %q, %d members", got, len(srv.Members()))
	}
}

func TestExhaustedPastRetriesFailsTheWrite(t *testing.T) {
	srv := newServer(t)
	w, err := open(t, srv, userCredentials(t))
	if err != nil {
		t.Fatal(err)
	}
	srv.ExhaustNext(100)
	_, err = w.Write(context.Background(), connectors.Batch{Records: []connectors.Record{rec("add", "1", map[string][]string{"email": {"a@x.com"}})}})
	if err == nil || !strings.Contains(err.Error(), "RESOURCE_EXHAUSTED") || strings.Contains(err.Error(), "ya29.") {
		t.Errorf("Write: %v, want the 429 after the retries, no token", err)
	}
}

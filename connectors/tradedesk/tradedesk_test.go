package tradedesk

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/uid2/uid2test"
)

// output is an output with the given keys.
func output(t *testing.T, keys string) connectors.OutputRequest {
	return connectors.OutputRequest{Output: connectortest.ParseOutput(t, keys)}
}

const common = "    send: audience\n    audience: vip\n    identities: [email, mobile_number]\n"

func (s servers) request(t *testing.T, extra string) connectors.OutputRequest {
	return output(t, s.keys()+common+extra)
}

func TestValidate(t *testing.T) {
	ok := "    kind: " + Kind + "\n" + common + "    advertiser_id: adv1\n    uid2_key_env: K\n    uid2_secret_env: S\n    ttd_secret_env: T\n"
	for _, tc := range []struct{ keys, want string }{
		{ok, ""},
		{ok + "    ttl: 180d\n    segment: x\n    uid2_endpoint: http://127.0.0.1:9\n", ""},
		{strings.Replace(ok, "audience: vip", "audiences: [vip, gold]", 1), "one segment in step with one mosaic audience"},
		{strings.Replace(ok, "    advertiser_id: adv1\n", "", 1), "needs `advertiser_id:`"},
		{strings.Replace(ok, "adv1", "adv-1", 1), `"adv-1" is not a Trade Desk advertiser id`},
		{strings.Replace(ok, "    ttd_secret_env: T\n", "", 1), "needs `ttd_secret_env:`"},
		{strings.Replace(ok, "uid2_key_env: K", "uid2_key_env: my-key", 1), `uid2_key_env: "my-key" is not an environment variable name`},
		{strings.Replace(ok, "mobile_number", "customerid", 1), `identities[1]: UID2 maps e-mails and phone numbers only, not "customerid"`},
		{ok + "    ttl: 181d\n", "longer than the 180d"},
		{ok + "    ttl: 30s\n", "not a whole number of minutes"},
		{ok + "    ttd_endpoint: https://u:p@use-data.adsrvr.org\n", "ttd_endpoint: the endpoint holds credentials"},
		{ok + "    batch_size: 6000\n", "at most 5000 records a write"},
		{ok + "    mode: upsert\n", "mirrors its audience"},
		{ok + "    ttd_secret: x\n", `unknown key "ttd_secret"`},
	} {
		err := New().Validate(output(t, tc.keys))
		if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && !strings.Contains(got, tc.want)) {
			t.Errorf("keys\n%s Validate:\n got: %v\nwant: …%s…", tc.keys, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), "p.yaml:") {
			t.Errorf("the error names no position: %v", err)
		}
	}
}

func TestDefaults(t *testing.T) {
	s, err := settings(output(t, "    kind: "+Kind+"\n"+common+"    advertiser_id: adv1\n    uid2_key_env: K\n    uid2_secret_env: S\n    ttd_secret_env: T\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Segment != "vip" || s.TTL.String() != "30d" || s.UID2Endpoint != "https://prod.uidapi.com" || s.TTDEndpoint != DefaultTTDEndpoint {
		t.Errorf("defaults: %+v", s)
	}
}

// record is an audience record with e-mails and phones.
func record(op, key string, emails, phones []string) connectors.Record {
	ids := map[string][]string{}
	if emails != nil {
		ids["email"] = emails
	}
	if phones != nil {
		ids["mobile_number"] = phones
	}
	js := fmt.Sprintf(`{"identities": %s}`, mustJSON(ids))
	return connectors.Record{Op: op, Key: key, Fields: []byte(js)}
}

func mustJSON(v map[string][]string) string {
	var parts []string
	for k, vs := range v {
		parts = append(parts, fmt.Sprintf("%q: [%s]", k, `"`+strings.Join(vs, `", "`)+`"`))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func uidOf(t *testing.T, kind, v string) string {
	h, err := adnorm.UID2(kind, v)
	if err != nil {
		t.Fatal(err)
	}
	return uid2test.FakeUID2(h)
}

func open(t *testing.T, s servers) connectors.Writer {
	t.Helper()
	w, err := New().Open(context.Background(), s.request(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestAddRemoveOptOut: adds carry the ttl, removes TTL 0; an opted-out
// e-mail is left out, and a record with nothing else is refused naming
// why; a remove with nothing mapped is acknowledged.
func TestAddRemoveOptOut(t *testing.T) {
	setEnv(t)
	s := newServers(t)
	h, _ := adnorm.UID2(adnorm.UID2KindEmail, "out@example.com")
	s.uid2.OptOut(h)
	w := open(t, s)
	res, err := w.Write(context.Background(), connectors.Batch{Records: []connectors.Record{
		record("add", "1", []string{"Ann@Example.com"}, []string{"+12345678901"}),
		record("add", "2", []string{"out@example.com"}, nil),
		record("add", "3", []string{"out@example.com", "bob@example.com"}, nil),
		record("add", "4", []string{"not an email"}, nil),
		record("add", "5", []string{"out@example.com"}, []string{"+1 555"}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0] != nil || res[2] != nil {
		t.Errorf("records 1 and 3: %v, %v", res[0], res[2])
	}
	var re *connectors.RecordError
	if !errors.As(res[1], &re) || !strings.Contains(re.Msg, "email: opted out of UID2") {
		t.Errorf("the opted-out record: %v", res[1])
	}
	if !errors.As(res[3], &re) || !strings.Contains(re.Msg, "no identity UID2 can map") {
		t.Errorf("the invalid record: %v", res[3])
	}
	if !errors.As(res[4], &re) || !strings.Contains(re.Msg, "email: opted out of UID2") || !strings.Contains(re.Msg, "mobile_number: invalid") {
		t.Errorf("an opted-out e-mail and a bad phone: %v", res[4])
	}
	ann, phone, bob := uidOf(t, "email", "ann@example.com"), uidOf(t, "phone", "+12345678901"), uidOf(t, "email", "bob@example.com")
	if got := s.ttd.Members(segment); len(got) != 3 || s.ttd.TTL(segment, ann) != 7*24*60 || s.ttd.TTL(segment, phone) != 7*24*60 || s.ttd.TTL(segment, bob) != 7*24*60 {
		t.Errorf("members %v, ttl %d", got, s.ttd.TTL(segment, ann))
	}
	res, err = w.Write(context.Background(), connectors.Batch{Records: []connectors.Record{
		record("remove", "1", []string{"ann@example.com"}, []string{"+12345678901"}),
		record("remove", "2", []string{"out@example.com"}, nil),
	}})
	if err != nil || res[0] != nil || res[1] != nil {
		t.Fatalf("removes: %v %v", err, res)
	}
	if got := s.ttd.Members(segment); len(got) != 1 || got[0] != bob {
		t.Errorf("after the removes: %v, want bob's UID2 only", got)
	}
	// The second write mapped nothing anew: the sync's cache answered.
	if n := len(s.uid2.Requests()); n != 2 {
		t.Errorf("%d identity map requests, want 2 (e-mails and phones, once)", n)
	}
}

// TestFailedLines: the records whose items TTD lists in FailedLines fail
// alone, with TTD's code; the others are members.
func TestFailedLines(t *testing.T) {
	setEnv(t)
	s := newServers(t)
	w := open(t, s)
	var recs []connectors.Record
	for i := range 6 {
		recs = append(recs, record("add", fmt.Sprint(i), []string{fmt.Sprintf("u%d@example.com", i)}, nil))
	}
	s.ttd.FailUID2(uidOf(t, "email", "u1@example.com"), "Uid2Error")
	s.ttd.FailUID2(uidOf(t, "email", "u4@example.com"), "InvalidTtlInMinutes")
	res, err := w.Write(context.Background(), connectors.Batch{Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range res {
		var re *connectors.RecordError
		switch i {
		case 1, 4:
			if !errors.As(e, &re) || !strings.Contains(re.Msg, map[int]string{1: "Uid2Error", 4: "InvalidTtlInMinutes"}[i]) {
				t.Errorf("record %d: %v", i, e)
			}
		default:
			if e != nil {
				t.Errorf("record %d: %v", i, e)
			}
		}
	}
	if got := s.ttd.Members(segment); len(got) != 4 {
		t.Errorf("members: %d, want 4", len(got))
	}
	if n := len(s.ttd.Requests()); n != 1 {
		t.Errorf("%d data requests, want 1 (FailedLines need no split)", n)
	}
}

// TestThrottlingRecovers: two 429s (Retry-After) and a 503 from UID2 are
// waited out.
func TestThrottlingRecovers(t *testing.T) {
	setEnv(t)
	s := newServers(t)
	w := open(t, s)
	s.ttd.ThrottleNext(2)
	s.uid2.FailNext(1, 503)
	res, err := w.Write(context.Background(), connectors.Batch{Records: []connectors.Record{record("add", "1", []string{"a@example.com"}, nil)}})
	if err != nil || res[0] != nil {
		t.Fatalf("after throttling: %v %v", err, res)
	}
	if reqs := s.ttd.Requests(); len(reqs) != 3 || reqs[0].Status != 429 || reqs[2].Status != 200 {
		t.Errorf("TTD saw %+v", reqs)
	}
}

// TestSecretsNeverInErrors: a wrong TTD secret fails the output with
// advice; no error shows any of the three secrets.
func TestSecretsNeverInErrors(t *testing.T) {
	setEnv(t)
	s := newServers(t)
	t.Setenv("MOSAIC_TEST_TTD_SECRET", "wrong-TTD-secret")
	w := open(t, s)
	_, err := w.Write(context.Background(), connectors.Batch{Records: []connectors.Record{record("add", "1", []string{"a@example.com"}, nil)}})
	if err == nil || !strings.Contains(err.Error(), "ttd_secret_env") {
		t.Fatalf("a wrong TTD secret: %v", err)
	}
	t.Setenv("MOSAIC_TEST_UID2_SECRET", "c2hvcnQ=")
	_, err2 := New().Open(context.Background(), s.request(t, ""))
	if err2 == nil || !strings.Contains(err2.Error(), "MOSAIC_TEST_UID2_SECRET (uid2_secret_env)") {
		t.Fatalf("a short UID2 secret: %v", err2)
	}
	t.Setenv("MOSAIC_TEST_UID2_KEY", "")
	_, err3 := New().Open(context.Background(), s.request(t, ""))
	if err3 == nil || !strings.Contains(err3.Error(), "MOSAIC_TEST_UID2_KEY (uid2_key_env) is not set") {
		t.Fatalf("no UID2 key: %v", err3)
	}
	for _, e := range []error{err, err2, err3} {
		for _, sec := range []string{"wrong-TTD-secret", ttdSecret, uid2Key, "c2hvcnQ=", base64.StdEncoding.EncodeToString(uid2Secret)} {
			if strings.Contains(e.Error(), sec) {
				t.Errorf("an error shows a secret: %v", e)
			}
		}
	}
}

// TestSign checks Sign against a vector computed independently
// (printf body | openssl dgst -sha1 -hmac key -binary | base64).
// TestCheckEnv: the three secrets are checked before a run, the UID2
// client secret in its format, each problem at its key.
func TestCheckEnv(t *testing.T) {
	req := output(t, "    kind: "+Kind+"\n"+common+"    advertiser_id: adv1\n    ttd_secret_env: T_SECRET\n    uid2_key_env: U_KEY\n    uid2_secret_env: U_SECRET\n")
	good := base64.StdEncoding.EncodeToString(uid2Secret)
	connectortest.RunEnvCases(t, New(), req, []connectortest.EnvCase{
		{Env: map[string]string{"T_SECRET": "tok-ttd", "U_KEY": "tok-key", "U_SECRET": good}},
		{Env: map[string]string{}, Want: "p.yaml:15:21: outputs[0].ttd_secret_env: environment variable T_SECRET is not set, and output o cannot sync without it: set it to the Trade Desk advertiser's secret key, e.g. `export T_SECRET=...`\n" +
			"p.yaml:16:19: outputs[0].uid2_key_env: environment variable U_KEY is not set, and output o cannot sync without it: set it to the UID2 client API key, e.g. `export U_KEY=...`\n" +
			"p.yaml:17:22: outputs[0].uid2_secret_env: environment variable U_SECRET is not set, and output o cannot sync without it: set it to the UID2 client secret (base64), e.g. `export U_SECRET=...`"},
		{Env: map[string]string{"T_SECRET": "tok-ttd", "U_KEY": "tok-key", "U_SECRET": "tok-not-base64!"}, Want: "p.yaml:17:22: outputs[0].uid2_secret_env: environment variable U_SECRET is set, but output o cannot sync with it: the client secret is not base64 (copy it as the UID2 portal shows it)"},
		{Env: map[string]string{"T_SECRET": "tok-ttd", "U_KEY": "tok-key", "U_SECRET": "c2hvcnQ="}, Want: "p.yaml:17:22: outputs[0].uid2_secret_env: environment variable U_SECRET is set, but output o cannot sync with it: the client secret decodes to 5 bytes, not the 32 of an AES-256 key: is it the secret, not the API key?"},
	})
}

func TestSign(t *testing.T) {
	if got := Sign([]byte(`{"AdvertiserId":"adv1","Items":[]}`), []byte("key")); got != signVector {
		t.Errorf("Sign = %s, want %s", got, signVector)
	}
}

const signVector = "JiEPtKWRMfXGoDQqEOBY64piQ30="

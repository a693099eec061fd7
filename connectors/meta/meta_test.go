package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/meta/metatest"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// output is a meta_custom_audience output with the given keys.
func output(t *testing.T, keys string) connectors.OutputRequest {
	return connectors.OutputRequest{Output: connectortest.ParseOutput(t, "    kind: meta_custom_audience\n"+keys)}
}

const okKeys = "    send: audience\n    audience: vip\n    identities: [email, mobile_number, customerid]\n    audience_id: \"123\"\n    access_token_env: FB_TOKEN\n"

func TestValidate(t *testing.T) {
	for _, tc := range []struct{ keys, want string }{
		{okKeys, ""},
		{okKeys + "    version: v22.0\n    endpoint: http://127.0.0.1:9\n", ""},
		{strings.Replace(okKeys, "audience: vip", "audiences: [vip, gold]", 1), "one Custom Audience in step with one mosaic audience"},
		{strings.Replace(okKeys, "    audience_id: \"123\"\n", "", 1), "needs `audience_id:`"},
		{strings.Replace(okKeys, `"123"`, "act_123", 1), "a Custom Audience id is digits"},
		{strings.Replace(okKeys, "FB_TOKEN", "fb-token", 1), `"fb-token" is not an environment variable name`},
		{strings.Replace(okKeys, "mobile_number", "twitter", 1), `identities[1]: Meta cannot match identity type "twitter": use android_aaid, customerid, email, ios_idfa, mobile_number, phone_number_2, phone_number_3`},
		{okKeys + "    version: \"21\"\n", `"21" is not a Graph API version like v21.0`},
		{okKeys + "    endpoint: https://u:p@graph.facebook.com\n", "the endpoint holds credentials"},
		{okKeys + "    batch_size: 20000\n", "at most 10000 rows a request, got batch_size 20000"},
		{okKeys + "    mode: upsert\n", "mirrors its audience"},
		{okKeys + "    access_token: x\n", `unknown key "access_token"`},
	} {
		err := New().Validate(output(t, tc.keys))
		if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && !strings.Contains(got, tc.want)) {
			t.Errorf("keys\n%s Validate:\n got: %v\nwant: …%s…", tc.keys, err, tc.want)
		}
	}
}

func TestValidateSend(t *testing.T) {
	req := output(t, okKeys)
	req.Output.Send = config.SendProfiles
	if err := New().Validate(req); err == nil || !strings.Contains(err.Error(), "use `send: audience`") {
		t.Errorf("a profiles output: %v", err)
	}
}

func TestOpenNeedsToken(t *testing.T) {
	t.Setenv("FB_TOKEN", "")
	_, err := New().Open(context.Background(), output(t, okKeys))
	if err == nil || !strings.Contains(err.Error(), "environment variable FB_TOKEN (access_token_env) is not set") {
		t.Errorf("Open without the token: %v", err)
	}
}

// open returns a writer of okKeys (plus extra) against srv.
// TestCheckEnv: the access token is checked before a run, at its key.
func TestCheckEnv(t *testing.T) {
	connectortest.RunEnvCases(t, New(), output(t, okKeys), []connectortest.EnvCase{
		{Env: map[string]string{"FB_TOKEN": "tok-token"}},
		{Env: map[string]string{}, Want: "p.yaml:15:23: outputs[0].access_token_env: environment variable FB_TOKEN is not set, and output o cannot sync without it: set it to a Marketing API access token with the ads_management permission, e.g. `export FB_TOKEN=...`"},
	})
}

func open(t *testing.T, srv *metatest.Server, extra string) *writer {
	t.Helper()
	t.Setenv("FB_TOKEN", token)
	keys := strings.Replace(okKeys, `"123"`, `"`+audience+`"`, 1) + "    endpoint: " + srv.URL + "\n" + extra
	w, err := New().Open(context.Background(), output(t, keys))
	if err != nil {
		t.Fatal(err)
	}
	return w.(*writer)
}

func rec(op, mpid string, ids map[string][]string) connectors.Record {
	b, _ := json.Marshal(map[string]any{"audience": "vip", "mpid": mpid, "identities": ids})
	return connectors.Record{Op: op, Key: "vip:" + mpid, Fields: b}
}

func hashOf(t *testing.T, key, v string) string {
	t.Helper()
	h, err := adnorm.Meta(key, v)
	if err != nil {
		t.Fatal(err)
	}
	return key + ":" + h
}

func TestWriteRowsAndOrder(t *testing.T) {
	srv := metatest.New(t, token, version, audience)
	w := open(t, srv, "")
	b := connectors.Batch{Output: "fb", Records: []connectors.Record{
		rec("remove", "9", map[string][]string{"email": {"old@x.com"}}),
		rec("add", "1", map[string][]string{"email": {" Ann@X.com", "ann.work@x.com"}, "mobile_number": {"+33 6 12 34 56 78"}, "customerid": {"c-1"}}),
		rec("add", "2", map[string][]string{"email": {"not-an-email"}, "mobile_number": {"+1 650 555 1234"}}),
		rec("add", "3", map[string][]string{"email": {"nope"}, "mobile_number": {"555-1234"}}),
		rec("add", "4", map[string][]string{}),
		rec("remove", "5", map[string][]string{}),
	}}
	srv.ReportInvalid(0)
	errs, err := w.Write(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range errs {
		var re *connectors.RecordError
		bad := i == 3 || i == 4
		if bad != errors.As(e, &re) || (!bad && e != nil) {
			t.Errorf("record %d: %v", i, e)
		}
	}
	if !strings.Contains(errs[3].Error(), "no identity Meta can use: email: invalid email: it has no @") || strings.Contains(errs[3].Error(), "nope") {
		t.Errorf("record 3's error: %v", errs[3])
	}
	log := srv.Log()
	if len(log) != 2 || log[0].Method != "DELETE" || log[1].Method != "POST" {
		t.Fatalf("requests %+v, want a DELETE then one POST", log)
	}
	if want := []string{"EMAIL", "PHONE", "EXTERN_ID"}; !slices.Equal(log[1].Schema, want) || log[1].Rows != 3 {
		t.Errorf("POST schema %v with %d rows, want %v with 3 (ann's two e-mails, record 2's phone)", log[1].Schema, log[1].Rows, want)
	}
	want := []string{hashOf(t, "EMAIL", "ann@x.com"), hashOf(t, "EMAIL", "ann.work@x.com"), hashOf(t, "PHONE", "+33612345678"),
		hashOf(t, "PHONE", "+16505551234"), "EXTERN_ID:c-1"}
	slices.Sort(want)
	if got := srv.Members(); !slices.Equal(got, want) {
		t.Errorf("members %v, want %v", got, want)
	}
}

func TestThrottlingIsRetried(t *testing.T) {
	for _, code := range []int{17, 613, 80003} {
		srv := metatest.New(t, token, version, audience)
		w := open(t, srv, "")
		srv.ThrottleNext(2, code)
		errs, err := w.Write(context.Background(), connectors.Batch{Records: []connectors.Record{rec("add", "1", map[string][]string{"email": {"a@x.com"}})}})
		if err != nil || errs[0] != nil || len(srv.Members()) != 1 || len(srv.Log()) != 3 {
			t.Errorf("code %d: %v %v, %d members after %d requests; want it delivered on the third", code, err, errs, len(srv.Members()), len(srv.Log()))
		}
		srv.ThrottleNext(100, code)
		_, err = w.Write(context.Background(), connectors.Batch{Records: []connectors.Record{rec("add", "2", map[string][]string{"email": {"b@x.com"}})}})
		if err == nil || !strings.Contains(err.Error(), "throttling past every retry") {
			t.Errorf("code %d, throttled for good: %v", code, err)
		}
	}
}

func TestFatalRefusals(t *testing.T) {
	srv := metatest.New(t, token, version, audience)
	w := open(t, srv, "")
	recs := []connectors.Record{rec("add", "1", map[string][]string{"email": {"a@x.com"}}), rec("add", "2", map[string][]string{"email": {"b@x.com"}})}
	srv.Block(true)
	errs, err := w.Write(context.Background(), connectors.Batch{Records: recs})
	if err == nil || errs != nil || !strings.Contains(err.Error(), "Custom audience is blocked") || !strings.Contains(err.Error(), "subcode 1713230") || len(srv.Log()) != 1 {
		t.Errorf("blocked: %v, %v after %d requests; want the output failed with Meta's message, not split", errs, err, len(srv.Log()))
	}
	srv.Block(false)
	w.token = "EAAwrong-TOKEN"
	_, err = w.Write(context.Background(), connectors.Batch{Records: recs})
	if err == nil || !strings.Contains(err.Error(), "the access token is invalid") || strings.Contains(err.Error(), "wrong-TOKEN") || len(srv.Log()) != 2 {
		t.Errorf("bad token: %v after %d requests", err, len(srv.Log()))
	}
}

func TestInvalidEntriesAreLogged(t *testing.T) {
	var buf bytes.Buffer
	defer func(l func() *slog.Logger) { logger = l }(logger)
	logger = func() *slog.Logger { return slog.New(slog.NewTextHandler(&buf, nil)) }
	srv := metatest.New(t, token, version, audience)
	w := open(t, srv, "")
	srv.ReportInvalid(1)
	if _, err := w.Write(context.Background(), connectors.Batch{Records: []connectors.Record{rec("add", "1", map[string][]string{"email": {"a@x.com"}})}}); err != nil {
		t.Fatal(err)
	}
	if w.invalid != 1 || !strings.Contains(buf.String(), "num_invalid_entries=1") || !strings.Contains(buf.String(), "output=o") {
		t.Errorf("invalid %d, log %q", w.invalid, buf.String())
	}
}

func TestLargeWritesAreChunked(t *testing.T) {
	srv := metatest.New(t, token, version, audience)
	w := open(t, srv, "")
	var recs []connectors.Record
	for i := range MaxRows + 5 {
		recs = append(recs, rec("add", fmt.Sprint(i), map[string][]string{"email": {fmt.Sprintf("u%d@x.com", i)}}))
	}
	errs, err := w.Write(context.Background(), connectors.Batch{Records: recs})
	if err != nil || httpFailures(errs) != 0 {
		t.Fatal(err, errs)
	}
	log := srv.Log()
	if len(log) != 2 || log[0].Rows != MaxRows || log[1].Rows != 5 || log[0].SessionID != log[1].SessionID ||
		log[0].BatchSeq != 1 || log[1].BatchSeq != 2 || log[0].LastBatchFlag || !log[1].LastBatchFlag {
		t.Errorf("requests %+v, want one session of 10000 then 5 rows", log)
	}
	if n := len(srv.Members()); n != MaxRows+5 {
		t.Errorf("%d members", n)
	}
}

func httpFailures(errs []error) int {
	n := 0
	for _, e := range errs {
		if e != nil {
			n++
		}
	}
	return n
}

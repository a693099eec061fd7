package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

const (
	specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	// secret is the tests' signing secret (24 random bytes).
	secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"
)

func init() {
	testOptions = func(o httpsend.Options) httpsend.Options {
		o.InitialInterval, o.MaxInterval, o.MaxTries = time.Millisecond, 5*time.Millisecond, 3
		return o
	}
}

func TestSignSpecVector(t *testing.T) {
	key, err := DecodeSecret(specSecret)
	if err != nil {
		t.Fatalf("DecodeSecret: %v", err)
	}
	const id, ts, body = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, `{"test": 2432232314}`
	const want = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	if got := Sign(key, id, ts, []byte(body)); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	// The test receiver's verifier agrees with the spec too.
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,bm90IGl0 "+want)
	if err := webhooktest.Verify(specSecret, h, []byte(body), time.Unix(ts+10, 0)); err != nil {
		t.Errorf("Verify of the spec vector: %v", err)
	}
	if err := webhooktest.Verify(specSecret, h, []byte(`{"test": 2432232315}`), time.Unix(ts, 0)); err == nil {
		t.Error("Verify accepted a changed body")
	}
	if err := webhooktest.Verify(specSecret, h, []byte(body), time.Unix(ts, 0).Add(time.Hour)); err == nil {
		t.Error("Verify accepted a stale timestamp")
	}
}

// output parses a pipeline whose output has the given webhook keys.
func output(t *testing.T, keys string) connectors.OutputRequest {
	t.Helper()
	src := `version: 1
name: p
feeds:
  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }
audiences:
  - { name: vip, criteria: { sql: "true" } }
outputs:
  - name: hook
    kind: webhook
    send: audience
    audience: vip
` + keys
	p, err := config.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	p.Outputs[0].Defaults()
	return connectors.OutputRequest{Output: p.Outputs[0]}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct{ keys, want string }{
		{"    url: https://h.example/x\n    secret_env: HOOK_SECRET\n    headers: {X-Team: growth}\n    headers_env: {Authorization: HOOK_AUTH}\n", ""},
		{"    url_env: HOOK_URL\n", ""},
		{"    mode: upsert\n", "p.yaml:9:11: outputs[0].kind: a webhook output needs `url:` (or `url_env:`, the environment variable holding it)"},
		{"    url: https://h.example\n    url_env: HOOK_URL\n", "p.yaml:13:14: outputs[0].url_env: set `url:` or `url_env:`, not both"},
		{"    url: ftp://h.example/x\n", `p.yaml:12:10: outputs[0].url: the URL's scheme is "ftp": use https:// (or http://)`},
		{"    url: https://u:p@h.example/x\n", "p.yaml:12:10: outputs[0].url: the URL holds credentials: keep them out of the pipeline file with `url_env:` or `headers_env:`"},
		{"    url: https:///x\n", "p.yaml:12:10: outputs[0].url: the URL has no host"},
		{"    url_env: hook-url\n", `p.yaml:12:14: outputs[0].url_env: "hook-url" is not an environment variable name (letters, digits and _, not starting with a digit)`},
		{"    url: https://h.example\n    secret: x\n", `p.yaml:13:5: unknown key "secret", did you mean "secret_env"?`},
		{"    url: https://h.example\n    headers: {Authorization: Bearer x}\n", "p.yaml:13:30: outputs[0].headers.Authorization: Authorization is a secret: read it from the environment with `headers_env: {Authorization: ENV_VAR}`"},
		{"    url: https://h.example\n    headers: {webhook-id: x}\n", "p.yaml:13:27: outputs[0].headers.webhook-id: header webhook-id is set by the webhook itself (it sets Content-Type, Content-Length, Content-Encoding, Host, User-Agent, Webhook-Id, Webhook-Timestamp, Webhook-Signature)"},
		{"    url: https://h.example\n    headers_env: {X-Key: 1KEY}\n", `p.yaml:13:26: outputs[0].headers_env.X-Key: "1KEY" is not an environment variable name (letters, digits and _, not starting with a digit)`},
	} {
		err := New().Validate(output(t, tc.keys))
		if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && got != tc.want) {
			t.Errorf("keys\n%s Validate:\n got: %v\nwant: %s", tc.keys, err, tc.want)
		}
	}
}

func TestOpenReadsEnvironment(t *testing.T) {
	req := output(t, "    url_env: HOOK_URL\n    secret_env: HOOK_SECRET\n    headers_env: {Authorization: HOOK_AUTH}\n")
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "environment variable HOOK_URL (url_env) is not set: set it to the webhook's URL, e.g. `export HOOK_URL=...`"},
		{map[string]string{"HOOK_URL": "ftp://h/tok-URL"}, `environment variable HOOK_URL (url_env): the URL's scheme is "ftp": use https:// (or http://)`},
		{map[string]string{"HOOK_URL": "https://h/tok-URL"}, "environment variable HOOK_SECRET (secret_env) is not set: set it to whsec_<base64>, the webhook's signing secret, e.g. `export HOOK_SECRET=...`"},
		{map[string]string{"HOOK_URL": "https://h/tok-URL", "HOOK_SECRET": "tok-SECRET"}, "environment variable HOOK_SECRET (secret_env): not a Standard Webhooks secret: it must start with whsec_"},
		{map[string]string{"HOOK_URL": "https://h/tok-URL", "HOOK_SECRET": "whsec_tok-SECRET!"}, "environment variable HOOK_SECRET (secret_env): not a Standard Webhooks secret: the part after whsec_ is not base64"},
		{map[string]string{"HOOK_URL": "https://h/tok-URL", "HOOK_SECRET": secret}, "environment variable HOOK_AUTH (headers_env.Authorization) is not set: set it to the value of header Authorization, e.g. `export HOOK_AUTH=...`"},
		{map[string]string{"HOOK_URL": "https://h/tok-URL", "HOOK_SECRET": secret, "HOOK_AUTH": "Bearer tok"}, ""},
	} {
		for _, v := range []string{"HOOK_URL", "HOOK_SECRET", "HOOK_AUTH"} {
			t.Setenv(v, tc.env[v]) // "" counts as not set
		}
		w, err := New().Open(context.Background(), req)
		if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && got != tc.want) {
			t.Errorf("env %v: Open:\n got: %v\nwant: %s", tc.env, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "tok") {
			t.Errorf("Open's error %q shows a value", err)
		}
		if w != nil {
			_ = w.Close()
		}
	}
	if err := New().Validate(req); err != nil { // no environment needed
		t.Errorf("Validate: %v", err)
	}
}

// TestCheckEnv: every variable Open reads is checked before a run, set
// and in its format, each problem at its key.
func TestCheckEnv(t *testing.T) {
	req := output(t, "    url_env: HOOK_URL\n    secret_env: HOOK_SECRET\n    headers_env: {Authorization: HOOK_AUTH}\n")
	ok := map[string]string{"HOOK_URL": "https://h/tok-URL", "HOOK_SECRET": secret, "HOOK_AUTH": "Bearer tok"}
	with := func(k, v string) map[string]string {
		env := maps.Clone(ok)
		env[k] = v
		return env
	}
	connectortest.RunEnvCases(t, New(), req, []connectortest.EnvCase{
		{Env: ok},
		{Env: map[string]string{}, Want: "p.yaml:12:14: outputs[0].url_env: environment variable HOOK_URL is not set, and output hook cannot sync without it: set it to the webhook's URL, e.g. `export HOOK_URL=...`\n" +
			"p.yaml:13:17: outputs[0].secret_env: environment variable HOOK_SECRET is not set, and output hook cannot sync without it: set it to whsec_<base64>, the webhook's signing secret, e.g. `export HOOK_SECRET=...`\n" +
			"p.yaml:14:34: outputs[0].headers_env.Authorization: environment variable HOOK_AUTH is not set, and output hook cannot sync without it: set it to the value of header Authorization, e.g. `export HOOK_AUTH=...`"},
		{Env: with("HOOK_SECRET", "tok-SECRET"), Want: "p.yaml:13:17: outputs[0].secret_env: environment variable HOOK_SECRET is set, but output hook cannot sync with it: not a Standard Webhooks secret: it must start with whsec_"},
		{Env: with("HOOK_SECRET", "whsec_tok-SECRET!"), Want: "p.yaml:13:17: outputs[0].secret_env: environment variable HOOK_SECRET is set, but output hook cannot sync with it: not a Standard Webhooks secret: the part after whsec_ is not base64"},
		{Env: with("HOOK_URL", "ftp://h/tok-URL"), Want: `p.yaml:12:14: outputs[0].url_env: environment variable HOOK_URL is set, but output hook cannot sync with it: the URL's scheme is "ftp": use https:// (or http://)`},
		{Env: with("HOOK_AUTH", "Bearer tok\nX-Other: tok"), Want: "p.yaml:14:34: outputs[0].headers_env.Authorization: environment variable HOOK_AUTH is set, but output hook cannot sync with it: it holds more than one line"},
	})
	// Without *_env keys there is nothing to read.
	connectortest.RunEnvCases(t, New(), output(t, "    url: https://h.example\n"), []connectortest.EnvCase{{}})
}

// open opens a webhook output of the given keys, its environment set.
func open(t *testing.T, keys string, env map[string]string) connectors.Writer {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	w, err := New().Open(context.Background(), output(t, keys))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func records(n int) []connectors.Record {
	recs := make([]connectors.Record, n)
	for i := range recs {
		recs[i] = connectors.Record{Op: connectors.OpUpsert, Key: fmt.Sprintf("k%d", i),
			Fields: json.RawMessage(fmt.Sprintf(`{"n": %d, "tag": "<b>"}`, i)), IdempotencyKey: fmt.Sprintf("idem-%d", i)}
	}
	return recs
}

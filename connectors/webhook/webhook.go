// Package webhook is the `webhook` output kind: it POSTs each batch of an
// output's records, as JSON, to a URL, signed the Standard Webhooks way
// (https://www.standardwebhooks.com).
//
// Settings, besides the common output keys:
//
//	url: https://hooks.example.com/mosaic  # or url_env: HOOK_URL (one of the two)
//	secret_env: HOOK_SECRET                # optional: whsec_<base64>; unsigned without
//	headers: {X-Team: growth}              # optional extra headers, not secrets
//	headers_env: {Authorization: HOOK_AUTH} # optional headers read from the environment
//
// Each request is one POST with Content-Type application/json, User-Agent
// mosaic and the body
//
//	{"output": "hook", "run_id": 42, "records": [
//	  {"op": "upsert", "key": "u1", "fields": {...}, "idempotency_key": "..."}]}
//
// where op is upsert, add or remove (forget for a removal owed to `mosaic
// forget`, whatever the output's mode) and fields is the record's JSON
// object.
// The headers webhook-id (msg_ and a hash of the records' idempotency keys:
// a resend of the same records carries the same id), webhook-timestamp
// (Unix seconds, set per attempt) and, with secret_env, webhook-signature
// (v1,<base64 HMAC-SHA256 of "id.timestamp.body">) let a receiver check
// the request and drop a resend.
//
// A 2xx answer acknowledges every record of the request. Failures are
// retried and split as package httpsend says: a request refused with 400,
// 413 or 422 is halved until the refused records are alone, so one bad
// record does not fail its batch. A batch carries at most the output's
// batch_size records (500 by default); a receiver that limits request
// sizes answers 413 and gets smaller requests. An events output's request
// is instead the JSON array of its batches (op forward), the shape of the
// Events API's bulk endpoint, with the same headers.
package webhook

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Settings are a webhook output's own keys.
type Settings struct {
	URL        string            `yaml:"url"`
	URLEnv     string            `yaml:"url_env"`
	SecretEnv  string            `yaml:"secret_env"`
	Headers    map[string]string `yaml:"headers"`
	HeadersEnv map[string]string `yaml:"headers_env"`
}

// Destination is the webhook output kind. It holds no state.
type Destination struct{}

// New returns the webhook destination.
func New() *Destination { return &Destination{} }

var (
	headerNameRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	// reserved are the headers Write sets itself.
	reserved = []string{"Content-Type", "Content-Length", "Content-Encoding", "Host", "User-Agent",
		"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"}
	// secretHeaders may not have their value in the pipeline file.
	secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie"}
)

// Validate decodes and checks the settings; it reads no environment
// variable.
func (d *Destination) Validate(req connectors.OutputRequest) error {
	_, err := settings(req)
	return err
}

func settings(req connectors.OutputRequest) (Settings, error) {
	raw := req.Output.Raw
	var s Settings
	if err := raw.Decode(&s); err != nil {
		return s, err
	}
	switch {
	case s.URL == "" && s.URLEnv == "":
		return s, raw.Errorf("kind", "a webhook output needs `url:` (or `url_env:`, the environment variable holding it)")
	case s.URL != "" && s.URLEnv != "":
		return s, raw.Errorf("url_env", "set `url:` or `url_env:`, not both")
	case s.URL != "":
		if msg := checkURL(s.URL); msg != "" {
			return s, raw.Errorf("url", "%s", msg)
		}
		if u, _ := url.Parse(s.URL); u.User != nil {
			return s, raw.Errorf("url", "the URL holds credentials: keep them out of the pipeline file with `url_env:` or `headers_env:`")
		}
	}
	for _, k := range []struct{ key, name string }{{"url_env", s.URLEnv}, {"secret_env", s.SecretEnv}} {
		if k.name != "" && !config.EnvNameRE.MatchString(k.name) {
			return s, raw.Errorf(k.key, "%q is not an environment variable name (letters, digits and _, not starting with a digit)", k.name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Headers)) {
		if err := checkHeader(req, "headers."+name, name); err != nil {
			return s, err
		}
		if slices.Contains(secretHeaders, http.CanonicalHeaderKey(name)) {
			return s, raw.Errorf("headers."+name, "%s is a secret: read it from the environment with `headers_env: {%s: ENV_VAR}`", name, name)
		}
		if strings.ContainsAny(s.Headers[name], "\r\n\x00") {
			return s, raw.Errorf("headers."+name, "a header value must be one line")
		}
		if _, dup := s.HeadersEnv[name]; dup {
			return s, raw.Errorf("headers_env."+name, "header %s is also in `headers:`; keep one", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.HeadersEnv)) {
		if err := checkHeader(req, "headers_env."+name, name); err != nil {
			return s, err
		}
		if env := s.HeadersEnv[name]; !config.EnvNameRE.MatchString(env) {
			return s, raw.Errorf("headers_env."+name, "%q is not an environment variable name (letters, digits and _, not starting with a digit)", env)
		}
	}
	return s, nil
}

func checkHeader(req connectors.OutputRequest, key, name string) error {
	if !headerNameRE.MatchString(name) {
		return req.Output.Raw.Errorf(key, "%q is not a header name", name)
	}
	if slices.Contains(reserved, http.CanonicalHeaderKey(name)) {
		return req.Output.Raw.Errorf(key, "header %s is set by the webhook itself (it sets %s)", name, strings.Join(reserved, ", "))
	}
	return nil
}

// checkURL returns what is wrong with a webhook URL, without repeating it
// (it may come from a secret environment variable).
func checkURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "not a URL"
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Sprintf("the URL's scheme is %q: use https:// (or http://)", u.Scheme)
	case u.Host == "":
		return "the URL has no host"
	}
	return ""
}

// testOptions lets tests shorten the client's waits.
var testOptions = func(o httpsend.Options) httpsend.Options { return o }

// envVars are the environment variables Open reads: url_env, secret_env
// and each of headers_env, with the format each must have.
func envVars(s Settings) []connectors.EnvVar {
	var vars []connectors.EnvVar
	if s.URLEnv != "" {
		vars = append(vars, connectors.EnvVar{Key: "url_env", Name: s.URLEnv, What: "the webhook's URL", Check: func(v string) error {
			if msg := checkURL(v); msg != "" {
				return errors.New(msg)
			}
			return nil
		}})
	}
	if s.SecretEnv != "" {
		vars = append(vars, connectors.EnvVar{Key: "secret_env", Name: s.SecretEnv, What: "whsec_<base64>, the webhook's signing secret", Check: func(v string) error {
			_, err := DecodeSecret(v)
			return err
		}})
	}
	for _, h := range slices.Sorted(maps.Keys(s.HeadersEnv)) {
		vars = append(vars, connectors.EnvVar{Key: "headers_env." + h, Name: s.HeadersEnv[h], What: "the value of header " + h, Check: func(v string) error {
			if strings.ContainsAny(v, "\r\n\x00") {
				return errors.New("it holds more than one line")
			}
			return nil
		}})
	}
	return vars
}

// CheckEnv checks that the variables Open reads are set and well-formed.
func (d *Destination) CheckEnv(req connectors.OutputRequest) error {
	s, err := settings(req)
	if err != nil {
		return err
	}
	return connectors.CheckEnv(req.Output, envVars(s))
}

// Open reads the URL, secret and secret headers from the environment and
// returns the sync's writer.
func (d *Destination) Open(ctx context.Context, req connectors.OutputRequest) (connectors.Writer, error) {
	s, err := settings(req)
	if err != nil {
		return nil, err
	}
	env, err := connectors.ReadEnv(envVars(s))
	if err != nil {
		return nil, err
	}
	opts := httpsend.OptionsFor(req.Output)
	w := &writer{name: req.Output.Name, url: s.URL, header: http.Header{}}
	if s.URLEnv != "" {
		w.url = env["url_env"]
		opts.HidePath = true // the URL is a secret: errors show its host only
	}
	if s.SecretEnv != "" {
		secret := env["secret_env"]
		if w.key, err = DecodeSecret(secret); err != nil {
			return nil, fmt.Errorf("environment variable %s (secret_env): %w", s.SecretEnv, err)
		}
		opts.Secrets = append(opts.Secrets, secret)
	}
	for h, v := range s.Headers {
		w.header.Set(h, v)
	}
	for h := range s.HeadersEnv {
		v := env["headers_env."+h]
		w.header.Set(h, v)
		opts.Secrets = append(opts.Secrets, v)
	}
	w.client = httpsend.New(testOptions(opts))
	return w, nil
}

// DecodeSecret returns the signing key of a Standard Webhooks secret,
// whsec_ followed by base64. Errors never show the secret.
func DecodeSecret(secret string) ([]byte, error) {
	b64, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return nil, fmt.Errorf("not a Standard Webhooks secret: it must start with whsec_")
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		if key, err = base64.RawStdEncoding.DecodeString(b64); err != nil {
			return nil, fmt.Errorf("not a Standard Webhooks secret: the part after whsec_ is not base64")
		}
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("not a Standard Webhooks secret: the key after whsec_ is empty")
	}
	return key, nil
}

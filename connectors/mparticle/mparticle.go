// Package mparticle is the `mparticle` output kind: it forwards an events
// output's enriched batches to an mParticle Events API (or anything that
// speaks it, such as another mosaic), the way mParticle forwards to its
// own event integrations.
//
// Settings, besides the common output keys (send must be events):
//
//	url: https://s2s.mparticle.com   # the default; the pod's host, e.g. https://s2s.eu1.mparticle.com
//	                                 # (or url_env: MP_URL, the environment variable holding it)
//	key_env: MP_KEY                  # the environment variable holding the input's API key
//	secret_env: MP_SECRET            # and the one holding its secret
//
// Each request is POST {url}/v2/bulkevents with HTTP Basic auth (key,
// secret) and a JSON array of at most 100 batches (the endpoint's limit;
// batch_size may lower it). A 202 acknowledges every batch of the
// request. Retries, Retry-After and the halving of requests refused with
// 400, 413 or 422 (down to the batch refused alone) are package
// httpsend's.
package mparticle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// DefaultURL is mParticle's US1 Events API host.
const DefaultURL = "https://s2s.mparticle.com"

// MaxBatches is the most batches one bulk request may carry.
const MaxBatches = 100

// Settings are an mparticle output's own keys.
type Settings struct {
	URL       string `yaml:"url"`
	URLEnv    string `yaml:"url_env"`
	KeyEnv    string `yaml:"key_env"`
	SecretEnv string `yaml:"secret_env"`
}

// Destination is the mparticle output kind. It holds no state.
type Destination struct{}

// New returns the mparticle destination.
func New() *Destination { return &Destination{} }

// DefaultBatchSize is the endpoint's limit, 100 batches a request.
func (d *Destination) DefaultBatchSize() int { return MaxBatches }

func settings(req connectors.OutputRequest) (Settings, error) {
	raw := req.Output.Raw
	var s Settings
	if err := raw.Decode(&s); err != nil {
		return s, err
	}
	if s.URL != "" && s.URLEnv != "" {
		return s, raw.Errorf("url_env", "set `url:` or `url_env:`, not both")
	}
	if s.URL == "" {
		s.URL = DefaultURL
	}
	u, err := url.Parse(s.URL)
	switch {
	case req.Output.Send != config.SendEvents:
		return s, raw.Errorf("send", "an mparticle output forwards event batches: use `send: events`")
	case req.Output.BatchSize > MaxBatches:
		return s, raw.Errorf("batch_size", "the Events API takes at most %d batches a request, got %d", MaxBatches, req.Output.BatchSize)
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return s, raw.Errorf("url", "%q is not an http(s) URL of the Events API's host, like %s", s.URL, DefaultURL)
	case u.User != nil:
		return s, raw.Errorf("url", "the URL holds credentials: read them from the environment with key_env and secret_env")
	case s.KeyEnv == "" || s.SecretEnv == "":
		return s, raw.Errorf("kind", "an mparticle output needs `key_env:` and `secret_env:`, the environment variables holding the input's API key and secret")
	}
	return s, nil
}

// Validate checks the settings without reading the environment.
func (d *Destination) Validate(req connectors.OutputRequest) error {
	_, err := settings(req)
	return err
}

// envVars are the environment variables Open reads: the key, the secret
// and, with url_env, the URL.
func envVars(s Settings) []connectors.EnvVar {
	vars := []connectors.EnvVar{
		{Key: "key_env", Name: s.KeyEnv, What: "the Events API input's key"},
		{Key: "secret_env", Name: s.SecretEnv, What: "the Events API input's secret"},
	}
	if s.URLEnv != "" {
		vars = append(vars, connectors.EnvVar{Key: "url_env", Name: s.URLEnv, What: "the Events API's host, like " + DefaultURL, Check: checkURL})
	}
	return vars
}

// checkURL says what is wrong with the Events API's URL from url_env,
// without repeating it.
func checkURL(v string) error {
	u, err := url.Parse(v)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return fmt.Errorf("it is not an http(s) URL, like %s", DefaultURL)
	case u.User != nil:
		return errors.New("the URL holds credentials: give them with key_env and secret_env")
	}
	return nil
}

// CheckEnv checks that the variables Open reads are set and well-formed.
func (d *Destination) CheckEnv(req connectors.OutputRequest) error {
	s, err := settings(req)
	if err != nil {
		return err
	}
	return connectors.CheckEnv(req.Output, envVars(s))
}

// Open reads the key and secret from the environment.
func (d *Destination) Open(ctx context.Context, req connectors.OutputRequest) (connectors.Writer, error) {
	s, err := settings(req)
	if err != nil {
		return nil, err
	}
	env, err := connectors.ReadEnv(envVars(s))
	if err != nil {
		return nil, err
	}
	key, secret := env["key_env"], env["secret_env"]
	if s.URLEnv != "" {
		s.URL = env["url_env"]
	}
	opts := httpsend.OptionsFor(req.Output)
	opts.Secrets = []string{key, secret}
	return &writer{name: req.Output.Name, url: strings.TrimRight(s.URL, "/") + "/v2/bulkevents", key: key, secret: secret,
		client: httpsend.New(opts)}, nil
}

type writer struct {
	name, url, key, secret string
	client                 *httpsend.Client
}

// Write posts the batches, halving a request that is refused for what it
// carries.
func (w *writer) Write(ctx context.Context, b connectors.Batch) ([]error, error) {
	errs := httpsend.Split(ctx, len(b.Records), func(ctx context.Context, lo, hi int) error {
		batches := make([]json.RawMessage, 0, hi-lo)
		for _, r := range b.Records[lo:hi] {
			if r.Op != connectors.OpForward {
				return &connectors.RecordError{Msg: fmt.Sprintf("an mparticle output forwards batches, not %s records", r.Op)}
			}
			batches = append(batches, r.Fields)
		}
		body, err := json.Marshal(batches)
		if err != nil {
			return fmt.Errorf("encode the request: %w", err)
		}
		header := http.Header{"Content-Type": {"application/json"}, "User-Agent": {"mosaic"}}
		_, err = w.client.Do(ctx, func() (*http.Request, error) {
			req, err := httpsend.NewRequest(http.MethodPost, w.url, header, body)()
			if err != nil {
				return nil, err
			}
			req.SetBasicAuth(w.key, w.secret)
			return req, nil
		})
		return err
	})
	if err := httpsend.Failed(errs); err != nil {
		return nil, err
	}
	return errs, nil
}

// Close releases nothing.
func (w *writer) Close() error { return nil }

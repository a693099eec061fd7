// Package tradedesk is the `uid2_trade_desk` output kind: it keeps a The
// Trade Desk first-party data segment in step with one mosaic audience,
// its members known by their raw UID2s.
//
// Settings, besides the common output keys (send must be audience, with
// one audience, and identities the types to map):
//
//	advertiser_id: abc123xyz          # the TTD advertiser
//	ttd_secret_env: TTD_SECRET        # the advertiser's secret key (Data API signing)
//	uid2_key_env: UID2_KEY            # the UID2 client API key (MAPPER role)
//	uid2_secret_env: UID2_SECRET      # the UID2 client secret, base64
//	segment: vip_customers            # the TTD data name; the default is the audience's name
//	ttl: 30d                          # membership lifetime; the default is 30d, at most 180d
//	uid2_endpoint: https://prod.uidapi.com     # the default
//	ttd_endpoint: https://use-data.adsrvr.org  # the default (a TTD 1PD data server)
//
// Identity types: email, and mobile_number, phone_number_2 and
// phone_number_3 (E.164, with +). Values are normalised and hashed as
// package adnorm says for UID2, then mapped to raw UID2s through UID2's
// identity map (package uid2: encrypted requests of at most 5,000 hashes,
// one after the other). A hash UID2 does not map (opted out, invalid) is
// left out; an add none of whose identities maps is refused alone (a
// RecordError naming the reasons); a remove with none has nothing to
// remove.
//
// Mappings are kept between syncs in the output's state (the engine's
// connectors.OutputState; mappings.go): a hash's raw UID2, tagged with its
// salt bucket, so a sync maps only the hashes it has not mapped (those UID2
// did not map are asked again). At its first write a writer asks UID2
// which buckets rotated since its last check (POST /v2/identity/buckets)
// and drops their mappings: records sent afterwards (changes, and the
// refreshes below) carry the new UID2s. Without a state (a writer opened
// outside the engine) mappings last the writer's life.
//
// The UID2s go to POST {ttd_endpoint}/data/advertiser as
//
//	{"AdvertiserId": "…", "Items": [{"UID2": "…", "Data": [{"Name": "<segment>", "TTLInMinutes": 43200}]}]}
//
// with the header TtdSignature, the base64 HMAC-SHA1 of the body under the
// advertiser's secret key. An add sends TTLInMinutes of ttl, a remove
// TTLInMinutes 0 (TTD drops the membership). Runs of one operation go in
// the engine's order, at most MaxItems items a request. TTD's FailedLines
// in a 200 answer (ItemNumber counting Items from 1) refuse exactly the
// records whose items they name. 429 and 5xx are retried with package
// httpsend's backoff (Retry-After honoured); 400 and 413 are halved to
// isolate the records refused; 401 and 403 fail the output.
//
// The destination is a connectors.Refresher: a member held unchanged for
// ttl/2 is sent again, with its TTL anew, so that it stays in the segment
// for as long as it stays in the audience, and a UID2 whose bucket
// rotated is replaced within ttl/2 (the old UID2's membership lapses with
// its TTL).
package tradedesk

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
	"github.com/mosaic-cdp/mosaic/connectors/uid2"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Kind is the output kind this package implements.
const Kind = "uid2_trade_desk"

// Defaults and limits.
const (
	DefaultTTDEndpoint = "https://use-data.adsrvr.org"
	DefaultTTL         = 30 * 24 * time.Hour
	// MaxTTL is the longest membership TTD keeps.
	MaxTTL = 180 * 24 * time.Hour
	// MaxItems is the most items one data request carries (mosaic's
	// choice; a 413 halves a request).
	MaxItems = 5000
)

// Kinds maps the identity types the output maps to UID2 identity kinds.
var Kinds = map[string]string{
	"email":          uid2.KindEmail,
	"mobile_number":  uid2.KindPhone,
	"phone_number_2": uid2.KindPhone,
	"phone_number_3": uid2.KindPhone,
}

// Settings are a uid2_trade_desk output's own keys.
type Settings struct {
	UID2Endpoint  string          `yaml:"uid2_endpoint"`
	UID2KeyEnv    string          `yaml:"uid2_key_env"`
	UID2SecretEnv string          `yaml:"uid2_secret_env"`
	TTDEndpoint   string          `yaml:"ttd_endpoint"`
	AdvertiserID  string          `yaml:"advertiser_id"`
	TTDSecretEnv  string          `yaml:"ttd_secret_env"`
	Segment       string          `yaml:"segment"`
	TTL           config.Duration `yaml:"ttl"`
}

// Destination is the uid2_trade_desk output kind. It holds no state.
type Destination struct{}

// New returns the uid2_trade_desk destination.
func New() *Destination { return &Destination{} }

// DefaultBatchSize is MaxItems records a write.
func (d *Destination) DefaultBatchSize() int { return MaxItems }

var (
	advertiserRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)
)

func supported() string {
	ts := make([]string, 0, len(Kinds))
	for t := range Kinds {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return strings.Join(ts, ", ")
}

// checkURL says what is wrong with an endpoint setting, or "".
func checkURL(s, example string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return fmt.Sprintf("%q is not an http(s) URL like %s", s, example)
	case u.User != nil || u.RawQuery != "":
		return "the endpoint holds credentials or a query: give secrets with the *_env keys"
	}
	return ""
}

func settings(req connectors.OutputRequest) (Settings, error) {
	o, raw := req.Output, req.Output.Raw
	var s Settings
	if err := raw.Decode(&s); err != nil {
		return s, err
	}
	if s.UID2Endpoint == "" {
		s.UID2Endpoint = uid2.DefaultEndpoint
	}
	if s.TTDEndpoint == "" {
		s.TTDEndpoint = DefaultTTDEndpoint
	}
	if s.TTL == 0 {
		s.TTL = config.Duration(DefaultTTL)
	}
	if s.Segment == "" && len(o.OutputAudiences()) == 1 {
		s.Segment = o.OutputAudiences()[0]
	}
	ttl := time.Duration(s.TTL)
	switch {
	case o.Send != config.SendAudience:
		return s, raw.Errorf("send", "a %s output puts an audience's members in a Trade Desk segment: use `send: audience`", Kind)
	case len(o.OutputAudiences()) != 1:
		return s, raw.Errorf("audiences", "a %s output keeps one segment in step with one mosaic audience: use one output per audience", Kind)
	case o.Mode != "" && o.Mode != config.ModeMirror:
		return s, raw.Errorf("mode", "a %s output mirrors its audience (adds and removes): remove `mode:` or set `mode: mirror`", Kind)
	case o.BatchSize > MaxItems:
		return s, raw.Errorf("batch_size", "a %s output sends at most %d records a write, got batch_size %d", Kind, MaxItems, o.BatchSize)
	case s.AdvertiserID == "":
		return s, raw.Errorf("kind", "a %s output needs `advertiser_id:`, the Trade Desk advertiser's id (Advertiser Preferences)", Kind)
	case !advertiserRE.MatchString(s.AdvertiserID):
		return s, raw.Errorf("advertiser_id", "%q is not a Trade Desk advertiser id (letters and digits, like abc123x)", s.AdvertiserID)
	case ttl < time.Minute || ttl%time.Minute != 0:
		return s, raw.Errorf("ttl", "ttl %s is not a whole number of minutes of at least 1m: TTD counts memberships in minutes", s.TTL)
	case ttl > MaxTTL:
		return s, raw.Errorf("ttl", "ttl %s is longer than the 180d The Trade Desk keeps a membership: use at most 180d", s.TTL)
	case strings.TrimSpace(s.Segment) != s.Segment || s.Segment == "":
		return s, raw.Errorf("segment", "the segment name %q is empty or has surrounding spaces", s.Segment)
	case len(o.Identities) == 0:
		return s, raw.Errorf("kind", "list the identities to map to UID2s in `identities:`, among %s", supported())
	}
	for _, kv := range [][2]string{{"ttd_secret_env", s.TTDSecretEnv}, {"uid2_key_env", s.UID2KeyEnv}, {"uid2_secret_env", s.UID2SecretEnv}} {
		key, env := kv[0], kv[1]
		if env == "" {
			return s, raw.Errorf("kind", "a %s output needs `%s:`, the environment variable holding %s", Kind, key, envWhat[key])
		}
		if !config.EnvNameRE.MatchString(env) {
			return s, raw.Errorf(key, "%q is not an environment variable name (letters, digits and _, not starting with a digit)", env)
		}
	}
	if msg := checkURL(s.UID2Endpoint, uid2.DefaultEndpoint); msg != "" {
		return s, raw.Errorf("uid2_endpoint", "%s", msg)
	}
	if msg := checkURL(s.TTDEndpoint, DefaultTTDEndpoint); msg != "" {
		return s, raw.Errorf("ttd_endpoint", "%s", msg)
	}
	for i, t := range o.Identities {
		c, _ := config.CanonicalIdentityType(t)
		if _, ok := Kinds[c]; !ok {
			return s, raw.Errorf(fmt.Sprintf("identities[%d]", i), "UID2 maps e-mails and phone numbers only, not %q: use %s", t, supported())
		}
	}
	return s, nil
}

var envWhat = map[string]string{
	"uid2_key_env":    "the UID2 client API key",
	"uid2_secret_env": "the UID2 client secret (base64)",
	"ttd_secret_env":  "the Trade Desk advertiser's secret key",
}

// Validate checks the settings without reading the environment.
func (d *Destination) Validate(req connectors.OutputRequest) error {
	_, err := settings(req)
	return err
}

// envVars are the environment variables Open reads: the UID2 client's
// key and secret (base64 of an AES-256 key), and TTD's secret key.
func envVars(s Settings) []connectors.EnvVar {
	return []connectors.EnvVar{
		{Key: "uid2_key_env", Name: s.UID2KeyEnv, What: envWhat["uid2_key_env"]},
		{Key: "uid2_secret_env", Name: s.UID2SecretEnv, What: envWhat["uid2_secret_env"], Check: func(v string) error {
			_, err := uid2.ParseSecret(v)
			return err
		}},
		{Key: "ttd_secret_env", Name: s.TTDSecretEnv, What: envWhat["ttd_secret_env"]},
	}
}

// CheckEnv checks that the three secrets are set, the UID2 client
// secret in its format.
func (d *Destination) CheckEnv(req connectors.OutputRequest) error {
	s, err := settings(req)
	if err != nil {
		return err
	}
	return connectors.CheckEnv(req.Output, envVars(s))
}

// testOptions lets tests shorten the clients' waits.
var testOptions = func(o httpsend.Options) httpsend.Options { return o }

// Open reads the three secrets and builds the UID2 and TTD clients.
func (d *Destination) Open(ctx context.Context, req connectors.OutputRequest) (connectors.Writer, error) {
	s, err := settings(req)
	if err != nil {
		return nil, err
	}
	name := req.Output.Name
	env, err := connectors.ReadEnv(envVars(s))
	if err != nil {
		return nil, err
	}
	uid2Key, uid2SecretB64, ttdSecret := env["uid2_key_env"], env["uid2_secret_env"], env["ttd_secret_env"]
	uid2Secret, err := uid2.ParseSecret(uid2SecretB64)
	if err != nil {
		return nil, fmt.Errorf("environment variable %s (uid2_secret_env): %w", s.UID2SecretEnv, err)
	}
	opts := httpsend.OptionsFor(req.Output)
	opts.Secrets = []string{uid2Key, uid2SecretB64, ttdSecret}
	opts.HTTP = &http.Client{CheckRedirect: noRedirect}
	opts = testOptions(opts)
	kinds := map[string]string{}
	for _, t := range req.Output.Identities {
		c, _ := config.CanonicalIdentityType(t)
		kinds[c] = Kinds[c]
	}
	return &writer{
		name:       name,
		url:        strings.TrimRight(s.TTDEndpoint, "/") + "/data/advertiser",
		advertiser: s.AdvertiserID,
		segment:    s.Segment,
		ttl:        int(time.Duration(s.TTL) / time.Minute),
		secret:     []byte(ttdSecret),
		kinds:      kinds,
		uid2:       uid2.NewClient(s.UID2Endpoint, uid2Key, uid2Secret, opts),
		client:     httpsend.New(opts),
		cache:      map[string]uid2.Mapping{},
		state:      req.State,
	}, nil
}

// RefreshAfter is half the output's ttl: a member that stays in the
// audience is sent again, with its TTL anew, before TTD lets its
// membership lapse.
func (d *Destination) RefreshAfter(req connectors.OutputRequest) (time.Duration, error) {
	s, err := settings(req)
	if err != nil {
		return 0, err
	}
	return time.Duration(s.TTL) / 2, nil
}

// noRedirect refuses redirects: neither API redirects, and following one
// would send signed or encrypted data elsewhere.
func noRedirect(req *http.Request, via []*http.Request) error { return http.ErrUseLastResponse }

// Package meta is the `meta_custom_audience` output kind: it keeps a Meta
// (Facebook, Instagram) Custom Audience in step with one mosaic audience,
// through the Marketing API's users edge of the audience.
//
// Settings, besides the common output keys (send must be audience, with
// one audience, and identities the types to upload):
//
//	audience_id: "23850000000000000"   # the Custom Audience's id
//	access_token_env: META_TOKEN       # the environment variable holding a token with ads_management
//	endpoint: https://graph.facebook.com  # the default
//	version: v21.0                     # the Graph API version; the default is DefaultVersion
//
// Identity types map to schema keys: email → EMAIL, mobile_number,
// phone_number_2 and phone_number_3 → PHONE, customerid → EXTERN_ID,
// ios_idfa and android_aaid → MADID. Values are normalised and hashed as
// package adnorm says for Meta (EXTERN_ID and MADID go unhashed).
//
// An add is POST {endpoint}/{version}/{audience_id}/users, a remove DELETE
// on the same URL, both with the JSON body
//
//	{"payload": {"schema": ["EMAIL", "PHONE"], "data": [["<sha256>", "<sha256>"], ...]},
//	 "session": {"session_id": 1234, "batch_seq": 1, "last_batch_flag": true, "estimated_num_total": 2}}
//
// and the token in an Authorization: Bearer header. A record becomes one
// row a value of its most-valued key (a profile with two e-mails is two
// rows); a request carries at most MaxRows rows, one session a write's
// range. A remove carries the identities last delivered, so it deletes
// what its add uploaded. Records go in the engine's order, removes first.
//
// Throttling errors (codes 4, 17, 32, 613, 80003) are retried with
// package httpsend's backoff, as are 429 and 5xx. A blocked audience
// (error_subcode 1713230), a bad token or a missing permission fails the
// output with Meta's message. A record none of whose identities can be
// normalised is refused alone (a RecordError); the identities Meta itself
// finds invalid come back as num_invalid_entries, which is logged.
package meta

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Kind is the output kind this package implements.
const Kind = "meta_custom_audience"

// Defaults and limits.
const (
	DefaultEndpoint = "https://graph.facebook.com"
	DefaultVersion  = "v21.0"
	// MaxRows is the most rows one users request may carry.
	MaxRows = 10000
)

// SchemaKeys maps the identity types mosaic uploads to Meta schema keys.
var SchemaKeys = map[string]string{
	"email":          adnorm.MetaEmail,
	"mobile_number":  adnorm.MetaPhone,
	"phone_number_2": adnorm.MetaPhone,
	"phone_number_3": adnorm.MetaPhone,
	"customerid":     adnorm.MetaExternID,
	"ios_idfa":       adnorm.MetaMADID,
	"android_aaid":   adnorm.MetaMADID,
}

// keyOrder is the order of a request's schema.
var keyOrder = []string{adnorm.MetaEmail, adnorm.MetaPhone, adnorm.MetaExternID, adnorm.MetaMADID}

// Settings are a meta_custom_audience output's own keys.
type Settings struct {
	AudienceID     string `yaml:"audience_id"`
	AccessTokenEnv string `yaml:"access_token_env"`
	Endpoint       string `yaml:"endpoint"`
	Version        string `yaml:"version"`
}

// Destination is the meta_custom_audience output kind. It holds no state.
type Destination struct{}

// New returns the meta_custom_audience destination.
func New() *Destination { return &Destination{} }

// DefaultBatchSize is MaxRows records a write.
func (d *Destination) DefaultBatchSize() int { return MaxRows }

var (
	versionRE  = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)
	audienceRE = regexp.MustCompile(`^[0-9]+$`)
)

// supported lists the identity types SchemaKeys maps, sorted.
func supported() string {
	var ts []string
	for t := range SchemaKeys {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return strings.Join(ts, ", ")
}

func settings(req connectors.OutputRequest) (Settings, error) {
	o, raw := req.Output, req.Output.Raw
	var s Settings
	if err := raw.Decode(&s); err != nil {
		return s, err
	}
	if s.Endpoint == "" {
		s.Endpoint = DefaultEndpoint
	}
	if s.Version == "" {
		s.Version = DefaultVersion
	}
	u, err := url.Parse(s.Endpoint)
	switch {
	case o.Send != config.SendAudience:
		return s, raw.Errorf("send", "a %s output uploads an audience's members: use `send: audience`", Kind)
	case len(o.OutputAudiences()) != 1:
		return s, raw.Errorf("audiences", "a %s output keeps one Custom Audience in step with one mosaic audience: a profile in two would be deleted from the Custom Audience when it left one. Use one output per audience", Kind)
	case o.Mode != "" && o.Mode != config.ModeMirror:
		return s, raw.Errorf("mode", "a %s output mirrors its audience (adds and removes): remove `mode:` or set `mode: mirror`", Kind)
	case o.BatchSize > MaxRows:
		return s, raw.Errorf("batch_size", "Meta takes at most %d rows a request, got batch_size %d", MaxRows, o.BatchSize)
	case s.AudienceID == "":
		return s, raw.Errorf("kind", "a %s output needs `audience_id:`, the Custom Audience's id (Ads Manager, Audiences)", Kind)
	case !audienceRE.MatchString(s.AudienceID):
		return s, raw.Errorf("audience_id", "a Custom Audience id is digits, like \"23850000000000000\"; quote it")
	case s.AccessTokenEnv == "":
		return s, raw.Errorf("kind", "a %s output needs `access_token_env:`, the environment variable holding a Marketing API token with ads_management", Kind)
	case !config.EnvNameRE.MatchString(s.AccessTokenEnv):
		return s, raw.Errorf("access_token_env", "%q is not an environment variable name (letters, digits and _, not starting with a digit)", s.AccessTokenEnv)
	case !versionRE.MatchString(s.Version):
		return s, raw.Errorf("version", "%q is not a Graph API version like %s", s.Version, DefaultVersion)
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return s, raw.Errorf("endpoint", "%q is not an http(s) URL like %s", s.Endpoint, DefaultEndpoint)
	case u.User != nil || u.RawQuery != "":
		return s, raw.Errorf("endpoint", "the endpoint holds credentials or a query: give the token with access_token_env")
	case len(o.Identities) == 0:
		return s, raw.Errorf("kind", "list the identities to upload in `identities:`, among %s", supported())
	}
	for i, t := range o.Identities {
		c, _ := config.CanonicalIdentityType(t)
		if _, ok := SchemaKeys[c]; !ok {
			return s, raw.Errorf(fmt.Sprintf("identities[%d]", i), "Meta cannot match identity type %q: use %s", t, supported())
		}
	}
	return s, nil
}

// Validate checks the settings without reading the environment.
func (d *Destination) Validate(req connectors.OutputRequest) error {
	_, err := settings(req)
	return err
}

// envVars are the environment variables Open reads: the access token.
func envVars(s Settings) []connectors.EnvVar {
	return []connectors.EnvVar{{Key: "access_token_env", Name: s.AccessTokenEnv, What: "a Marketing API access token with the ads_management permission"}}
}

// CheckEnv checks that the access token's variable is set.
func (d *Destination) CheckEnv(req connectors.OutputRequest) error {
	s, err := settings(req)
	if err != nil {
		return err
	}
	return connectors.CheckEnv(req.Output, envVars(s))
}

// testOptions lets tests shorten the client's waits.
var testOptions = func(o httpsend.Options) httpsend.Options { return o }

// Open reads the access token from the environment.
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
	token := env["access_token_env"]
	opts := httpsend.OptionsFor(req.Output)
	opts.Secrets = []string{token}
	opts.HTTP = &http.Client{Transport: throttleTransport{base: http.DefaultTransport}, CheckRedirect: noRedirect}
	types := map[string]string{}
	for _, t := range req.Output.Identities {
		c, _ := config.CanonicalIdentityType(t)
		types[c] = SchemaKeys[c]
	}
	return &writer{
		name:   name,
		url:    strings.TrimRight(s.Endpoint, "/") + "/" + s.Version + "/" + s.AudienceID + "/users",
		token:  token,
		types:  types,
		client: httpsend.New(testOptions(opts)),
		log:    logger(),
	}, nil
}

// noRedirect refuses redirects: a users request is never redirected, and
// following one would resend the token elsewhere.
func noRedirect(req *http.Request, via []*http.Request) error { return http.ErrUseLastResponse }

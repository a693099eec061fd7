// Package google is the `google_customer_match` output kind: it keeps a
// Google Customer Match audience (Google Ads, Display & Video 360) in step
// with one mosaic audience through the Data Manager API.
//
// Settings, besides the common output keys (send must be audience, with
// one audience; identities among email, mobile_number, phone_number_2,
// phone_number_3):
//
//	audience_id: "8457012345"          # the user list: the destination's productDestinationId
//	account_id: "1234567890"           # the operating account (no dashes)
//	account_type: GOOGLE_ADS           # the default; or DISPLAY_VIDEO_ADVERTISER, DISPLAY_VIDEO_PARTNER, DATA_PARTNER
//	login_account_id: "9876543210"     # optional: the manager account the credentials reach it through
//	login_account_type: GOOGLE_ADS     # with login_account_id; GOOGLE_ADS by default
//	consent: {ad_user_data: granted, ad_personalization: granted}  # optional: granted or denied each
//	credentials_env: GOOGLE_DM_CREDENTIALS  # the environment variable holding a credentials JSON:
//	                                   # a service account key (type service_account) or a
//	                                   # refresh token (type authorized_user, as gcloud writes it)
//	endpoint: https://datamanager.googleapis.com  # the default
//	token_url: https://oauth2.googleapis.com/token  # optional: overrides the credentials' token URL
//
// An add is POST {endpoint}/v1/audienceMembers:ingest, a remove POST
// {endpoint}/v1/audienceMembers:remove, with encoding HEX, one audience
// member a record (its e-mails and phones, at most MaxIdentifiers,
// normalised and hashed as package adnorm says for Google) and at most
// MaxMembers members a request; the consent goes with every ingest. The
// OAuth2 token (scope datamanager) comes from golang.org/x/oauth2.
//
// Requests are limited to rate_limit a second (DefaultRateLimit, the
// project's 300 a minute, when unset); 429 RESOURCE_EXHAUSTED and 5xx are
// retried with package httpsend's backoff. A 400 whose field violations
// name audience members (INVALID_SHA256_FORMAT …) refuses those records
// alone (RecordErrors with the reason), and the rest are sent again.
//
// The destination is a connectors.Validator: on `mosaic sync --dry-run`
// the same requests go with validateOnly set, so that the API reports the
// members it would refuse and applies nothing.
package google

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/oauth2"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Kind is the output kind this package implements.
const Kind = "google_customer_match"

// Defaults and limits.
const (
	DefaultEndpoint = "https://datamanager.googleapis.com"
	DefaultTokenURL = "https://oauth2.googleapis.com/token"
	Scope           = "https://www.googleapis.com/auth/datamanager"
	// MaxMembers is the most audience members a request; MaxIdentifiers
	// the most identifiers a member.
	MaxMembers     = 10000
	MaxIdentifiers = 10
	// DefaultRateLimit is the project's quota, 300 requests a minute.
	DefaultRateLimit = 5.0
)

// identityKinds maps the identity types mosaic uploads to adnorm's kinds.
var identityKinds = map[string]string{
	"email":          "email",
	"mobile_number":  "phone",
	"phone_number_2": "phone",
	"phone_number_3": "phone",
}

var (
	accountTypes = []string{"GOOGLE_ADS", "DISPLAY_VIDEO_ADVERTISER", "DISPLAY_VIDEO_PARTNER", "DATA_PARTNER"}
	digitsRE     = regexp.MustCompile(`^[0-9]+$`)
)

// Consent is the output's consent settings: granted or denied each.
type Consent struct {
	AdUserData        string `yaml:"ad_user_data"`
	AdPersonalization string `yaml:"ad_personalization"`
}

// Settings are a google_customer_match output's own keys.
type Settings struct {
	AudienceID       string  `yaml:"audience_id"`
	AccountID        string  `yaml:"account_id"`
	AccountType      string  `yaml:"account_type"`
	LoginAccountID   string  `yaml:"login_account_id"`
	LoginAccountType string  `yaml:"login_account_type"`
	Consent          Consent `yaml:"consent"`
	CredentialsEnv   string  `yaml:"credentials_env"`
	Endpoint         string  `yaml:"endpoint"`
	TokenURL         string  `yaml:"token_url"`
}

// Destination is the google_customer_match output kind. It holds no
// state.
type Destination struct{}

var _ connectors.Validator = (*Destination)(nil)

// New returns the google_customer_match destination.
func New() *Destination { return &Destination{} }

// DefaultBatchSize is MaxMembers records a write.
func (d *Destination) DefaultBatchSize() int { return MaxMembers }

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil && u.RawQuery == ""
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
	if s.AccountType == "" {
		s.AccountType = "GOOGLE_ADS"
	}
	if s.LoginAccountType == "" && s.LoginAccountID != "" {
		s.LoginAccountType = "GOOGLE_ADS"
	}
	switch {
	case o.Send != config.SendAudience:
		return s, raw.Errorf("send", "a %s output uploads an audience's members: use `send: audience`", Kind)
	case len(o.OutputAudiences()) != 1:
		return s, raw.Errorf("audiences", "a %s output keeps one Customer Match list in step with one mosaic audience: a profile in two would be removed from the list when it left one. Use one output per audience", Kind)
	case o.Mode != "" && o.Mode != config.ModeMirror:
		return s, raw.Errorf("mode", "a %s output mirrors its audience (adds and removes): remove `mode:` or set `mode: mirror`", Kind)
	case o.BatchSize > MaxMembers:
		return s, raw.Errorf("batch_size", "the Data Manager API takes at most %d members a request, got batch_size %d", MaxMembers, o.BatchSize)
	case !digitsRE.MatchString(s.AudienceID):
		return s, raw.Errorf("audience_id", "a %s output needs `audience_id:`, the Customer Match list's id (digits; quote it)", Kind)
	case !digitsRE.MatchString(s.AccountID):
		return s, raw.Errorf("account_id", "a %s output needs `account_id:`, the operating account's id, digits without dashes (quote it)", Kind)
	case !contains(accountTypes, s.AccountType):
		return s, raw.Errorf("account_type", "account_type %q: use one of %s", s.AccountType, strings.Join(accountTypes, ", "))
	case s.LoginAccountID != "" && !digitsRE.MatchString(s.LoginAccountID):
		return s, raw.Errorf("login_account_id", "an account id is digits without dashes (quote it)")
	case s.LoginAccountType != "" && (s.LoginAccountID == "" || !contains(accountTypes, s.LoginAccountType)):
		return s, raw.Errorf("login_account_type", "login_account_type goes with login_account_id, and is one of %s", strings.Join(accountTypes, ", "))
	case !config.EnvNameRE.MatchString(s.CredentialsEnv):
		return s, raw.Errorf("credentials_env", "a %s output needs `credentials_env:`, the environment variable holding a service account key or an authorized_user (refresh token) JSON", Kind)
	case !httpURL(s.Endpoint):
		return s, raw.Errorf("endpoint", "%q is not an http(s) URL without credentials or query, like %s", s.Endpoint, DefaultEndpoint)
	case s.TokenURL != "" && !httpURL(s.TokenURL):
		return s, raw.Errorf("token_url", "%q is not an http(s) URL without credentials or query, like %s", s.TokenURL, DefaultTokenURL)
	case len(o.Identities) == 0:
		return s, raw.Errorf("kind", "list the identities to upload in `identities:`: email, mobile_number, phone_number_2, phone_number_3")
	}
	for key, v := range map[string]string{"consent.ad_user_data": s.Consent.AdUserData, "consent.ad_personalization": s.Consent.AdPersonalization} {
		if v != "" && v != "granted" && v != "denied" {
			return s, raw.Errorf(key, "consent is granted or denied, got %q", v)
		}
	}
	for i, t := range o.Identities {
		c, _ := config.CanonicalIdentityType(t)
		if _, ok := identityKinds[c]; !ok {
			return s, raw.Errorf(fmt.Sprintf("identities[%d]", i), "Customer Match matches e-mail addresses and phone numbers: identity type %q cannot be sent; use email, mobile_number, phone_number_2 or phone_number_3", t)
		}
	}
	return s, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Validate checks the settings without reading the environment.
func (d *Destination) Validate(req connectors.OutputRequest) error {
	_, err := settings(req)
	return err
}

// CheckEnv checks that credentials_env's variable holds credentials of a
// kind Open can use, without asking for a token.
func (d *Destination) CheckEnv(req connectors.OutputRequest) error {
	s, err := settings(req)
	if err != nil {
		return err
	}
	return connectors.CheckEnv(req.Output, envVars(s))
}

// testOptions lets tests shorten the client's waits.
var testOptions = func(o httpsend.Options) httpsend.Options { return o }

// Open reads the credentials, gets a first token (so that bad credentials
// fail the output at once) and returns the sync's writer.
func (d *Destination) Open(ctx context.Context, req connectors.OutputRequest) (connectors.Writer, error) {
	return d.open(ctx, req, false)
}

// OpenValidate is Open for a dry run: every request the writer sends
// carries validateOnly, so the API checks it as it would the real one,
// answers the same field violations, and changes nothing.
func (d *Destination) OpenValidate(ctx context.Context, req connectors.OutputRequest) (connectors.Writer, error) {
	return d.open(ctx, req, true)
}

func (d *Destination) open(ctx context.Context, req connectors.OutputRequest, validateOnly bool) (connectors.Writer, error) {
	s, err := settings(req)
	if err != nil {
		return nil, err
	}
	name := req.Output.Name
	ts, err := tokenSource(ctx, s)
	if err != nil {
		return nil, err
	}
	tok, err := ts.Token()
	if err != nil {
		return nil, fmt.Errorf("get an OAuth2 token with the credentials in %s (credentials_env): %v; check that they are current and allowed the datamanager scope", s.CredentialsEnv, err)
	}
	opts := httpsend.OptionsFor(req.Output)
	if opts.RateLimit == 0 {
		opts.RateLimit = DefaultRateLimit
	}
	opts.Secrets = []string{tok.AccessToken}
	// No redirects: an API request is never redirected, and a POST
	// answered by 302 would be resent as a GET.
	opts.HTTP = &http.Client{Transport: &oauth2.Transport{Source: ts, Base: http.DefaultTransport},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	dest := destination{OperatingAccount: account{AccountType: s.AccountType, AccountID: s.AccountID}, ProductDestinationID: s.AudienceID}
	if s.LoginAccountID != "" {
		dest.LoginAccount = &account{AccountType: s.LoginAccountType, AccountID: s.LoginAccountID}
	}
	w := &writer{name: name, base: strings.TrimRight(s.Endpoint, "/") + "/v1/audienceMembers", dest: dest,
		kinds: map[string]string{}, client: httpsend.New(testOptions(opts)), validateOnly: validateOnly}
	if c := s.Consent; c != (Consent{}) {
		w.consent = &consent{AdUserData: consentValue(c.AdUserData), AdPersonalization: consentValue(c.AdPersonalization)}
	}
	for _, t := range req.Output.Identities {
		c, _ := config.CanonicalIdentityType(t)
		w.kinds[c] = identityKinds[c]
	}
	return w, nil
}

func consentValue(v string) string {
	switch v {
	case "granted":
		return "CONSENT_GRANTED"
	case "denied":
		return "CONSENT_DENIED"
	}
	return ""
}

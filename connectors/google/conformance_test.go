package google

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/google/googletest"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
)

const (
	clientID     = "client-1.apps.googleusercontent.com"
	clientSecret = "GOCSPX-test-secret"
	refreshToken = "1//refresh-TOKEN-test"
	audienceID   = "8457012345"
	accountID    = "1234567890"
)

func init() {
	testOptions = func(o httpsend.Options) httpsend.Options {
		o.InitialInterval, o.MaxInterval, o.MaxTries, o.RateLimit = time.Millisecond, 5*time.Millisecond, 4, 0
		return o
	}
}

// newServer starts a list that takes the tests' refresh token.
func newServer(t *testing.T) *googletest.Server {
	s := googletest.New(t)
	s.Audience, s.Account = audienceID, accountID
	s.ClientID, s.ClientSecret, s.RefreshToken = clientID, clientSecret, refreshToken
	s.Consent = map[string]string{"adUserData": "CONSENT_GRANTED", "adPersonalization": "CONSENT_DENIED"}
	return s
}

func userCredentials(t *testing.T) string {
	b, _ := json.Marshal(map[string]string{"type": "authorized_user", "client_id": clientID, "client_secret": clientSecret, "refresh_token": refreshToken})
	return string(b)
}

// outputKeys are an output's keys for server s.
func outputKeys(s *googletest.Server) string {
	return "    kind: " + Kind + "\n    endpoint: " + s.URL + "\n    token_url: " + s.TokenURL() +
		"\n    audience_id: \"" + audienceID + "\"\n    account_id: \"" + accountID +
		"\"\n    credentials_env: MOSAIC_TEST_GOOGLE_CREDENTIALS\n    consent: {ad_user_data: granted, ad_personalization: denied}\n"
}

// TestDestinationConformance runs the audience suite against a Data
// Manager API and token endpoint on 127.0.0.1, one per output.
func TestDestinationConformance(t *testing.T) {
	t.Setenv("MOSAIC_TEST_GOOGLE_CREDENTIALS", userCredentials(t))
	servers := map[string]*googletest.Server{}
	connectortest.RunAudienceDestination(t, Kind, New(), connectortest.AudienceFixture{
		Output: func(t *testing.T, dir, name string) string {
			servers[name] = newServer(t)
			return outputKeys(servers[name]) + "    batch_size: 2\n"
		},
		Members: func(t *testing.T, name string) []string { return servers[name].Members() },
		// Google's published e-mail rule, applied here independently of
		// package adnorm: no white space, lowercase; gmail.com and
		// googlemail.com without dots and +tags; SHA-256 hex.
		Member: func(t *testing.T, typ, value string) string {
			if typ != "email" {
				t.Fatalf("identity type %q: the suite's output sends e-mails", typ)
			}
			e := strings.ToLower(strings.Join(strings.Fields(value), ""))
			if local, domain, _ := strings.Cut(e, "@"); domain == "gmail.com" || domain == "googlemail.com" {
				local, _, _ = strings.Cut(local, "+")
				e = strings.ReplaceAll(local, ".", "") + "@" + domain
			}
			sum := sha256.Sum256([]byte(e))
			return "email:" + hex.EncodeToString(sum[:])
		},
		Fail: func(t *testing.T, n int) {
			for _, s := range servers {
				s.FailNext(n, 503)
			}
		},
	})
}

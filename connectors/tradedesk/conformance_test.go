package tradedesk

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
	"github.com/mosaic-cdp/mosaic/connectors/tradedesk/tradedesktest"
	"github.com/mosaic-cdp/mosaic/connectors/uid2/uid2test"
)

const (
	uid2Key    = "UID2-C-L-123-test-KEY"
	ttdSecret  = "ttd-advertiser-SECRET-key"
	advertiser = "adv123x"
	segment    = "gold_members"
)

// uid2Secret is the UID2 client secret: 32 bytes, base64 in the
// environment.
var uid2Secret = []byte("0123456789abcdef0123456789ABCDEF")

func init() {
	testOptions = func(o httpsend.Options) httpsend.Options {
		o.InitialInterval, o.MaxInterval, o.MaxTries, o.MaxRetryAfter = time.Millisecond, 5*time.Millisecond, 4, 5*time.Millisecond
		return o
	}
}

// servers is one output's UID2 operator and TTD data server.
type servers struct {
	uid2 *uid2test.Server
	ttd  *tradedesktest.Server
}

func newServers(t *testing.T) servers {
	return servers{uid2test.New(t, uid2Key, uid2Secret), tradedesktest.New(t, advertiser, ttdSecret)}
}

func setEnv(t *testing.T) {
	t.Setenv("MOSAIC_TEST_UID2_KEY", uid2Key)
	t.Setenv("MOSAIC_TEST_UID2_SECRET", base64.StdEncoding.EncodeToString(uid2Secret))
	t.Setenv("MOSAIC_TEST_TTD_SECRET", ttdSecret)
}

// keys are an output's kind-specific keys for s.
func (s servers) keys() string {
	return "    kind: " + Kind + "\n    uid2_endpoint: " + s.uid2.URL + "\n    ttd_endpoint: " + s.ttd.URL +
		"\n    advertiser_id: " + advertiser + "\n    segment: " + segment + "\n    ttl: 7d" +
		"\n    uid2_key_env: MOSAIC_TEST_UID2_KEY\n    uid2_secret_env: MOSAIC_TEST_UID2_SECRET\n    ttd_secret_env: MOSAIC_TEST_TTD_SECRET\n"
}

// TestDestinationConformance runs the audience suite against a UID2
// operator and a TTD data server on 127.0.0.1, a pair per output.
func TestDestinationConformance(t *testing.T) {
	setEnv(t)
	all := map[string]servers{}
	connectortest.RunAudienceDestination(t, Kind, New(), connectortest.AudienceFixture{
		Output: func(t *testing.T, dir, name string) string {
			all[name] = newServers(t)
			return all[name].keys() + "    batch_size: 2\n"
		},
		Members: func(t *testing.T, name string) []string { return all[name].ttd.Members(segment) },
		// UID2's published e-mail rule, applied here independently of
		// package adnorm: trim, lowercase; gmail.com without dots and
		// +tags; SHA-256 in base64; then the test operator's fake UID2.
		Member: func(t *testing.T, typ, value string) string {
			if typ != "email" {
				t.Fatalf("identity type %q: the suite's output sends e-mails", typ)
			}
			e := strings.ToLower(strings.TrimSpace(value))
			if local, domain, _ := strings.Cut(e, "@"); domain == "gmail.com" {
				local, _, _ = strings.Cut(local, "+")
				e = strings.ReplaceAll(local, ".", "") + "@" + domain
			}
			sum := sha256.Sum256([]byte(e))
			return uid2test.FakeUID2(base64.StdEncoding.EncodeToString(sum[:]))
		},
		Fail: func(t *testing.T, n int) {
			for _, s := range all {
				s.uid2.FailNext(n, 503)
				s.ttd.FailNext(n, 503)
			}
		},
	})
}

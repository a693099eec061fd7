package meta

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
	"github.com/mosaic-cdp/mosaic/connectors/meta/metatest"
)

const (
	token    = "EAAtest-TOKEN-0123456789"
	version  = "v21.0"
	audience = "23850000000000001"
)

func init() {
	testOptions = func(o httpsend.Options) httpsend.Options {
		o.InitialInterval, o.MaxInterval, o.MaxTries = time.Millisecond, 5*time.Millisecond, 4
		return o
	}
	logger = func() *slog.Logger { return slog.New(slog.DiscardHandler) }
}

// TestDestinationConformance runs the audience suite against a Custom
// Audience server on 127.0.0.1, one per output.
func TestDestinationConformance(t *testing.T) {
	t.Setenv("MOSAIC_TEST_META_TOKEN", token)
	servers := map[string]*metatest.Server{}
	connectortest.RunAudienceDestination(t, Kind, New(), connectortest.AudienceFixture{
		Output: func(t *testing.T, dir, name string) string {
			servers[name] = metatest.New(t, token, version, audience)
			return "    kind: " + Kind + "\n    endpoint: " + servers[name].URL + "\n    audience_id: \"" + audience +
				"\"\n    access_token_env: MOSAIC_TEST_META_TOKEN\n    batch_size: 2\n"
		},
		Members: func(t *testing.T, name string) []string { return servers[name].Members() },
		// Meta's published EMAIL rule, applied here independently of
		// package adnorm: trim, lowercase, SHA-256 hex.
		Member: func(t *testing.T, typ, value string) string {
			if typ != "email" {
				t.Fatalf("identity type %q: the suite's output sends e-mails", typ)
			}
			sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(value))))
			return "EMAIL:" + hex.EncodeToString(sum[:])
		},
		Fail: func(t *testing.T, n int) {
			for _, s := range servers {
				s.FailNext(n, 500)
			}
		},
	})
}

package webhook_test

import (
	"encoding/json"

	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/webhook"
	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
)

// TestDestinationConformance runs the destination suite against real
// signed-webhook receivers on 127.0.0.1, one per output.
func TestDestinationConformance(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	t.Setenv("MOSAIC_TEST_HOOK_SECRET", secret)
	receivers := map[string]*webhooktest.Receiver{}
	connectortest.RunDestination(t, "webhook", webhook.New(), connectortest.DestinationFixture{
		Output: func(t *testing.T, dir, name string) string {
			receivers[name] = webhooktest.New(t, secret)
			return "    kind: webhook\n    url: " + receivers[name].URL + "\n    secret_env: MOSAIC_TEST_HOOK_SECRET\n    batch_size: 2\n"
		},
		Held: func(t *testing.T, name string) map[string]string {
			held := map[string]string{}
			for k, v := range receivers[name].State() {
				held[k] = string(v)
			}
			return held
		},
		Foreign: func(t *testing.T, name, key string) { receivers[name].Put(key, []byte(`{"by":"someone else"}`)) },
		Fail: func(t *testing.T, n int) {
			for _, r := range receivers {
				r.FailNext(n, 500)
			}
		},
	})
}

// TestEventsConformance runs the events suite against a signed-webhook
// receiver, which keeps each batch under its source_request_id.
func TestEventsConformance(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	t.Setenv("MOSAIC_TEST_HOOK_SECRET", secret)
	receivers := map[string]*webhooktest.Receiver{}
	connectortest.RunEventsDestination(t, "webhook", webhook.New(), connectortest.EventsFixture{
		Output: func(t *testing.T, dir, name string) string {
			receivers[name] = webhooktest.New(t, secret)
			return "    kind: webhook\n    url: " + receivers[name].URL + "\n    secret_env: MOSAIC_TEST_HOOK_SECRET\n    batch_size: 2\n"
		},
		Batches: func(t *testing.T, name string) []json.RawMessage {
			var out []json.RawMessage
			for _, b := range receivers[name].State() {
				out = append(out, b)
			}
			return out
		},
		Fail: func(t *testing.T, n int) {
			for _, r := range receivers {
				r.FailNext(n, 500)
			}
		},
	})
}

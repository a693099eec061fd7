package server

import (
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// TestNewRefusesWhatCouldNotWork: serve refuses, naming the fix, an
// events_api feed whose batches no run would stage (no schedule, no
// Profile API for POST /v1/runs), and feeds and outputs whose secrets are
// unset (every run would be refused); it serves the same feed with either
// way to run.
func TestNewRefusesWhatCouldNotWork(t *testing.T) {
	for k, v := range map[string]string{"TEST_EVENTS_KEY": "k1", "TEST_EVENTS_SECRET": "s1", "TEST_CLIENT_ID": "cid", "TEST_CLIENT_SECRET": "csecret", "TEST_HOOK_SECRET": "", "TEST_PG_DSN": ""} {
		t.Setenv(k, v)
	}
	const feed = `version: 1
name: served
feeds:
  - name: app
    source: { kind: events_api, key_env: TEST_EVENTS_KEY, secret_env: TEST_EVENTS_SECRET }
    source_type: events_api
`
	const profileAPI = "serve:\n  profile_api: { client_id_env: TEST_CLIENT_ID, client_secret_env: TEST_CLIENT_SECRET }\n"
	const pg = "  - { name: crm, source: { kind: postgres, dsn_env: TEST_PG_DSN, table: customers }, source_type: warehouse, identities: { id: customerid } }\n"
	const hook = "outputs:\n  - { name: hook, kind: webhook, url: http://127.0.0.1:9, secret_env: TEST_HOOK_SECRET, send: events }\n"
	for _, c := range []struct{ name, yaml, want string }{
		{"events without a way to run", feed, "p.yaml:4:5: feed app: the Events API would accept batches that no run stages: the pipeline has no `schedule:` and no Profile API, whose POST /v1/runs asks for a run. " +
			"Add `schedule:` (like `schedule: \"@every 1m\"`), or `serve: {profile_api: {client_id_env: ..., client_secret_env: ...}}` and ask for runs with POST /v1/runs"},
		{"events on a schedule", feed + "schedule: \"@every 1m\"\n", ""},
		{"events and POST /v1/runs", feed + profileAPI, ""},
		{"an output without its secret", feed + profileAPI + hook, "p.yaml:10:71: outputs[0].secret_env: environment variable TEST_HOOK_SECRET is not set, and output hook cannot sync without it: set it to whsec_<base64>, the webhook's signing secret, e.g. `export TEST_HOOK_SECRET=...`\n" +
			"the outputs above could not sync after a run, so no run would start: set their variables"},
		{"a feed without its secret", feed + pg + profileAPI, "p.yaml:7:53: feeds[1].source.dsn_env: environment variable TEST_PG_DSN is not set, and feed crm cannot be read without it: set it to the PostgreSQL connection string (postgres://user:password@host:5432/db), e.g. `export TEST_PG_DSN=...`\n" +
			"the feeds above could not be read, so no run would start: set their variables"},
		{"both", feed + pg + profileAPI + hook, "p.yaml:7:53: feeds[1].source.dsn_env: environment variable TEST_PG_DSN is not set, and feed crm cannot be read without it: set it to the PostgreSQL connection string (postgres://user:password@host:5432/db), e.g. `export TEST_PG_DSN=...`\n" +
			"p.yaml:11:71: outputs[0].secret_env: environment variable TEST_HOOK_SECRET is not set, and output hook cannot sync without it: set it to whsec_<base64>, the webhook's signing secret, e.g. `export TEST_HOOK_SECRET=...`\n" +
			"the feeds above could not be read, and the outputs above could not sync after a run, so no run would start: set their variables"},
	} {
		p, err := config.Parse("p.yaml", []byte(c.yaml))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		_, err = New(p, builtin.Registry(), Options{})
		if got := errText(err); got != c.want {
			t.Errorf("%s: New:\n got: %s\nwant: %s", c.name, got, c.want)
		}
	}
	// With the secret the same pipeline serves; runs come from POST /v1/runs.
	t.Setenv("TEST_HOOK_SECRET", "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0")
	p, err := config.Parse("p.yaml", []byte(feed+profileAPI+hook))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(p, builtin.Registry(), Options{})
	if err != nil || !strings.Contains(s.runsOn(), "POST /v1/runs") {
		t.Errorf("with the secret: %v, runs on %q", err, s.runsOn())
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

package mparticle_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/mparticle"
	"github.com/mosaic-cdp/mosaic/connectors/mparticle/mparticletest"
)

// output is an mparticle output with the given lines.
func output(t *testing.T, lines string) connectors.OutputRequest {
	return connectors.OutputRequest{Output: connectortest.ParseOutput(t, "    kind: mparticle\n"+lines)}
}

func batches(n int) []connectors.Record {
	recs := make([]connectors.Record, n)
	for i := range recs {
		recs[i] = connectors.Record{Op: connectors.OpForward, Key: "web:" + string(rune('a'+i)),
			Fields: json.RawMessage(`{"environment":"production","source_request_id":"r` + string(rune('a'+i)) + `","events":[]}`)}
	}
	return recs
}

func TestValidate(t *testing.T) {
	for _, c := range []struct{ lines, want string }{
		{"    send: profiles\n    key: mpid\n    fields: { id: mpid }\n    key_env: K\n    secret_env: S\n", "use `send: events`"},
		{"    send: events\n", "needs `key_env:` and `secret_env:`"},
		{"    send: events\n    key_env: K\n    secret_env: S\n    batch_size: 500\n", "at most 100 batches"},
		{"    send: events\n    key_env: K\n    secret_env: S\n    url: ftp://x\n", "not an http(s) URL"},
		{"    send: events\n    key_env: K\n    secret_env: S\n    url: https://k:s@x\n", "holds credentials"},
	} {
		err := mparticle.New().Validate(output(t, c.lines))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "p.yaml:") {
			t.Errorf("%q: Validate = %v, want a positioned error containing %q", c.lines, err, c.want)
		}
	}
}

func TestForwards(t *testing.T) {
	srv := mparticletest.New(t, "the-key", "the-secret")
	t.Setenv("MP_KEY", "the-key")
	t.Setenv("MP_SECRET", "the-secret")
	req := output(t, "    send: events\n    url: "+srv.URL+"\n    key_env: MP_KEY\n    secret_env: MP_SECRET\n")
	w, err := mparticle.New().Open(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := w.Write(context.Background(), connectors.Batch{Output: "mp", RunID: 1, Records: batches(3)})
	if err != nil || len(errs) != 3 || errs[0] != nil || errs[2] != nil {
		t.Fatalf("Write: %v, %v", errs, err)
	}
	if got := srv.Batches(); len(got) != 3 || !strings.Contains(string(got[2]), `"source_request_id":"rc"`) {
		t.Errorf("the server holds %s, want the three batches in order", got)
	}

	// Wrong credentials: refused, not retried, and the secret never shows.
	t.Setenv("MP_SECRET", "wrong-secret")
	w, err = mparticle.New().Open(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Requests()
	_, err = w.Write(context.Background(), connectors.Batch{Output: "mp", RunID: 1, Records: batches(2)})
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("Write with a wrong secret: %v; want a 401 without the secret", err)
	}
	if n := srv.Requests() - before; n != 1 {
		t.Errorf("%d requests with a wrong secret, want 1 (401 is not retried)", n)
	}
}

func TestOpenNeedsTheEnvironment(t *testing.T) {
	t.Setenv("MP_KEY", "k")
	_, err := mparticle.New().Open(context.Background(), output(t, "    send: events\n    key_env: MP_KEY\n    secret_env: MP_NOT_SET_ANYWHERE\n"))
	if err == nil || !strings.Contains(err.Error(), "MP_NOT_SET_ANYWHERE (secret_env) is not set") {
		t.Errorf("Open: %v", err)
	}
}

// TestCheckEnv: the key, the secret and url_env's URL are checked before
// a run, each problem at its key.
func TestCheckEnv(t *testing.T) {
	req := output(t, "    send: events\n    key_env: MP_KEY\n    secret_env: MP_SECRET\n    url_env: MP_URL\n")
	ok := map[string]string{"MP_KEY": "tok-key", "MP_SECRET": "tok-secret", "MP_URL": "https://tok.example"}
	with := func(k, v string) map[string]string {
		env := maps.Clone(ok)
		env[k] = v
		return env
	}
	connectortest.RunEnvCases(t, mparticle.New(), req, []connectortest.EnvCase{
		{Env: ok},
		{Env: map[string]string{}, Want: "p.yaml:12:14: outputs[0].key_env: environment variable MP_KEY is not set, and output o cannot sync without it: set it to the Events API input's key, e.g. `export MP_KEY=...`\n" +
			"p.yaml:13:17: outputs[0].secret_env: environment variable MP_SECRET is not set, and output o cannot sync without it: set it to the Events API input's secret, e.g. `export MP_SECRET=...`\n" +
			"p.yaml:14:14: outputs[0].url_env: environment variable MP_URL is not set, and output o cannot sync without it: set it to the Events API's host, like https://s2s.mparticle.com, e.g. `export MP_URL=...`"},
		{Env: with("MP_URL", "ftp://tok.example"), Want: "p.yaml:14:14: outputs[0].url_env: environment variable MP_URL is set, but output o cannot sync with it: it is not an http(s) URL, like https://s2s.mparticle.com"},
		{Env: with("MP_URL", "https://tok-user:tok-pass@tok.example"), Want: "p.yaml:14:14: outputs[0].url_env: environment variable MP_URL is set, but output o cannot sync with it: the URL holds credentials: give them with key_env and secret_env"},
	})
}

// TestDestinationConformance forwards the events suite's batches to an
// Events API bulk endpoint on 127.0.0.1.
func TestDestinationConformance(t *testing.T) {
	t.Setenv("MP_KEY", "the-key")
	t.Setenv("MP_SECRET", "the-secret")
	servers := map[string]*mparticletest.Server{}
	connectortest.RunEventsDestination(t, "mparticle", mparticle.New(), connectortest.EventsFixture{
		Output: func(t *testing.T, dir, name string) string {
			servers[name] = mparticletest.New(t, "the-key", "the-secret")
			return "    kind: mparticle\n    url: " + servers[name].URL + "\n    key_env: MP_KEY\n    secret_env: MP_SECRET\n    batch_size: 2\n"
		},
		Batches: func(t *testing.T, name string) []json.RawMessage { return servers[name].Batches() },
		Fail: func(t *testing.T, n int) {
			for _, s := range servers {
				s.FailNext(n, http.StatusUnauthorized) // not retried: the suite does not wait out backoffs
			}
		},
	})
}

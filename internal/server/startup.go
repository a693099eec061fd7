package server

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/eventsapi"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// New checks what serving p needs, and refuses to serve what could not
// work: the credentials named by its events_api feeds and its Profile
// API, read from the environment now; what its other feeds read when a
// run reads them and what its outputs read when a run syncs them
// (pipeline.CheckEnv); and, for an events_api feed, a
// way for the batches it accepts to be staged: `schedule:`, or the
// Profile API, whose POST /v1/runs asks for a run.
func New(p *config.Pipeline, registry *connectors.Registry, opts Options) (*Server, error) {
	s := &Server{p: p, registry: registry, opts: opts, log: opts.Log, metrics: newMetrics(), runNow: make(chan time.Time, 1), writer: make(chan struct{}, 1)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	var errs []error
	env := func(what, name string) string {
		v := os.Getenv(name)
		if v == "" {
			errs = append(errs, fmt.Errorf("%s: environment variable %s is not set: set it, e.g. `export %s=...`", what, name, name))
		}
		return v
	}
	firstFeed := -1
	for i, f := range p.Feeds {
		if f.Source.Kind != config.EventsAPI {
			continue
		}
		c, err := eventsapi.Decode(connectors.ValidateRequest{Feed: f.Name, Source: f.Source})
		if err != nil {
			return nil, err
		}
		if firstFeed < 0 {
			firstFeed = i
		}
		what := fmt.Sprintf("%s: feed %s", p.Pos(fmt.Sprintf("feeds[%d].source", i)), f.Name)
		s.feeds = append(s.feeds, feedCreds{name: f.Name, key: env(what+" key_env", c.KeyEnv), secret: env(what+" secret_env", c.SecretEnv)})
	}
	if a := &p.Serve.ProfileAPI; a.ClientIDEnv != "" {
		s.profile = a
		what := p.Pos("serve.profile_api").String() + ": profile_api"
		s.clientID, s.secret = env(what+" client_id_env", a.ClientIDEnv), env(what+" client_secret_env", a.ClientSecretEnv)
	}
	switch {
	case len(s.feeds) == 0 && s.profile == nil:
		errs = append(errs, fmt.Errorf("%s: nothing to serve: add a feed with `source: {kind: events_api, key_env: ..., secret_env: ...}` or a `serve: {profile_api: ...}` block", p.File))
	case len(s.feeds) > 0 && s.profile == nil && p.Schedule == "":
		// Only a run stages what the Events API lands, and nothing would
		// start one (--run-now starts one, at start only).
		f := p.Feeds[firstFeed]
		errs = append(errs, fmt.Errorf("%s: feed %s: the Events API would accept batches that no run stages: the pipeline has no `schedule:` and no Profile API, whose POST /v1/runs asks for a run. "+
			"Add `schedule:` (like `schedule: \"@every 1m\"`), or `serve: {profile_api: {client_id_env: ..., client_secret_env: ...}}` and ask for runs with POST /v1/runs",
			p.Pos(fmt.Sprintf("feeds[%d]", firstFeed)), f.Name))
	}
	// Every run reads the feeds and syncs the outputs: one whose feeds
	// could not be read or whose outputs could not sync is refused before
	// it stages anything, so refuse now what every run would.
	var ee *pipeline.EnvError
	if err := pipeline.CheckEnv(p, registry, true); errors.As(err, &ee) {
		errs = append(errs, fmt.Errorf("%w\n%s, so no run would start: set their variables", err, ee.Above()))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// runsOn says what starts the server's runs, for its log.
func (s *Server) runsOn() string {
	var on []string
	if s.p.Schedule != "" {
		on = append(on, "schedule "+s.p.Schedule)
	}
	if s.profile != nil {
		on = append(on, "POST /v1/runs")
	}
	if s.opts.RunNow {
		on = append(on, "--run-now")
	}
	if len(on) == 0 {
		return "nothing"
	}
	return strings.Join(on, ", ")
}

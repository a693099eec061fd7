package server

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/eventsapi"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// New checks what serving p needs, and refuses to serve what could not
// work: the credentials named by its events_api feeds and its Profile
// API, read from the environment now, and what its outputs read when a
// run syncs them (pipeline.CheckOutputEnv).
func New(p *config.Pipeline, registry *connectors.Registry, opts Options) (*Server, error) {
	s := &Server{p: p, registry: registry, opts: opts, log: opts.Log, metrics: newMetrics(), runNow: make(chan time.Time, 1)}
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
	for i, f := range p.Feeds {
		if f.Source.Kind != config.EventsAPI {
			continue
		}
		c, err := eventsapi.Decode(connectors.ValidateRequest{Feed: f.Name, Source: f.Source})
		if err != nil {
			return nil, err
		}
		what := fmt.Sprintf("%s: feed %s", p.Pos(fmt.Sprintf("feeds[%d].source", i)), f.Name)
		s.feeds = append(s.feeds, feedCreds{name: f.Name, key: env(what+" key_env", c.KeyEnv), secret: env(what+" secret_env", c.SecretEnv)})
	}
	if a := &p.Serve.ProfileAPI; a.ClientIDEnv != "" {
		s.profile = a
		what := p.Pos("serve.profile_api").String() + ": profile_api"
		s.clientID, s.secret = env(what+" client_id_env", a.ClientIDEnv), env(what+" client_secret_env", a.ClientSecretEnv)
	}
	if len(s.feeds) == 0 && s.profile == nil {
		errs = append(errs, fmt.Errorf("%s: nothing to serve: add a feed with `source: {kind: events_api, key_env: ..., secret_env: ...}` or a `serve: {profile_api: ...}` block", p.File))
	}
	// Every run syncs the outputs: one that could not is refused before
	// it stages anything, so refuse now what every run would.
	if err := pipeline.CheckOutputEnv(p, registry, ""); err != nil {
		errs = append(errs, fmt.Errorf("%w\nthe outputs above could not sync after a run, so no run would start: set their variables", err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

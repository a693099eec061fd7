// Package eventsapi is the source of a feed of `kind: events_api`: the
// mParticle batches that `mosaic serve` accepted through its Events API
// and landed in a log next to the store (package landing). A run reads
// each sealed segment of the feed's log once, as a `format: batch` files
// feed reads its files, so every accepted batch is staged exactly once.
package eventsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/files"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/landing"
)

// Config is an events_api feed's `source:` block: the environment
// variables that hold the HTTP Basic key and secret its clients send.
type Config struct {
	KeyEnv    string `yaml:"key_env"`
	SecretEnv string `yaml:"secret_env"`
}

// Source reads landed batches.
type Source struct{}

// New returns the events_api source.
func New() *Source { return &Source{} }

// Validate checks that the block names the key's and the secret's
// variables. Their values are read by `mosaic serve` only.
func (s *Source) Validate(req connectors.ValidateRequest) error {
	_, err := Decode(req)
	return err
}

// Decode reads and checks the feed's source block.
func Decode(req connectors.ValidateRequest) (Config, error) {
	var c Config
	if err := req.Source.Raw.Decode(&c); err != nil {
		return c, err
	}
	for _, k := range []struct{ key, value, what string }{{"key_env", c.KeyEnv, "API key"}, {"secret_env", c.SecretEnv, "API secret"}} {
		if k.value == "" {
			return c, req.Source.Raw.Errorf("kind", "an events_api source needs `%s:`, the environment variable that holds the clients' %s", k.key, k.what)
		}
		if !config.EnvNameRE.MatchString(k.value) {
			return c, req.Source.Raw.Errorf(k.key, "%q is not an environment variable's name: write one like MOSAIC_EVENTS_KEY", k.value)
		}
	}
	if c.KeyEnv == c.SecretEnv {
		return c, req.Source.Raw.Errorf("secret_env", "key_env and secret_env both name %s: give the secret its own variable", c.KeyEnv)
	}
	return c, nil
}

// Read stages the sealed segments of the feed's landing log not read
// before. Segments a crashed server left open are sealed first, unless a
// running server holds the log (it seals before each of its runs).
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.Sink) (json.RawMessage, error) {
	dir := landing.Dir(req.Store, req.Feed)
	if err := landing.Recover(dir, nil); err != nil {
		return nil, err
	}
	segments, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	return files.ReadBatchFiles(ctx, req, segments, sink) // no segment: no row, the state as it was
}

// Package bigquery reads feeds out of Google BigQuery: a table or a query,
// only the columns the feed maps, only the rows past the feed's watermark.
//
// Two read paths hand the engine Arrow record batches:
//
//   - the Storage Read API (the fast path, `storage_read: true`, the
//     default): the query's result is read as Arrow IPC record batches and
//     decoded with arrow-go, never row by row;
//   - the REST row iterator (the fallback): rows arrive as JSON pages and are
//     built into bounded Arrow batches in Go. It runs when `storage_read:
//     false`, when an `endpoint:` is given without a `read_endpoint:` (the
//     Storage Read API speaks gRPC on its own address), and when BigQuery
//     answers a small query in its first page or refuses a read session.
//
// The path that ran is in the state Read returns (`"path": "storage_read"`
// or `"rest"`), with the number of rows read.
//
// BIGNUMERIC (and INTERVAL, RANGE) cannot cross into DuckDB through Arrow:
// read such a column through `query:` with CAST(col AS STRING) or
// CAST(col AS NUMERIC) (NUMERIC keeps 38 digits, 9 after the point).
//
// The package is also the `bigquery` output (NewDestination): it keeps one
// row per record key in a table, attributes in JSON columns (BigQuery's
// JSON type, which the emulator has too), each batch loaded into a staging
// table with a load job and merged with one MERGE. Destination says more.
package bigquery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// Config is a bigquery feed's `source:` block.
type Config struct {
	// Project is the project that holds the table and runs the query jobs.
	Project string `yaml:"project"`
	// Dataset and Table name the table to read; or Query gives a GoogleSQL
	// query to read instead (one of the two).
	Dataset string `yaml:"dataset"`
	Table   string `yaml:"table"`
	Query   string `yaml:"query"`
	// Location is where the query jobs run (`US`, `EU`, `europe-west1`);
	// BigQuery picks it from the table when empty.
	Location string `yaml:"location"`
	// Endpoint is the REST API's address (http://host:port), for an emulator
	// or a private endpoint; no authentication is sent to it unless
	// credentials_file is set. EndpointEnv names an environment variable
	// holding it instead (unset or empty: the real API).
	Endpoint    string `yaml:"endpoint"`
	EndpointEnv string `yaml:"endpoint_env"`
	// ReadEndpoint is the Storage Read API's gRPC address (host:port) when
	// Endpoint is set; without it such a feed reads through REST. It goes
	// with the endpoint: when EndpointEnv's variable is unset (the real
	// API), so is it.
	ReadEndpoint string `yaml:"read_endpoint"`
	// CredentialsFile is the path of a service-account key file (relative
	// to the pipeline file's folder). Without it and without an endpoint,
	// Application Default Credentials are used.
	CredentialsFile string `yaml:"credentials_file"`
	// StorageRead turns the Storage Read API on (default) or off.
	StorageRead *bool `yaml:"storage_read"`
	// NetworkRetries is how many REST requests in a row may get no answer
	// (connection refused, reset, cut off) before the read fails
	// (DefaultNetworkRetries when unset). Google's client alone would
	// retry them until the run is cancelled.
	NetworkRetries *int `yaml:"network_retries"`
}

// networkRetries is NetworkRetries or its default.
func (c Config) networkRetries() int {
	if c.NetworkRetries == nil {
		return DefaultNetworkRetries
	}
	return *c.NetworkRetries
}

// Paths the read can take, as reported in the source state.
const (
	PathStorageRead = "storage_read"
	PathREST        = "rest"
)

// State is what Read returns: how the last read went. It is informative
// only; the feed's watermark (kept by the engine) decides what is new.
type State struct {
	Path string `json:"path,omitempty"`
	Rows int64  `json:"rows"`
	// Cursor and CursorType are the feed's cursor column and its BigQuery
	// type in the last result, so that a query source can type the next
	// watermark without asking BigQuery.
	Cursor     string `json:"cursor,omitempty"`
	CursorType string `json:"cursor_type,omitempty"`
}

// Source reads BigQuery tables and queries.
type Source struct {
	// BatchRows bounds the rows of one Arrow batch built from REST pages.
	BatchRows int
}

// New returns the BigQuery source.
func New() *Source { return &Source{BatchRows: 16384} }

// Validate checks the source block without connecting. It reads no
// environment variable and no file: CheckEnv checks what Read reads.
func (s *Source) Validate(req connectors.ValidateRequest) error {
	_, err := decode(req)
	return err
}

// plan is decode for a read: it resolves the endpoint (from endpoint_env
// too) and the credentials file's path, which must be there.
func plan(req connectors.ValidateRequest) (Config, error) {
	c, err := decode(req)
	if err != nil {
		return c, err
	}
	env, err := connectors.ReadEnv(envVars(c.EndpointEnv))
	if err != nil {
		return c, err
	}
	if c.EndpointEnv != "" {
		c.Endpoint, _ = endpointURL(env["endpoint_env"]) // ReadEnv checked it
		if c.Endpoint == "" {
			c.ReadEndpoint = "" // the real API
		}
	}
	if c.CredentialsFile != "" {
		c.CredentialsFile = req.Resolve(c.CredentialsFile)
		if _, err := os.Stat(c.CredentialsFile); err != nil {
			return c, fmt.Errorf("cannot read the service-account key file %s (credentials_file): %v", c.CredentialsFile, unwrapPathError(err))
		}
	}
	return c, nil
}

// decode decodes and checks the block, reading nothing else; an endpoint
// given in the block is made a URL.
func decode(req connectors.ValidateRequest) (Config, error) {
	var c Config
	raw := req.Source.Raw
	if err := raw.Decode(&c); err != nil {
		return c, err
	}
	if c.Project == "" {
		return c, raw.Errorf("kind", "a bigquery source needs `project:` (the project that holds the data and runs the queries)")
	}
	switch {
	case c.Table != "" && c.Query != "":
		return c, raw.Errorf("query", "give either `table:` (with `dataset:`) or `query:`, not both")
	case c.Table == "" && c.Query == "":
		return c, raw.Errorf("kind", "a bigquery source needs `table:` (with `dataset:`) or `query:`")
	case c.Table != "" && c.Dataset == "":
		return c, raw.Errorf("table", "`table: %s` needs `dataset:`", c.Table)
	}
	if c.NetworkRetries != nil && *c.NetworkRetries < 0 {
		return c, raw.Errorf("network_retries", "`network_retries: %d` must be 0 or more", *c.NetworkRetries)
	}
	if c.Endpoint != "" && c.EndpointEnv != "" {
		return c, raw.Errorf("endpoint_env", "give either `endpoint:` or `endpoint_env:`, not both")
	}
	if c.Endpoint != "" {
		u, err := endpointURL(c.Endpoint)
		if err != nil {
			return c, raw.Errorf("endpoint", "%v", err)
		}
		c.Endpoint = u
	} else if c.ReadEndpoint != "" && c.EndpointEnv == "" {
		return c, raw.Errorf("read_endpoint", "`read_endpoint:` goes with `endpoint:` (or `endpoint_env:`); without an endpoint the real Storage Read API is used")
	}
	return c, nil
}

// endpointURL accepts host:port or a URL and returns a URL.
func endpointURL(s string) (string, error) {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("endpoint %q is not host:port or an http(s) URL", s)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// useStorage says whether the Storage Read API may be tried.
func (c Config) useStorage() bool {
	if c.StorageRead != nil && !*c.StorageRead {
		return false
	}
	return c.Endpoint == "" || c.ReadEndpoint != ""
}

// where names the feed's data for messages.
func (c Config) where() string {
	if c.Query != "" {
		return "query in project " + c.Project
	}
	return c.Project + "." + c.Dataset + "." + c.Table
}

// Read stages the feed's mapped columns, past the watermark when the feed
// has a cursor.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.Sink) (json.RawMessage, error) {
	c, err := plan(req.ValidateRequest)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The read's own context, which netWatch ends when BigQuery stops
	// answering.
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	client, err := newClient(rctx, c, newNetWatch(c.networkRetries(), cancel))
	if err != nil {
		return nil, fmt.Errorf("bigquery %s: %w", c.where(), err)
	}
	defer client.Close()
	var prev State
	if req.State != nil {
		_ = json.Unmarshal(req.State, &prev) // informative only: a state that does not parse is no state
	}
	r := reader{cfg: c, client: client, req: req, prev: prev, batchRows: s.BatchRows}
	st, err := r.read(rctx, sink)
	if err != nil {
		switch lost := lostConnection(rctx); {
		case ctx.Err() != nil && !isContextErr(err):
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		case ctx.Err() == nil && lost != nil:
			err = lost // the client's error is only that its context ended
		}
		return nil, fmt.Errorf("bigquery %s: %w", c.where(), err)
	}
	return json.Marshal(st)
}

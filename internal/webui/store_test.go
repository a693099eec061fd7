package webui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
	"github.com/mosaic-cdp/mosaic/internal/profileapi"
)

// testPipeline reads a CRM export (CSV) and web traffic (NDJSON), both
// as globs so that the second run reads the files added after the first.
const testPipeline = `version: 1
name: webui_test
state: ./store.duckdb
retention: { events: 3650d, profiles: 3650d }
identity:
  priority: [customerid, email, device_application_stamp]
  unique: [customerid]
  blocklist: { email: ["^test@"], "*": ["^0+$", "^anonymous$"] }
feeds:
  - name: crm
    source: { kind: files, path: "crm*.csv" }
    source_type: warehouse
    protection: create_update
    timestamp: updated_at
    identities: { customer_id: customerid, email: email }
    attributes: { tier: tier, lifetime_value: lifetime_value }
  - name: web
    source: { kind: files, path: "web*.ndjson" }
    source_type: sdk
    protection: create_update
    timestamp: ts
    event_name: event
    identities: { cookie: device_application_stamp, email: email }
calculated_attributes:
  - { name: page_views, calculation: count, event: page_view }
audiences:
  - name: vip
    criteria: { attribute: { key: tier, op: in, value: [gold, platinum] } }
  - name: browsers
    criteria: { calculated: { key: page_views, op: gte, value: 1 } }
outputs:
  - name: vip_export
    kind: files
    path: ./exports
    format: csv
    send: profiles
    audience: vip
    key: email
    mode: mirror
    fields: { email: identity.email, tier: attribute.tier }
`

// The second run: Linus turns gold (enters vip), Margaret silver (exits
// it), and the cookie ck-3 logs in as Linus, which merges its profile
// into his.
const (
	crm2 = "customer_id,email,tier,lifetime_value,updated_at\n" +
		"C003,linus@example.com,gold,120.00,2026-05-21T09:00:00Z\n" +
		"C004,margaret@example.com,silver,9900.00,2026-05-21T10:00:00Z\n"
	web2 = `{"cookie":"ck-3","email":"linus@example.com","event":"login","ts":"2026-05-21T11:00:00Z"}` + "\n" +
		`{"cookie":"ck-3","event":"page_view","ts":"2026-05-21T11:05:00Z","page":"/pricing"}` + "\n"
)

const (
	testClientID     = "ui-client"
	testClientSecret = "ui-secret"
)

// fixture is a store two runs wrote, served by a Handler.
type fixture struct {
	h      *Handler
	srv    *httptest.Server
	tokens *profileapi.Tokens
}

var shared *fixture

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "webui-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f, cleanup, err := newFixture(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webui tests: build the store:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	shared = f
	code := m.Run()
	cleanup()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newFixture(dir string) (*fixture, func(), error) {
	ctx := context.Background()
	write := func(name, content string) error {
		return os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	for _, name := range []string{"crm.csv", "web.ndjson"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "quickstart", name))
		if err != nil {
			return nil, nil, err
		}
		if err := write(name, string(b)); err != nil {
			return nil, nil, err
		}
	}
	if err := write("pipeline.yaml", testPipeline); err != nil {
		return nil, nil, err
	}
	p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
	if err != nil {
		return nil, nil, err
	}
	runner := &pipeline.Runner{Registry: builtin.Registry()}
	if _, err := runner.Run(ctx, p, pipeline.Options{}); err != nil {
		return nil, nil, fmt.Errorf("run 1: %w", err)
	}
	if err := write("crm2.csv", crm2); err != nil {
		return nil, nil, err
	}
	if err := write("web2.ndjson", web2); err != nil {
		return nil, nil, err
	}
	if _, err := runner.Run(ctx, p, pipeline.Options{}); err != nil {
		return nil, nil, fmt.Errorf("run 2: %w", err)
	}
	store, err := engine.Open(ctx, p.State, engine.Options{Command: "test"})
	if err != nil {
		return nil, nil, err
	}
	tokens := &profileapi.Tokens{ClientID: testClientID, ClientSecret: testClientSecret, TTL: time.Hour}
	h := &Handler{DB: store.Readers(4), Pipeline: p, Sessions: tokens, Log: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	return &fixture{h: h, srv: srv, tokens: tokens}, func() { srv.Close(); store.Close() }, nil
}

// client is an HTTP client of the fixture's server that keeps cookies and
// does not follow redirects.
type client struct {
	t  *testing.T
	c  *http.Client
	fx *fixture
}

func newClient(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, fx: shared, c: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// loggedIn is a client with a live session.
func loggedIn(t *testing.T) *client {
	t.Helper()
	c := newClient(t)
	resp, _ := c.post("/ui/login", url.Values{"client_id": {testClientID}, "client_secret": {testClientSecret}}, c.fx.srv.URL)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	return c
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.c.Get(c.fx.srv.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, readBody(c.t, resp)
}

// post sends a form with origin as its Origin header (none when empty).
func (c *client) post(path string, form url.Values, origin string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.fx.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, readBody(c.t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// scalar runs a query that answers one value.
func scalar[T any](t *testing.T, query string, args ...any) T {
	t.Helper()
	var v T
	if err := shared.h.DB.QueryRowContext(context.Background(), query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

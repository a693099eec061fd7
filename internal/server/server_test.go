package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

const pipelineYAML = `version: 1
name: served
state: ./served.duckdb
retention: { events: 3650d, profiles: 3650d }
identity:
  priority: [customerid, email]
  unique: [customerid]
feeds:
  - name: app
    source: { kind: events_api, key_env: TEST_EVENTS_KEY, secret_env: TEST_EVENTS_SECRET }
    source_type: events_api
    protection: create_update
  - name: crm
    source: { kind: files, path: crm.csv }
    source_type: warehouse
    protection: only_update
    identities: { customer_id: customerid }
    attributes: { tier: tier }
calculated_attributes:
  - { name: signups, calculation: count, event: Signed Up }
audiences:
  - name: gold
    criteria: { attribute: { key: tier, op: eq, value: gold } }
serve:
  profile_api: { client_id_env: TEST_CLIENT_ID, client_secret_env: TEST_CLIENT_SECRET, resolve: [customer_id, email] }
`

// served is a running server and what a test needs to talk to it.
type served struct {
	t      *testing.T
	url    string
	srv    *Server
	state  string
	dir    string
	gate   chan struct{}
	gated  chan struct{}
	stop   func() error
	client *http.Client
}

// start writes the pipeline (crm.csv empty but for its header) and runs
// a server on a free port until the test ends.
func start(t *testing.T) *served {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "pipeline.yaml"), pipelineYAML)
	write(t, filepath.Join(dir, "crm.csv"), "customer_id,tier\n")
	return startIn(t, dir)
}

// startIn runs a server on the pipeline dir holds (start wrote it) until
// the test ends: after another one stopped, on its store.
func startIn(t *testing.T, dir string) *served {
	t.Helper()
	for k, v := range map[string]string{"TEST_EVENTS_KEY": "k1", "TEST_EVENTS_SECRET": "s1", "TEST_CLIENT_ID": "cid", "TEST_CLIENT_SECRET": "csecret"} {
		t.Setenv(k, v)
	}
	p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	s := &served{t: t, state: p.State, dir: dir, client: &http.Client{Timeout: 30 * time.Second}}
	ready := make(chan string, 1)
	srv, err := New(p, builtin.Registry(), Options{
		Addr:  "127.0.0.1:0",
		Grace: 10 * time.Second,
		Ready: func(addr string) { ready <- addr },
		Progress: func(st pipeline.Step) {
			if st.Stage == "commit" && s.gate != nil {
				close(s.gated)
				<-s.gate
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.srv = srv
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	select {
	case addr := <-ready:
		s.url = "http://" + addr
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() { cancel(); stopErr = <-done })
		return stopErr
	}
	t.Cleanup(func() { s.stop() })
	return s
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// do sends a request and returns the status and body.
func (s *served) do(method, path string, body string, header map[string]string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// events posts to the Events API with the feed's credentials.
func (s *served) events(path, body string) (int, string) {
	s.t.Helper()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("k1:s1"))
	return s.do("POST", path, body, map[string]string{"Authorization": basic, "Content-Type": "application/json"})
}

// runOnce asks for a run and waits until it has committed.
func (s *served) runOnce() {
	s.t.Helper()
	s.waitRun(s.srv.RunNow)
}

// waitRun calls do and waits until one more run has succeeded.
func (s *served) waitRun(do func()) {
	s.t.Helper()
	before := s.metric(`mosaic_runs_total{status="succeeded"}`)
	do()
	deadline := time.Now().Add(60 * time.Second)
	for s.metric(`mosaic_runs_total{status="succeeded"}`) == before {
		if time.Now().After(deadline) {
			s.t.Fatalf("no run succeeded within 60s; failed runs: %s", s.metricLine(`mosaic_runs_total{status="failed"}`))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *served) metricLine(name string) string {
	_, body := s.do("GET", "/metrics", "", nil)
	for line := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(line, name+" ") {
			return line
		}
	}
	return ""
}

func (s *served) metric(name string) string {
	return strings.TrimPrefix(s.metricLine(name), name+" ")
}

// token gets a Profile API token with golang.org/x/oauth2, a real OAuth
// client (form-encoded client credentials).
func (s *served) token() string {
	s.t.Helper()
	cc := clientcredentials.Config{ClientID: "cid", ClientSecret: "csecret", TokenURL: s.url + "/oauth/token"}
	tok, err := cc.Token(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return tok.AccessToken
}

// apiProfile is the part of a Profile API answer the tests read.
type apiProfile struct {
	MPID                int64 `json:"mpid"`
	UserIdentities      []map[string]string
	UserAttributes      map[string]any `json:"user_attributes"`
	AudienceMemberships []map[string]any
}

func (s *served) profile(method, path, body, token string) (int, apiProfile, string) {
	s.t.Helper()
	code, text := s.do(method, path, body, map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"})
	var p struct {
		apiProfile
		UI []map[string]string `json:"user_identities"`
		AM []map[string]any    `json:"audience_memberships"`
	}
	if code == http.StatusOK {
		if err := json.Unmarshal([]byte(text), &p); err != nil {
			s.t.Fatalf("%s %s: %v in %s", method, path, err, text)
		}
		p.UserIdentities, p.AudienceMemberships = p.UI, p.AM
	}
	return code, p.apiProfile, text
}

func batchJSON(requestID, customerID, email string, attrs string) string {
	ids := map[string]string{}
	if customerID != "" {
		ids["customerid"] = customerID
	}
	if email != "" {
		ids["email"] = email
	}
	b, _ := json.Marshal(ids)
	rid := ""
	if requestID != "" {
		rid = fmt.Sprintf(`"source_request_id": %q, `, requestID)
	}
	return fmt.Sprintf(`{%s"environment": "production", "user_identities": %s, "user_attributes": %s,
		"events": [{"event_type": "custom_event", "data": {"event_name": "Signed Up", "custom_event_type": "other", "timestamp_unixtime_ms": 1780000000000}}]}`,
		rid, b, attrs)
}

// TestProcs: the server keeps a Go processor for each lowered goroutine
// of a run beyond one per core, so that a request always finds one.
func TestProcs(t *testing.T) {
	n := runtime.GOMAXPROCS(0)
	for _, c := range []struct{ runCores, cores, procs int }{
		{0, max(1, n-1), n + 1 + max(1, n-1)},
		{1, 1, n + 2},
		{3, 3, n + 4},
	} {
		if got := RunCores(c.runCores); got != c.cores {
			t.Errorf("RunCores(%d) = %d, want %d", c.runCores, got, c.cores)
		}
		if got := Procs(c.runCores); got != c.procs {
			t.Errorf("Procs(%d) = %d, want %d", c.runCores, got, c.procs)
		}
	}
}

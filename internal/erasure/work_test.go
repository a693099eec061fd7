package erasure

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestWorkOutcomes: each identity of a request gets its own outcome, and
// a request with one that failed is failed, with the message of the
// failure and without the value. Here the registry knows no output kind,
// so that forget cannot ask the output for its state keys: a profile's
// erasure fails (and rolls back), while an identity no profile holds is
// erased from the dropped rows naming it (unheld) and one nothing names
// is not_found.
func TestWorkOutcomes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, text string) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pipeline.yaml", `version: 1
name: work
state: ./store.duckdb
feeds:
  - { name: crm, source: { kind: files, path: in/*.csv }, source_type: csv, timestamp: ts, identities: { email: email } }
outputs:
  - { name: export, kind: files, path: ./exports, format: csv, send: profiles, key: email, fields: { email: identity.email } }
`)
	write("in/a.csv", "email,ts\nada@x.com,2026-05-01T00:00:00Z\nzed@x.com,never\n")
	p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(ctx, p, pipeline.Options{}); err != nil {
		t.Fatal(err)
	}
	store, err := engine.Open(ctx, p.State, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var mu sync.Mutex
	s := &Service{Store: store, DB: store.Readers(2), Pipeline: p, Registry: connectors.NewRegistry(),
		Lock: func(context.Context) (func(), error) { mu.Lock(); return mu.Unlock, nil }}
	mux := http.NewServeMux()
	s.Register(mux, func(h http.HandlerFunc) http.HandlerFunc { return h })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	workCtx, stop := context.WithCancel(ctx)
	worked := make(chan struct{})
	go func() { s.Work(workCtx); close(worked) }()
	defer func() { stop(); <-worked }()

	const id = "a7551968-d5d6-44b2-9831-815ac9017798"
	resp, err := http.Post(srv.URL+"/opendsr/v3/requests/", "application/json", strings.NewReader(`{"regulation": "ccpa",
		"subject_request_id": "`+id+`", "subject_request_type": "erasure", "submitted_time": "2026-06-01T15:00:00Z",
		"subject_identities": [{"identity_type": "email", "identity_value": "ada@x.com"}, {"identity_type": "email", "identity_value": "zed@x.com"},
			{"identity_type": "email", "identity_value": "nobody@x.com"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("request: %d", resp.StatusCode)
	}
	var st struct {
		RequestStatus string `json:"request_status"`
		ResultsCount  int64  `json:"results_count"`
		Extensions    struct {
			Mosaic struct {
				Message    string
				Identities []identityStatus
			}
		}
	}
	var text string
	for deadline := time.Now().Add(30 * time.Second); st.RequestStatus != "failed"; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not failed within 30s: %s", text)
		}
		resp, err := http.Get(srv.URL + "/opendsr/v3/requests/" + id)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		text = string(b)
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatalf("%v in %s", err, text)
		}
	}
	ids := st.Extensions.Mosaic.Identities
	if len(ids) != 3 || ids[0].Status != Failed || !strings.Contains(ids[0].Message, `unknown output kind "files"`) ||
		ids[1].Status != Unheld || *ids[1].DroppedRows != 1 || ids[2].Status != NotFound ||
		!strings.HasPrefix(st.Extensions.Mosaic.Message, "email: ") || st.ResultsCount != 0 || strings.Contains(text, "x.com") {
		t.Errorf("status: %s\nwant ada failed (the output kind), zed unheld (his dropped row), nobody not_found, no value named", text)
	}
	var profiles, values int
	if err := store.Readers(2).QueryRowContext(ctx, "SELECT (SELECT count(*) FROM profiles), count(identity_value) FROM _mosaic.erasure_identities").Scan(&profiles, &values); err != nil {
		t.Fatal(err)
	}
	if profiles != 1 || values != 0 {
		t.Errorf("%d profiles, %d identity values kept; want ada's profile (her erasure rolled back), no value", profiles, values)
	}
}

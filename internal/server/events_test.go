package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/ingest"
	"github.com/mosaic-cdp/mosaic/internal/landing"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestEventsAPIRefusesWhatItCannotTake: every refusal has its status and
// a body that says why, and nothing refused lands.
func TestEventsAPIRefusesWhatItCannotTake(t *testing.T) {
	s := start(t)
	valid := batchJSON("r-1", "c-1", "a@example.com", `{"plan": "free"}`)
	cases := []struct {
		name, path, body, user, pass string
		want                         int
		reason                       string
	}{
		{"no credentials", "/v2/events", valid, "", "", http.StatusUnauthorized, ""},
		{"wrong secret", "/v2/events", valid, "k1", "nope", http.StatusUnauthorized, ""},
		{"unknown key", "/v2/events", valid, "k2", "s1", http.StatusUnauthorized, ""},
		{"invalid JSON", "/v2/events", `{"user_identities": {"email": "a@x.com"`, "k1", "s1", http.StatusBadRequest, "invalid_json"},
		{"not an object", "/v2/events", `[1]`, "k1", "s1", http.StatusBadRequest, "not_an_object"},
		{"a field of the wrong type", "/v2/events", `{"environment": "production", "user_identities": {"email": 7}}`, "k1", "s1", http.StatusBadRequest, "invalid_identity_value"},
		{"bulk not an array", "/v2/bulkevents", valid, "k1", "s1", http.StatusBadRequest, "not_an_array"},
		{"bulk with one bad batch", "/v2/bulkevents", "[" + valid + `, {"environment": "staging"}]`, "k1", "s1", http.StatusBadRequest, "invalid_environment"},
		{"bulk over 100 batches", "/v2/bulkevents", "[" + strings.Repeat(valid+",", ingest.MaxBulkBatches) + valid + "]", "k1", "s1", http.StatusBadRequest, "too_many_batches"},
		{"body over the limit", "/v2/events", `{"user_attributes": {"a": "` + strings.Repeat("x", ingest.MaxEventsBody) + `"}}`, "k1", "s1", http.StatusRequestEntityTooLarge, ""},
		{"batch over 128 KB", "/v2/bulkevents", `[{"user_attributes": {"a": "` + strings.Repeat("x", 130<<10) + `"}}]`, "k1", "s1", http.StatusRequestEntityTooLarge, "batch_too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", s.url+c.path, strings.NewReader(c.body))
			if c.user != "" {
				req.SetBasicAuth(c.user, c.pass)
			}
			resp, err := s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Errors []ingest.Problem `json:"errors"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("status %d: the body is not the errors JSON: %v", resp.StatusCode, err)
			}
			if resp.StatusCode != c.want || len(body.Errors) == 0 {
				t.Fatalf("status %d with %+v, want %d and errors", resp.StatusCode, body.Errors, c.want)
			}
			if c.reason != "" && body.Errors[0].Reason != c.reason {
				t.Fatalf("reason %q (%s), want %q", body.Errors[0].Reason, body.Errors[0].Message, c.reason)
			}
		})
	}
	// The bad batch of a bulk request is named by its index.
	code, text := s.events("/v2/bulkevents", "["+valid+`, {"environment": "staging"}]`)
	if code != http.StatusBadRequest || !strings.Contains(text, `"batch":1`) {
		t.Fatalf("%d %s: want the second batch (index 1) named", code, text)
	}
	if n := landedLines(t, s); n != 0 {
		t.Fatalf("%d batches landed from refused requests", n)
	}
}

// landedLines counts the batches in the feed's landing log, sealed or not.
func landedLines(t *testing.T, s *served) int {
	t.Helper()
	segs, _ := filepath.Glob(filepath.Join(landing.Dir(s.state, "app"), "*.ndjson*"))
	n := 0
	for _, seg := range segs {
		b, err := os.ReadFile(seg)
		if err != nil {
			t.Fatal(err)
		}
		n += strings.Count(string(b), "\n")
	}
	return n
}

// TestAcceptedBatchesBecomeProfiles: batches accepted with 202, single and
// bulk, with and without a source_request_id, are profiles after the next
// run; a batch sent again with the same source_request_id counts once;
// the metrics count the requests and the run.
func TestAcceptedBatchesBecomeProfiles(t *testing.T) {
	s := start(t)
	if code, text := s.events("/v2/events", batchJSON("r-1", "c-1", "a@example.com", `{"plan": "free"}`)); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, text)
	}
	bulk := "[" + batchJSON("r-2", "c-2", "", `{"plan": "pro"}`) + "," + batchJSON("", "c-3", "", `{}`) + "," + batchJSON("r-1", "c-1", "a@example.com", `{"plan": "free"}`) + "]"
	if code, text := s.events("/v2/bulkevents", bulk); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, text)
	}
	tok := s.token()
	if code, _ := s.do("POST", "/v1/runs", "", nil); code != http.StatusUnauthorized {
		t.Fatalf("POST /v1/runs without a token: %d, want 401", code)
	}
	s.waitRun(func() {
		if code, text := s.do("POST", "/v1/runs", "", map[string]string{"Authorization": "Bearer " + tok}); code != http.StatusAccepted {
			t.Fatalf("POST /v1/runs: %d %s", code, text)
		}
	})
	for _, c := range []struct{ id, plan string }{{"c-1", "free"}, {"c-2", "pro"}, {"c-3", ""}} {
		code, p, text := s.profile("POST", "/userprofile/v1/resolve/1/2/3", fmt.Sprintf(`{"environment_type": "production", "identity": {"type": "customer_id", "value": %q}}`, c.id), tok)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", c.id, code, text)
		}
		if got, _ := p.UserAttributes["plan"].(string); got != c.plan {
			t.Errorf("%s: plan %q, want %q (%s)", c.id, got, c.plan, text)
		}
		if got := p.UserAttributes["signups"]; fmt.Sprint(got) != "1" {
			t.Errorf("%s: the calculated signups is %v, want 1: the batch sent twice counted once (%s)", c.id, got, text)
		}
	}
	if got := s.metric(`mosaic_http_requests_total{code="202",route="POST /v2/bulkevents"}`); got != "1" {
		t.Errorf("bulk 202s counted %q, want 1", got)
	}
	if got := s.metric(`mosaic_feed_rows_total{feed="app",outcome="read"}`); got != "4" {
		t.Errorf("rows read from app: %q, want 4", got)
	}
	if got := s.metric(`mosaic_landing_unread_bytes{feed="app"}`); got != "0" {
		t.Errorf("unread landing bytes after the run: %q, want 0", got)
	}
}

// TestFullRefreshReadsTheLandingLogAgain: the server keeps the segments a
// run read, because they are an events_api feed's only copy of its
// batches: a later `mosaic run --full-refresh` forgets the store's staged
// rows and read state and stages the feed from the segments again, while
// a plain run reads none of them twice, and a copy of one keeps nothing
// twice.
func TestFullRefreshReadsTheLandingLogAgain(t *testing.T) {
	s := start(t)
	for _, b := range []string{batchJSON("r-1", "c-1", "", `{"plan": "free"}`), batchJSON("r-2", "c-2", "", `{"plan": "pro"}`)} {
		if code, text := s.events("/v2/events", b); code != http.StatusAccepted {
			t.Fatalf("%d %s", code, text)
		}
	}
	s.runOnce()
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(landing.Dir(s.state, "app"), "*.ndjson"))
	if len(segs) == 0 {
		t.Fatal("the server deleted the segments its run read: --full-refresh could not stage them again")
	}
	p, err := pipeline.Load(filepath.Join(s.dir, "pipeline.yaml"), builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	r := &pipeline.Runner{Registry: builtin.Registry()}
	for _, c := range []struct {
		full bool
		read int64
	}{{false, 0}, {true, 2}, {false, 0}} {
		res, err := r.Run(context.Background(), p, pipeline.Options{FullRefresh: c.full, NoSync: true})
		if err != nil {
			t.Fatalf("run (full refresh %v): %v", c.full, err)
		}
		if got := res.Stats.Feeds["app"]; got.Read != c.read || got.Kept != c.read {
			t.Errorf("run (full refresh %v): app read %d and kept %d rows, want %d", c.full, got.Read, got.Kept, c.read)
		}
	}
	// A segment that reaches a run again under another name (copied back
	// by hand, say) is read, but its batches are not kept twice: a past
	// run kept their source_request_id.
	data, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(landing.Dir(s.state, "app"), "000000009999.ndjson"), string(data))
	res, err := r.Run(context.Background(), p, pipeline.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Stats.Feeds["app"]; got.Read != 2 || got.Kept != 0 || got.AlreadyIngested != 2 {
		t.Errorf("a segment read again: app read %d, kept %d, already ingested %d; want 2, 0, 2", got.Read, got.Kept, got.AlreadyIngested)
	}
}

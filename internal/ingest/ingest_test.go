package ingest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/landing"
)

// TestDecodeAddsRequestIDs: a batch without a source_request_id gets a
// fresh one and stays valid, compacted on one line; one with an id keeps
// it; the body's whitespace and newlines are gone.
func TestDecodeAddsRequestIDs(t *testing.T) {
	body := "[{\"environment\": \"production\",\n \"user_identities\": {\"email\": \"a@x.com\"}},\n {\"source_request_id\": \"r-7\", \"environment\": \"development\", \"user_identities\": {\"customerid\": \"c\"}}, {\"environment\": \"production\"}]"
	records, problems, _ := decode([]byte(body), true)
	if len(problems) != 0 || len(records) != 3 {
		t.Fatalf("records %d, problems %+v", len(records), problems)
	}
	ids := map[string]bool{}
	for _, r := range records {
		if strings.ContainsAny(string(r), "\n ") {
			t.Errorf("record not compacted: %s", r)
		}
		var b struct {
			ID string `json:"source_request_id"`
		}
		if err := json.Unmarshal(r, &b); err != nil || b.ID == "" {
			t.Fatalf("record %s: id %q, err %v", r, b.ID, err)
		}
		ids[b.ID] = true
	}
	if !ids["r-7"] || len(ids) != 3 {
		t.Fatalf("ids %v: want r-7 kept and two fresh, distinct ones", ids)
	}
	if _, problems, status := decode([]byte(`{"environment": "production", "user_identities": {"email": "a@x.com"}}`), false); len(problems) != 0 || status != http.StatusBadRequest {
		t.Fatalf("a valid single batch: %+v", problems)
	}
}

// behind is a landing log that is behind.
type behind struct{}

func (behind) Append(context.Context, ...[]byte) error { return landing.ErrBehind }

// TestBehindLogAnswers429: when the landing log is behind, a valid
// request is answered 429 with Retry-After, and the body says why.
func TestBehindLogAnswers429(t *testing.T) {
	mux := http.NewServeMux()
	New([]Feed{{Name: "app", Key: "k", Secret: "s", Log: behind{}}}, nil).Register(mux)
	req := httptest.NewRequest("POST", "/v2/events", strings.NewReader(`{"environment": "production", "user_identities": {"email": "a@x.com"}}`))
	req.SetBasicAuth("k", "s")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "TOO_MANY_REQUESTS") {
		t.Fatalf("%d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
}

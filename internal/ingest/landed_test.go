package ingest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/batch"
	"github.com/mosaic-cdp/mosaic/internal/landing"
)

// post sends body to path of a server on 127.0.0.1 whose one feed lands
// in a real landing log, and returns the answer's status and errors and
// the lines the log holds afterwards: what the next run would read.
func post(t *testing.T, path, body string) (int, []Problem, []string) {
	t.Helper()
	dir := t.TempDir()
	log, err := landing.Open(dir, landing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	New([]Feed{{Name: "app", Key: "k", Secret: "s", Log: log}}, nil).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
	req.SetBasicAuth("k", "s")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Errors []Problem `json:"errors"`
	}
	if resp.StatusCode != http.StatusAccepted {
		if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
			t.Fatalf("status %d: the body is not the errors JSON: %v", resp.StatusCode, err)
		}
	}
	// Close seals the open segment, so every landed line is in *.ndjson.
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	var lines []string
	for _, seg := range segs {
		b, err := os.ReadFile(seg)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")...)
	}
	return resp.StatusCode, answer.Errors, lines
}

// batchOfSize is a valid batch of exactly n bytes, compact, its
// source_request_id id or none when id is "": user attributes of values
// under the decoder's 4,096-character limit fill it.
func batchOfSize(t *testing.T, n int, id string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"environment":"production",`)
	if id != "" {
		fmt.Fprintf(&b, `"source_request_id":%q,`, id)
	}
	b.WriteString(`"user_identities":{"email":"a@x.com"},"user_attributes":{`)
	const tail = `"}}`
	for i := 0; ; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"a%d":"`, i)
		room := n - b.Len() - len(tail)
		if room <= 4000 {
			b.WriteString(strings.Repeat("x", room))
			break
		}
		b.WriteString(strings.Repeat("x", 4000) + `"`)
	}
	b.WriteString(tail)
	if b.Len() != n {
		t.Fatalf("built %d bytes, want %d", b.Len(), n)
	}
	return b.String()
}

// TestAcceptedBatchesFitTheLimitAsLanded: the 128 KB limit holds for the
// batch as it lands, source_request_id given included. A batch at the
// limit is accepted when it carries its own id; without one it would land
// over the limit (and the run would drop it), so it is refused with 413
// batch_too_large and nothing lands. Whatever is accepted, the run's
// decoder takes.
func TestAcceptedBatchesFitTheLimitAsLanded(t *testing.T) {
	limit := batch.MaxBatchBytes
	cases := []struct {
		name string
		body string
		want int
	}{
		{"at the limit with an id", batchOfSize(t, limit, "r-1"), http.StatusAccepted},
		{"at the limit without an id", batchOfSize(t, limit, ""), http.StatusRequestEntityTooLarge},
		{"just under the limit without an id", batchOfSize(t, limit-20, ""), http.StatusRequestEntityTooLarge},
		{"with room for an id", batchOfSize(t, limit-100, ""), http.StatusAccepted},
	}
	for _, c := range cases {
		for _, path := range []string{"/v2/events", "/v2/bulkevents"} {
			t.Run(c.name+" "+path, func(t *testing.T) {
				body := c.body
				if path == "/v2/bulkevents" {
					body = "[" + body + "]"
				}
				status, problems, lines := post(t, path, body)
				if status != c.want {
					t.Fatalf("status %d (%+v), want %d", status, problems, c.want)
				}
				if status != http.StatusAccepted {
					if len(problems) != 1 || problems[0].Reason != "batch_too_large" {
						t.Fatalf("errors %+v, want one batch_too_large", problems)
					}
					if len(lines) != 0 {
						t.Fatalf("%d lines landed from a refused request", len(lines))
					}
					return
				}
				if len(lines) != 1 {
					t.Fatalf("%d lines landed, want 1", len(lines))
				}
				if _, err := batch.Decode([]byte(lines[0]), ""); err != nil {
					t.Fatalf("accepted, but the run's decoder refuses the landed line (%d bytes): %v", len(lines[0]), err)
				}
			})
		}
	}
}

// TestLandedBatchHasOneRequestID: a batch whose source_request_id is null
// or "" (however its key is spelled for encoding/json: any case, escaped,
// repeated) lands with exactly one source_request_id, the one it is given,
// and everything else it sent.
func TestLandedBatchHasOneRequestID(t *testing.T) {
	for _, body := range []string{
		`{"environment": "production", "source_request_id": null, "user_identities": {"email": "a@x.com"}}`,
		`{"source_request_id": "", "environment": "production", "user_identities": {"email": "a@x.com"}}`,
		`{"environment": "production", "user_identities": {"email": "a@x.com"}, "source_request_id": ""}`,
		`{"environment": "production", "SOURCE_Request_ID": null, "user_identities": {"email": "a@x.com"}}`,
		`{"environment": "production", "source\u005frequest_id": "", "user_identities": {"email": "a@x.com"}}`,
		`{"environment": "production", "ſource_request_id": null, "user_identities": {"email": "a@x.com"}}`,
		`{"source_request_id": "r-1", "environment": "production", "source_request_id": null, "user_attributes": {"source_request_id": null}}`,
	} {
		status, problems, lines := post(t, "/v2/events", body)
		if status != http.StatusAccepted || len(lines) != 1 {
			t.Fatalf("%s: status %d (%+v), %d lines landed", body, status, problems, len(lines))
		}
		b, err := batch.Decode([]byte(lines[0]), "")
		if err != nil || b.SourceRequestID == "" {
			t.Fatalf("landed %s: id %q, err %v: want the id given at landing", lines[0], b.SourceRequestID, err)
		}
		sent, landed := withoutRequestIDs(t, body), withoutRequestIDs(t, lines[0])
		if landed.ids != 1 || sent.rest != landed.rest {
			t.Fatalf("landed %s: %d source_request_id keys and %s, want 1 and %s", lines[0], landed.ids, landed.rest, sent.rest)
		}
	}
}

// withoutRequestIDs counts obj's top-level keys that encoding/json takes
// for source_request_id, and gives its other members as canonical JSON.
func withoutRequestIDs(t *testing.T, obj string) (out struct {
	ids  int
	rest string
}) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(obj))
	dec.Token() // {
	rest := map[string]json.RawMessage{}
	for dec.More() {
		key, _ := dec.Token()
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", obj, err)
		}
		if strings.EqualFold(key.(string), "source_request_id") {
			out.ids++
			continue
		}
		rest[key.(string)] = v
	}
	b, _ := json.Marshal(rest)
	var canon any
	json.Unmarshal(b, &canon)
	b, _ = json.Marshal(canon)
	out.rest = string(b)
	return out
}

// TestBulkBodyMustBeAnArray: a bulk body that is JSON but no array, null
// included, is refused with 400 not_an_array and lands nothing; an empty
// array is a request of no batches, answered 202.
func TestBulkBodyMustBeAnArray(t *testing.T) {
	for _, body := range []string{`null`, ` null` + "\n", `{"environment": "production"}`, `"batches"`, `7`} {
		status, problems, lines := post(t, "/v2/bulkevents", body)
		if status != http.StatusBadRequest || len(problems) != 1 || problems[0].Reason != "not_an_array" || problems[0].Code != "BAD_REQUEST" {
			t.Fatalf("body %q: status %d, errors %+v, want 400 not_an_array", body, status, problems)
		}
		if len(lines) != 0 {
			t.Fatalf("body %q: %d lines landed", body, len(lines))
		}
	}
	if status, problems, lines := post(t, "/v2/bulkevents", `[]`); status != http.StatusAccepted || len(lines) != 0 {
		t.Fatalf("an empty array: status %d (%+v), %d lines landed, want 202 and none", status, problems, len(lines))
	}
}

// Package webhooktest is a webhook receiver for tests: an httptest server
// that checks Standard Webhooks signatures (its own verifier, written from
// the spec, not the webhook package's signer), applies the records it
// accepts to a map key → fields, keeps a log of requests, and can be told
// to fail requests (the next N, those carrying given keys, those of more
// than N records).
package webhooktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tolerance is how far a webhook-timestamp may be from now.
const Tolerance = 5 * time.Minute

// Record and Payload are a request's body as the receiver reads it.
type Record struct {
	Op             string          `json:"op"`
	Key            string          `json:"key"`
	Fields         json.RawMessage `json:"fields"`
	IdempotencyKey string          `json:"idempotency_key"`
}

type Payload struct {
	Output  string   `json:"output"`
	RunID   int64    `json:"run_id"`
	Records []Record `json:"records"`
}

// Request is one request the receiver got.
type Request struct {
	Header  http.Header
	Body    []byte
	Payload Payload
	// Batches are an events request's batches.
	Batches []json.RawMessage
	// Status is what the receiver answered; Err why it refused the
	// request ("" when it accepted it, or failed it on purpose).
	Status int
	Err    string
}

// ID is the request's webhook-id.
func (r Request) ID() string { return r.Header.Get("webhook-id") }

// Receiver is a webhook endpoint. Its methods are safe for concurrent use.
type Receiver struct {
	// URL is where to send.
	URL    string
	secret string
	srv    *httptest.Server

	mu       sync.Mutex
	state    map[string]json.RawMessage
	log      []Request
	failN    int
	failCode int
	reject   map[string]int // key → status of a request that carries it
	limit    int            // most records a request; 0: no limit
}

// New starts a receiver that requires requests signed with secret
// (whsec_…); "" accepts unsigned requests. It is closed when t ends.
func New(t testing.TB, secret string) *Receiver {
	r := &Receiver{secret: secret, state: map[string]json.RawMessage{}, reject: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = r.srv.URL
	t.Cleanup(r.srv.Close)
	return r
}

// Close stops the server.
func (r *Receiver) Close() { r.srv.Close() }

// FailNext makes the next n requests fail with status (after their
// signature was checked), without applying them.
func (r *Receiver) FailNext(n, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failN, r.failCode = n, status
}

// Reject makes every request that carries a record with one of keys (an
// events batch with one of them as its source_request_id) fail whole with
// status, as a receiver that validates each record would; status 0 takes
// them again.
func (r *Receiver) Reject(status int, keys ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		r.reject[k] = status
		if status == 0 {
			delete(r.reject, k)
		}
	}
}

// LimitRecords makes requests of more than n records fail with 413, as a
// receiver that limits request sizes would; 0 lifts the limit.
func (r *Receiver) LimitRecords(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.limit = n
}

// Put stores a record that did not come through the webhook (a
// co-writer's).
func (r *Receiver) Put(key string, fields json.RawMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state[key] = fields
}

// State returns a copy of the records applied: key → fields. upsert and
// add set a key, remove deletes it.
func (r *Receiver) State() map[string]json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.state)
}

// Requests returns a copy of the log of requests, in arrival order.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	rec := Request{Header: req.Header.Clone(), Body: body}
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() { r.log = append(r.log, rec) }()
	refuse := func(status int, format string, args ...any) {
		rec.Status, rec.Err = status, fmt.Sprintf(format, args...)
		http.Error(w, rec.Err, status)
	}
	switch {
	case err != nil:
		refuse(400, "read the body: %v", err)
		return
	case req.Method != http.MethodPost:
		refuse(405, "method %s, want POST", req.Method)
		return
	case req.Header.Get("Content-Type") != "application/json":
		refuse(415, "Content-Type %q, want application/json", req.Header.Get("Content-Type"))
		return
	}
	if r.secret != "" {
		if err := Verify(r.secret, req.Header, body, time.Now()); err != nil {
			refuse(401, "%v", err)
			return
		}
	}
	if strings.HasPrefix(strings.TrimSpace(string(body)), "[") {
		// An events output's request: an array of Events API batches.
		r.serveBatches(w, &rec, refuse)
		return
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec.Payload); err != nil {
		refuse(400, "decode the body: %v", err)
		return
	}
	if r.failing(w, &rec) {
		return
	}
	if r.limit > 0 && len(rec.Payload.Records) > r.limit {
		rec.Status = http.StatusRequestEntityTooLarge
		http.Error(w, "too many records", rec.Status)
		return
	}
	for _, x := range rec.Payload.Records {
		if st, ok := r.reject[x.Key]; ok {
			rec.Status = st
			http.Error(w, fmt.Sprintf(`{"error":"record %s refused"}`, x.Key), st)
			return
		}
		if x.Op != "upsert" && x.Op != "add" && x.Op != "remove" && x.Op != "forget" {
			refuse(400, "record %s: unknown op %q", x.Key, x.Op)
			return
		}
	}
	for _, x := range rec.Payload.Records {
		if x.Op == "remove" || x.Op == "forget" {
			delete(r.state, x.Key)
		} else {
			r.state[x.Key] = x.Fields
		}
	}
	rec.Status = http.StatusNoContent
	w.WriteHeader(rec.Status)
}

// failing answers the request with the failure FailNext asked for, if
// any is left.
func (r *Receiver) failing(w http.ResponseWriter, rec *Request) bool {
	if r.failN == 0 {
		return false
	}
	r.failN--
	rec.Status = r.failCode
	http.Error(w, "failing on purpose", r.failCode)
	return true
}

// serveBatches takes an array of Events API batches; each is kept in the
// state under "batch:" and its source_request_id.
func (r *Receiver) serveBatches(w http.ResponseWriter, rec *Request, refuse func(int, string, ...any)) {
	if err := json.Unmarshal(rec.Body, &rec.Batches); err != nil {
		refuse(400, "decode the batches: %v", err)
		return
	}
	if r.failing(w, rec) {
		return
	}
	ids := make([]string, len(rec.Batches))
	for i, b := range rec.Batches {
		var id struct {
			SourceRequestID string `json:"source_request_id"`
		}
		if err := json.Unmarshal(b, &id); err != nil || id.SourceRequestID == "" {
			refuse(400, "a batch without source_request_id: %s", b)
			return
		}
		if st, ok := r.reject[id.SourceRequestID]; ok {
			rec.Status = st
			http.Error(w, fmt.Sprintf(`{"error":"batch %s refused"}`, id.SourceRequestID), st)
			return
		}
		ids[i] = id.SourceRequestID
	}
	for i, b := range rec.Batches {
		r.state["batch:"+ids[i]] = b
	}
	rec.Status = http.StatusAccepted
	w.WriteHeader(rec.Status)
}

// Verify checks a request's Standard Webhooks headers against secret
// (whsec_<base64>): webhook-timestamp within Tolerance of now, and one of
// the space-separated webhook-signature entries "v1,<base64>" equal to the
// HMAC-SHA256 of "id.timestamp.body".
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing webhook-id, webhook-timestamp or webhook-signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("bad webhook-timestamp %q", ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return fmt.Errorf("webhook-timestamp %s is %s from now", ts, d)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return fmt.Errorf("the receiver's secret is not base64")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, b64, _ := strings.Cut(s, ",")
		got, err := base64.StdEncoding.DecodeString(b64)
		if version == "v1" && err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no webhook-signature matches")
}

// Package metatest is a Meta Custom Audience users endpoint for tests: an
// httptest server on 127.0.0.1 that implements POST (add) and DELETE
// (remove) on /{version}/{audience_id}/users with the Marketing API's
// body, checks the bearer token, the body's shape, the schema and that
// hashed keys carry 64 lowercase hex digits (it re-hashes nothing), and
// holds the audience's members: one "KEY:value" string per identifier
// uploaded. It can be told to fail, throttle or block requests.
package metatest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// MaxRows is the most rows a request may carry.
const MaxRows = 10000

// hashed are the schema keys whose values must be SHA-256 hex; the others
// go as they are.
var hashed = map[string]bool{"EMAIL": true, "PHONE": true, "FN": true, "LN": true, "CT": true, "ST": true,
	"ZIP": true, "COUNTRY": true, "DOBY": true, "GEN": true, "EXTERN_ID": false, "MADID": false}

var hexRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Request is one request the server got.
type Request struct {
	Method        string
	Schema        []string
	Rows          int
	SessionID     int64
	BatchSeq      int
	LastBatchFlag bool
	// Status is what the server answered; Err why it refused.
	Status int
	Err    string
}

// Server is a Custom Audience. Its methods are safe for concurrent use.
type Server struct {
	URL                      string
	token, version, audience string
	srv                      *httptest.Server
	mu                       sync.Mutex
	members                  map[string]bool
	log                      []Request
	failN, failStatus        int
	throttleN, throttleCode  int
	blocked                  bool
	invalidNext              int
}

// New starts a server for audience audienceID under version, requiring
// token. It is closed when t ends.
func New(t testing.TB, token, version, audienceID string) *Server {
	s := &Server{token: token, version: version, audience: audienceID, members: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Members returns the audience's members, sorted.
func (s *Server) Members() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.members))
}

// Log returns the requests so far.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// FailNext makes the next n requests answer status (with no Graph error).
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// ThrottleNext makes the next n requests answer HTTP 400 with Graph error
// code (17, 613, 80003 …), as Meta throttles.
func (s *Server) ThrottleNext(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleN, s.throttleCode = n, code
}

// Block makes every request refused with error_subcode 1713230.
func (s *Server) Block(b bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked = b
}

// ReportInvalid makes the next successful request report n more invalid
// entries (as Meta does for identifiers it cannot use).
func (s *Server) ReportInvalid(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalidNext = n
}

type graphError struct {
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode,omitempty"`
	FBTraceID string `json:"fbtrace_id"`
}

func (s *Server) refuse(w http.ResponseWriter, req *Request, status int, e graphError) {
	req.Status, req.Err = status, e.Message
	e.FBTraceID = "AtraceTEST"
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]graphError{"error": e})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req := Request{Method: r.Method}
	defer func() { s.log = append(s.log, req) }()
	oauth := func(msg string) graphError { return graphError{Message: msg, Type: "OAuthException", Code: 190} }
	invalid := func(msg string) graphError {
		return graphError{Message: "(#100) " + msg, Type: "OAuthException", Code: 100}
	}
	switch {
	case s.failN > 0:
		s.failN--
		req.Status = s.failStatus
		http.Error(w, "failing on purpose", s.failStatus)
		return
	case r.URL.Path != fmt.Sprintf("/%s/%s/users", s.version, s.audience):
		s.refuse(w, &req, 400, graphError{Message: "Unsupported request: object does not exist", Type: "GraphMethodException", Code: 100, Subcode: 33})
		return
	case r.Method != http.MethodPost && r.Method != http.MethodDelete:
		s.refuse(w, &req, 400, invalid("Unsupported method "+r.Method))
		return
	case r.Header.Get("Authorization") != "Bearer "+s.token:
		s.refuse(w, &req, 400, oauth("Invalid OAuth access token - Cannot parse access token"))
		return
	case r.URL.RawQuery != "":
		s.refuse(w, &req, 400, invalid("unexpected query: the token goes in the Authorization header"))
		return
	case s.throttleN > 0:
		s.throttleN--
		s.refuse(w, &req, 400, graphError{Message: fmt.Sprintf("(#%d) Too many calls", s.throttleCode), Type: "OAuthException", Code: s.throttleCode})
		return
	case s.blocked:
		s.refuse(w, &req, 400, graphError{Message: "Custom audience is blocked: this audience cannot be updated", Type: "OAuthException", Code: 2650, Subcode: 1713230})
		return
	}
	var body struct {
		Payload *struct {
			Schema []string   `json:"schema"`
			Data   [][]string `json:"data"`
		} `json:"payload"`
		Session *struct {
			SessionID         int64 `json:"session_id"`
			BatchSeq          int   `json:"batch_seq"`
			LastBatchFlag     *bool `json:"last_batch_flag"`
			EstimatedNumTotal *int  `json:"estimated_num_total"`
		} `json:"session"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		s.refuse(w, &req, 400, invalid("the body is not {payload, session}: "+err.Error()))
		return
	}
	p, ss := body.Payload, body.Session
	switch {
	case p == nil || len(p.Schema) == 0 || len(p.Data) == 0:
		s.refuse(w, &req, 400, invalid("payload needs schema and data"))
		return
	case len(p.Data) > MaxRows:
		s.refuse(w, &req, 400, invalid(fmt.Sprintf("%d rows: at most %d a request", len(p.Data), MaxRows)))
		return
	case ss == nil || ss.SessionID <= 0 || ss.BatchSeq < 1 || ss.LastBatchFlag == nil || ss.EstimatedNumTotal == nil:
		s.refuse(w, &req, 400, invalid("session needs session_id, batch_seq ≥ 1, last_batch_flag and estimated_num_total"))
		return
	}
	req.Schema, req.Rows, req.SessionID, req.BatchSeq, req.LastBatchFlag = p.Schema, len(p.Data), ss.SessionID, ss.BatchSeq, *ss.LastBatchFlag
	for i, k := range p.Schema {
		if _, ok := hashed[k]; !ok || slices.Index(p.Schema, k) != i {
			s.refuse(w, &req, 400, invalid(fmt.Sprintf("schema key %q is unknown or repeated", k)))
			return
		}
	}
	// Rows with a malformed value are counted invalid and skipped, as Meta
	// does; the others are applied.
	numInvalid := 0
	for _, row := range p.Data {
		if len(row) != len(p.Schema) {
			s.refuse(w, &req, 400, invalid("a row's length differs from the schema's"))
			return
		}
		ok, any := true, false
		for c, v := range row {
			switch {
			case v == "":
			case hashed[p.Schema[c]] && !hexRE.MatchString(v):
				ok = false
			case !hashed[p.Schema[c]] && (hexRE.MatchString(v) || strings.TrimSpace(v) != v):
				ok = false // EXTERN_ID and MADID go unhashed and trimmed
			default:
				any = true
			}
		}
		if !ok || !any {
			numInvalid++
			continue
		}
		for c, v := range row {
			if v == "" {
				continue
			}
			if r.Method == http.MethodPost {
				s.members[p.Schema[c]+":"+v] = true
			} else {
				delete(s.members, p.Schema[c]+":"+v)
			}
		}
	}
	numInvalid += s.invalidNext
	s.invalidNext = 0
	req.Status = 200
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"audience_id": s.audience, "session_id": fmt.Sprint(ss.SessionID),
		"num_received": len(p.Data), "num_invalid_entries": numInvalid, "invalid_entry_samples": map[string]string{}})
}

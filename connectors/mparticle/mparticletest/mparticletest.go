// Package mparticletest is an Events API bulk endpoint for tests: an
// httptest server on 127.0.0.1 that takes POST /v2/bulkevents with HTTP
// Basic auth, checks the body is a JSON array of at most 100 batch
// objects each naming its environment and each a batch mosaic's own
// decoder (internal/batch) takes, keeps every batch it accepted, and can
// be told to fail requests.
package mparticletest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/batch"
)

// Server is a bulk endpoint. Its methods are safe for concurrent use.
type Server struct {
	URL         string
	key, secret string

	mu       sync.Mutex
	batches  []json.RawMessage
	requests int
	failN    int
	failCode int
}

// New starts a server that accepts key and secret; it stops with the test.
func New(t testing.TB, key, secret string) *Server {
	s := &Server{key: key, secret: secret}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// FailNext answers the next n requests with status.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failCode = n, status
}

// Batches returns the batches accepted so far, in order.
func (s *Server) Batches() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.batches)
}

// Requests is how many requests arrived.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	key, secret, ok := r.BasicAuth()
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/v2/bulkevents":
		http.Error(w, fmt.Sprintf("%s %s: only POST /v2/bulkevents here", r.Method, r.URL.Path), http.StatusNotFound)
		return
	case !ok || key != s.key || secret != s.secret:
		http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}`, http.StatusUnauthorized)
		return
	case s.failN > 0:
		s.failN--
		http.Error(w, "failing on purpose", s.failCode)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var batches []map[string]json.RawMessage
	if err := json.Unmarshal(body, &batches); err != nil {
		http.Error(w, `{"errors":[{"code":"BAD_REQUEST","message":"the body is not an array of batches"}]}`, http.StatusBadRequest)
		return
	}
	if len(batches) > 100 {
		http.Error(w, "more than 100 batches", http.StatusRequestEntityTooLarge)
		return
	}
	for _, b := range batches {
		if _, ok := b["environment"]; !ok {
			http.Error(w, `{"errors":[{"code":"BAD_REQUEST","message":"Required field \"environment\" is missing"}]}`, http.StatusBadRequest)
			return
		}
	}
	var raw []json.RawMessage
	json.Unmarshal(body, &raw)
	for _, b := range raw {
		// The Events API refuses a batch it cannot read (an unknown
		// user_identities type, …): mosaic's decoder reads as it does.
		if _, err := batch.Decode(b, ""); err != nil {
			msg, _ := json.Marshal(err.Error())
			http.Error(w, `{"errors":[{"code":"BAD_REQUEST","message":`+string(msg)+`}]}`, http.StatusBadRequest)
			return
		}
	}
	s.batches = append(s.batches, raw...)
	w.WriteHeader(http.StatusAccepted)
}

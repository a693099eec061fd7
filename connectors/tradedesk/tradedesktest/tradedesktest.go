// Package tradedesktest is The Trade Desk's first-party data endpoint for
// tests: an httptest server on 127.0.0.1 serving POST /data/advertiser. It
// verifies the TtdSignature header (base64 HMAC-SHA1 of the body under the
// advertiser's secret key, computed here independently of the client),
// the advertiser id and the body's shape, and holds each segment's
// members: a UID2 with its TTL in minutes, from the time the request came
// (by its clock, Now, which tests may fix); TTLInMinutes 0 removes it.
// Live tells which memberships have not lapsed at a time. It can answer
// FailedLines for chosen UID2s, 429 with Retry-After, or fail.
package tradedesktest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// MaxTTLInMinutes is the longest TTL the server takes (180 days).
const MaxTTLInMinutes = 180 * 24 * 60

// Request is what the server saw of one request.
type Request struct {
	Items, Adds, Removes int
	Status               int
	Err                  string
}

// Server is a TTD data server for one advertiser.
type Server struct {
	URL string
	// Now is the server's clock: a membership's TTL runs from the request
	// that set it.
	Now               func() time.Time
	advertiser        string
	secret            []byte
	srv               *httptest.Server
	mu                sync.Mutex
	segments          map[string]map[string]int // segment → UID2 → TTL minutes
	setAt             map[string]map[string]time.Time
	failUID2          map[string]string // UID2 → error code
	failN, failStatus int
	throttleN         int
	requests          []Request
}

// New starts a server for advertiser with secret key secret. It is closed
// when t ends.
func New(t testing.TB, advertiser, secret string) *Server {
	s := &Server{advertiser: advertiser, secret: []byte(secret), segments: map[string]map[string]int{}, failUID2: map[string]string{},
		setAt: map[string]map[string]time.Time{}, Now: time.Now}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Members returns segment's UID2s, sorted.
func (s *Server) Members(segment string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.segments[segment]))
}

// TTL returns the TTL in minutes segment holds uid with, 0 when none.
func (s *Server) TTL(segment, uid string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.segments[segment][uid]
}

// Live returns segment's UID2s whose membership has not lapsed at at
// (set less than its TTL before), sorted.
func (s *Server) Live(segment string, at time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for uid, ttl := range s.segments[segment] {
		if at.Before(s.setAt[segment][uid].Add(time.Duration(ttl) * time.Minute)) {
			out = append(out, uid)
		}
	}
	slices.Sort(out)
	return out
}

// FailUID2 makes items of uid answer a FailedLine with code (until
// called with code "").
func (s *Server) FailUID2(uid, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == "" {
		delete(s.failUID2, uid)
	} else {
		s.failUID2[uid] = code
	}
}

// FailNext makes the next n requests answer status.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// ThrottleNext makes the next n requests answer 429 with Retry-After: 1.
func (s *Server) ThrottleNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleN = n
}

// Requests returns the requests so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// FailedLine is one line of a 200 answer's FailedLines.
type FailedLine struct {
	ErrorCode  string `json:"ErrorCode"`
	Message    string `json:"Message"`
	ItemNumber int    `json:"ItemNumber"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var req Request
	defer func() { s.requests = append(s.requests, req) }()
	refuse := func(status int, msg string) {
		req.Status, req.Err = status, msg
		http.Error(w, msg, status)
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	switch {
	case s.failN > 0:
		s.failN--
		refuse(s.failStatus, "failing on purpose")
		return
	case s.throttleN > 0:
		s.throttleN--
		w.Header().Set("Retry-After", "1")
		refuse(http.StatusTooManyRequests, "rate limit exceeded")
		return
	case r.Method != http.MethodPost || r.URL.Path != "/data/advertiser":
		refuse(http.StatusNotFound, "no such endpoint: POST /data/advertiser")
		return
	}
	mac := hmac.New(sha1.New, s.secret)
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if got := r.Header.Get("TtdSignature"); !hmac.Equal([]byte(got), []byte(want)) {
		refuse(http.StatusForbidden, "TtdSignature does not match the body")
		return
	}
	var in struct {
		AdvertiserID string `json:"AdvertiserId"`
		Items        []struct {
			UID2 string `json:"UID2"`
			Data []struct {
				Name         string `json:"Name"`
				TTLInMinutes *int   `json:"TTLInMinutes"`
			} `json:"Data"`
		} `json:"Items"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		refuse(http.StatusBadRequest, "SerializationFailed: "+err.Error())
		return
	}
	switch {
	case in.AdvertiserID != s.advertiser:
		refuse(http.StatusForbidden, "AdvertiserMisconfigured: advertiser "+in.AdvertiserID)
		return
	case len(in.Items) == 0:
		refuse(http.StatusBadRequest, "MissingData: Items")
		return
	}
	var failed []FailedLine
	req.Items = len(in.Items)
	for n, it := range in.Items {
		line := func(code, msg string) { failed = append(failed, FailedLine{code, msg, n + 1}) }
		raw, err := base64.StdEncoding.DecodeString(it.UID2)
		switch {
		case err != nil || len(raw) != 32:
			line("MissingUserId", "no valid UID2")
			continue
		case s.failUID2[it.UID2] != "":
			line(s.failUID2[it.UID2], "refused on purpose")
			continue
		case len(it.Data) == 0:
			line("Unknown", "no Data")
			continue
		}
		for _, d := range it.Data {
			switch {
			case d.Name == "":
				line("Unknown", "a Data without Name")
			case d.TTLInMinutes == nil || *d.TTLInMinutes < 0 || *d.TTLInMinutes > MaxTTLInMinutes:
				line("InvalidTtlInMinutes", fmt.Sprintf("TTLInMinutes %v", d.TTLInMinutes))
			case *d.TTLInMinutes == 0:
				req.Removes++
				delete(s.segments[d.Name], it.UID2)
				delete(s.setAt[d.Name], it.UID2)
			default:
				req.Adds++
				if s.segments[d.Name] == nil {
					s.segments[d.Name], s.setAt[d.Name] = map[string]int{}, map[string]time.Time{}
				}
				s.segments[d.Name][it.UID2] = *d.TTLInMinutes
				s.setAt[d.Name][it.UID2] = s.Now()
			}
		}
	}
	req.Status = http.StatusOK
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string][]FailedLine{"FailedLines": failed})
}

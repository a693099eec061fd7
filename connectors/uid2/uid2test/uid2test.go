// Package uid2test is a UID2 operator's identity map endpoint for tests:
// an httptest server on 127.0.0.1 serving POST /v2/identity/map. It
// checks the bearer API key, opens the request envelope itself (base64;
// version byte 1; 12-byte IV; AES-256-GCM under the client secret; an
// 8-byte big-endian millisecond timestamp within MaxSkew of its clock, an
// 8-byte nonce, then the JSON), refusing a bad version, a bad tag or a
// stale timestamp with 400 as UID2 does; takes one of email_hash or
// phone_hash, at most 5,000 base64 SHA-256 hashes; and answers with an
// encrypted envelope (a 12-byte IV, ciphertext and tag; the plaintext a
// timestamp, the request's nonce, the JSON) that maps each hash to
// FakeUID2(hash), or lists it unmapped: "optout" for the hashes OptOut
// names, "invalid identifier" for what is not a hash. It fails the test
// when two requests overlap (UID2 wants them sequential).
//
// Each hash has a salt bucket of its own, BucketOf(hash). Rotate rotates
// buckets: their hashes then map to other UID2s (UID2Of), and POST
// /v2/identity/buckets, in the same envelopes, answers {"body":
// [{"bucket_id", "last_updated"}], "status": "success"} with the buckets
// rotated at or after the request's {"since_timestamp":
// "yyyy-MM-ddTHH:mm:ss"} (UTC, as UID2 writes it; last_updated with
// milliseconds).
package uid2test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// MaxSkew is how far a request's timestamp may be from the server's clock.
const MaxSkew = time.Minute

// MaxIdentities is the most hashes a request may carry.
const MaxIdentities = 5000

// FakeUID2 is the raw UID2 the server maps hash to: base64 of
// SHA-256("uid2test:" + hash), 44 characters like a real one.
func FakeUID2(hash string) string {
	sum := sha256.Sum256([]byte("uid2test:" + hash))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// BucketOf is the salt bucket of hash: "b" and 8 characters of its first
// UID2.
func BucketOf(hash string) string { return "b" + FakeUID2(hash)[:8] }

// rotated is the UID2 of hash after its bucket's nth rotation.
func rotated(hash string, n int) string {
	if n == 0 {
		return FakeUID2(hash)
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("uid2test:%d:%s", n, hash)))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Server is an identity map endpoint. Set its exported fields before the
// first request.
type Server struct {
	URL    string
	apiKey string
	secret []byte
	srv    *httptest.Server
	t      testing.TB
	// Now is the server's clock (tests move it to make requests stale).
	Now func() time.Time

	mu     sync.Mutex
	optOut map[string]bool
	// rotations counts each bucket's rotations; rotatedAt is the last.
	rotations map[string]int
	rotatedAt map[string]time.Time
	failN     int
	failCode  int
	requests  []Request
	inFlight  atomic.Int32
}

// Request is what the server saw of one request.
type Request struct {
	// Path is the request's path: /v2/identity/map or
	// /v2/identity/buckets.
	Path       string
	Kind       string // "email_hash" or "phone_hash"
	Identities int
	// Since is a buckets request's since_timestamp.
	Since string
	// Status is the answer's HTTP status; Err why it refused.
	Status int
	Err    string
}

// New starts a server taking apiKey and the AES-256 secret. It is closed
// when t ends.
func New(t testing.TB, apiKey string, secret []byte) *Server {
	s := &Server{apiKey: apiKey, secret: secret, t: t, Now: time.Now, optOut: map[string]bool{},
		rotations: map[string]int{}, rotatedAt: map[string]time.Time{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// OptOut marks hashes as opted out of UID2.
func (s *Server) OptOut(hashes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range hashes {
		s.optOut[h] = true
	}
}

// Rotate rotates the salt buckets of hashes, now by the server's clock:
// the hashes map to new UID2s.
func (s *Server) Rotate(hashes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range hashes {
		s.rotations[BucketOf(h)]++
		s.rotatedAt[BucketOf(h)] = s.Now().UTC()
	}
}

// UID2Of is the UID2 hash maps to now, its bucket's rotations counted.
func (s *Server) UID2Of(hash string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return rotated(hash, s.rotations[BucketOf(hash)])
}

// FailNext makes the next n requests answer status, unencrypted.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failCode = n, status
}

// Requests returns the requests so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) refuse(w http.ResponseWriter, req *Request, status int, msg string) {
	req.Status, req.Err = status, msg
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	st := "client_error"
	if status == http.StatusUnauthorized {
		st = "unauthorized"
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"status": st, "message": msg})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.inFlight.Add(1) > 1 {
		s.t.Errorf("uid2test: two identity map requests at once: UID2 wants them one after the other")
	}
	defer s.inFlight.Add(-1)
	s.mu.Lock()
	defer s.mu.Unlock()
	req := Request{Path: r.URL.Path}
	defer func() { s.requests = append(s.requests, req) }()
	if s.failN > 0 {
		s.failN--
		req.Status = s.failCode
		http.Error(w, "failing on purpose", s.failCode)
		return
	}
	if r.Method != http.MethodPost || (r.URL.Path != "/v2/identity/map" && r.URL.Path != "/v2/identity/buckets") {
		s.refuse(w, &req, http.StatusNotFound, "no such endpoint: POST /v2/identity/map or /v2/identity/buckets")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.apiKey {
		s.refuse(w, &req, http.StatusUnauthorized, "invalid or missing bearer token")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
	if len(body) > 1<<20 {
		s.refuse(w, &req, http.StatusRequestEntityTooLarge, "request over 1MB")
		return
	}
	nonce, payload, msg := s.open(body)
	if msg != "" {
		s.refuse(w, &req, http.StatusBadRequest, msg)
		return
	}
	if r.URL.Path == "/v2/identity/buckets" {
		s.buckets(w, &req, nonce, payload)
		return
	}
	var in map[string][]string
	if err := json.Unmarshal(payload, &in); err != nil {
		s.refuse(w, &req, http.StatusBadRequest, "payload is not JSON of string arrays: "+err.Error())
		return
	}
	if len(in) != 1 {
		s.refuse(w, &req, http.StatusBadRequest, "exactly one of email, email_hash, phone, phone_hash is required")
		return
	}
	for k, hashes := range in {
		req.Kind, req.Identities = k, len(hashes)
		if k != "email_hash" && k != "phone_hash" {
			s.refuse(w, &req, http.StatusBadRequest, "the test server takes email_hash or phone_hash, got "+k)
			return
		}
		if len(hashes) > MaxIdentities {
			s.refuse(w, &req, http.StatusBadRequest, "more than 5000 identities in one request")
			return
		}
	}
	type mapped struct {
		Identifier    string `json:"identifier"`
		AdvertisingID string `json:"advertising_id"`
		BucketID      string `json:"bucket_id"`
	}
	type unmapped struct {
		Identifier string `json:"identifier"`
		Reason     string `json:"reason"`
	}
	var out struct {
		Mapped   []mapped   `json:"mapped"`
		Unmapped []unmapped `json:"unmapped,omitempty"`
	}
	out.Mapped = []mapped{}
	for _, hashes := range in {
		for _, h := range hashes {
			raw, err := base64.StdEncoding.DecodeString(h)
			switch {
			case err != nil || len(raw) != sha256.Size:
				out.Unmapped = append(out.Unmapped, unmapped{h, "invalid identifier"})
			case s.optOut[h]:
				out.Unmapped = append(out.Unmapped, unmapped{h, "optout"})
			default:
				out.Mapped = append(out.Mapped, mapped{h, rotated(h, s.rotations[BucketOf(h)]), BucketOf(h)})
			}
		}
	}
	js, _ := json.Marshal(map[string]any{"body": out, "status": "success"})
	req.Status = http.StatusOK
	_, _ = io.WriteString(w, s.seal(nonce, js))
}

// buckets answers a buckets request: the buckets rotated at or after its
// since_timestamp.
func (s *Server) buckets(w http.ResponseWriter, req *Request, nonce, payload []byte) {
	var in map[string]any
	if err := json.Unmarshal(payload, &in); err != nil {
		s.refuse(w, req, http.StatusBadRequest, "payload is not a JSON object: "+err.Error())
		return
	}
	since, ok := in["since_timestamp"].(string)
	if !ok || len(in) != 1 {
		s.refuse(w, req, http.StatusBadRequest, "the body takes since_timestamp alone, as a string")
		return
	}
	req.Since = since
	t, err := time.Parse("2006-01-02T15:04:05", since)
	if err != nil {
		s.refuse(w, req, http.StatusBadRequest, "since_timestamp is not yyyy-MM-ddTHH:mm:ss: "+since)
		return
	}
	type bucket struct {
		ID          string `json:"bucket_id"`
		LastUpdated string `json:"last_updated"`
	}
	out := []bucket{}
	for id, at := range s.rotatedAt {
		if !at.Before(t) {
			out = append(out, bucket{id, at.Format("2006-01-02T15:04:05.000")})
		}
	}
	js, _ := json.Marshal(map[string]any{"body": out, "status": "success"})
	req.Status = http.StatusOK
	_, _ = io.WriteString(w, s.seal(nonce, js))
}

// open decrypts a request envelope, or says why it cannot.
func (s *Server) open(body []byte) (nonce, payload []byte, msg string) {
	env, err := base64.StdEncoding.DecodeString(string(body))
	switch {
	case err != nil:
		return nil, nil, "the body is not base64"
	case len(env) < 1+12+16+16:
		return nil, nil, "the envelope is too short"
	case env[0] != 1:
		return nil, nil, "unsupported envelope version"
	}
	block, err := aes.NewCipher(s.secret)
	if err != nil {
		s.t.Fatalf("uid2test: the secret is not an AES key: %v", err)
	}
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, env[1:13], env[13:], nil)
	if err != nil {
		return nil, nil, "failed to decrypt the request: bad tag or wrong secret"
	}
	ts := time.UnixMilli(int64(binary.BigEndian.Uint64(plain[:8])))
	if d := s.Now().Sub(ts); d > MaxSkew || d < -MaxSkew {
		return nil, nil, "request timestamp out of range"
	}
	return plain[8:16], plain[16:], ""
}

// seal encrypts a response envelope echoing nonce.
func (s *Server) seal(nonce, js []byte) string {
	block, _ := aes.NewCipher(s.secret)
	gcm, _ := cipher.NewGCM(block)
	iv := make([]byte, 12)
	_, _ = rand.Read(iv)
	plain := binary.BigEndian.AppendUint64(nil, uint64(s.Now().UnixMilli()))
	plain = append(append(plain, nonce...), js...)
	return base64.StdEncoding.EncodeToString(gcm.Seal(iv, iv, plain, nil))
}

// Open decrypts a request envelope as the server does, for tests of a
// client's envelope: the nonce and the payload, or why not.
func (s *Server) Open(body []byte) (nonce, payload []byte, msg string) { return s.open(body) }

// Seal encrypts a response as the server does.
func (s *Server) Seal(nonce, js []byte) string { return s.seal(nonce, js) }

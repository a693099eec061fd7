// Package googletest is a Data Manager API and an OAuth2 token endpoint
// for tests, on 127.0.0.1. The token endpoint grants tokens for a refresh
// token (authorized_user credentials) or for a service account's JWT
// assertion (RS256, checked against the account's public key). The API
// implements POST /v1/audienceMembers:ingest and :remove: it checks the
// bearer token is one it granted, the destination, encoding HEX, the
// consent of an ingest, at most 10,000 members a request and 10
// identifiers a member, each with one field of 64 lowercase hex (it
// re-hashes nothing), and answers violations the way the API does (400
// INVALID_ARGUMENT with google.rpc.BadRequest field violations naming
// the member). A request with validateOnly set is checked the same way
// and answered the same errors, but changes no member. It holds the
// list's members, one "email:<hex>" or "phone:<hex>" string an
// identifier, and can be told to fail requests or answer 429
// RESOURCE_EXHAUSTED.
package googletest

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
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

	"crypto"
)

// Limits the API enforces.
const (
	MaxMembers     = 10000
	MaxIdentifiers = 10
)

var hexRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Server is one Customer Match list and its token endpoint. Its methods
// are safe for concurrent use.
type Server struct {
	URL string
	// Audience, Account and Consent are what requests must carry (Consent
	// is the ingest's {"adUserData": …, "adPersonalization": …}; nil: none).
	Audience, Account string
	Consent           map[string]string
	// ClientID, ClientSecret and RefreshToken are the authorized_user
	// credentials the token endpoint accepts; ServiceAccount and Key the
	// service account's (nil Key: none).
	ClientID, ClientSecret, RefreshToken string
	ServiceAccount                       string
	Key                                  *rsa.PublicKey

	srv         *httptest.Server
	mu          sync.Mutex
	tokens      map[string]bool
	members     map[string]bool
	requests    []string // "ingest 3" …
	failN       int
	failStatus  int
	exhaustN    int
	rejectValue map[string]string // identifier value → violation reason
}

// New starts a server; set its fields before the first request. It is
// closed when t ends.
func New(t testing.TB) *Server {
	s := &Server{tokens: map[string]bool{}, members: map[string]bool{}, rejectValue: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("POST /v1/audienceMembers:ingest", func(w http.ResponseWriter, r *http.Request) { s.audience(w, r, "ingest") })
	mux.HandleFunc("POST /v1/audienceMembers:remove", func(w http.ResponseWriter, r *http.Request) { s.audience(w, r, "remove") })
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// TokenURL is the token endpoint's URL.
func (s *Server) TokenURL() string { return s.URL + "/token" }

// Members returns the list's identifiers, sorted.
func (s *Server) Members() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.members))
}

// Requests returns the API requests so far: "ingest N" or "remove N"
// (members), "validate ingest N" or "validate remove N" for one with
// validateOnly set, with " refused" or " failed" when not applied.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// FailNext makes the next n API requests answer status.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// ExhaustNext makes the next n API requests answer 429 RESOURCE_EXHAUSTED.
func (s *Server) ExhaustNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exhaustN = n
}

// Reject makes a request carrying identifier value (the hex as sent)
// refused with a field violation of reason.
func (s *Server) Reject(value, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectValue[value] = reason
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request")
		return
	}
	ok := false
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		ok = s.RefreshToken != "" && r.PostForm.Get("refresh_token") == s.RefreshToken &&
			r.PostForm.Get("client_id") == s.ClientID && r.PostForm.Get("client_secret") == s.ClientSecret
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		ok = s.Key != nil && s.checkAssertion(r.PostForm.Get("assertion"))
	}
	if !ok {
		oauthError(w, "invalid_grant")
		return
	}
	s.mu.Lock()
	tok := fmt.Sprintf("ya29.test-%d", len(s.tokens)+1)
	s.tokens[tok] = true
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
}

func oauthError(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
}

// checkAssertion verifies a service account's RS256 JWT: signature,
// issuer, audience (the token URL) and the datamanager scope.
func (s *Server) checkAssertion(a string) bool {
	parts := strings.Split(a, ".")
	if len(parts) != 3 {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(s.Key, crypto.SHA256, sum[:], sig) != nil {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var c struct {
		Iss, Aud, Scope string
	}
	return json.Unmarshal(payload, &c) == nil && c.Iss == s.ServiceAccount && c.Aud == s.TokenURL() &&
		c.Scope == "https://www.googleapis.com/auth/datamanager"
}

// violation is one google.rpc.BadRequest field violation.
type violation struct {
	Field       string `json:"field"`
	Description string `json:"description"`
	Reason      string `json:"reason"`
}

func apiError(w http.ResponseWriter, code int, status, msg string, vs []violation) {
	e := map[string]any{"code": code, "message": msg, "status": status}
	if len(vs) > 0 {
		e["details"] = []any{map[string]any{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": vs}}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}

func (s *Server) audience(w http.ResponseWriter, r *http.Request, op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	log := op
	defer func() { s.requests = append(s.requests, log) }()
	switch {
	case !s.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]:
		log += " unauthenticated"
		apiError(w, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", nil)
		return
	case s.failN > 0:
		s.failN--
		log += " failed"
		apiError(w, s.failStatus, "UNAVAILABLE", "failing on purpose", nil)
		return
	case s.exhaustN > 0:
		s.exhaustN--
		log += " exhausted"
		apiError(w, 429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Requests'.", nil)
		return
	}
	var req struct {
		Destinations []struct {
			OperatingAccount struct {
				AccountType string `json:"accountType"`
				AccountID   string `json:"accountId"`
			} `json:"operatingAccount"`
			LoginAccount         json.RawMessage `json:"loginAccount"`
			ProductDestinationID string          `json:"productDestinationId"`
		} `json:"destinations"`
		AudienceMembers []struct {
			UserData struct {
				UserIdentifiers []map[string]string `json:"userIdentifiers"`
			} `json:"userData"`
		} `json:"audienceMembers"`
		Consent      map[string]string `json:"consent"`
		Encoding     string            `json:"encoding"`
		ValidateOnly bool              `json:"validateOnly"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		log += " refused"
		apiError(w, 400, "INVALID_ARGUMENT", "Invalid JSON payload: "+err.Error(), nil)
		return
	}
	log = fmt.Sprintf("%s %d", op, len(req.AudienceMembers))
	if req.ValidateOnly {
		log = "validate " + log
	}
	var vs []violation
	add := func(field, reason, desc string) {
		vs = append(vs, violation{Field: field, Reason: reason, Description: desc})
	}
	d := req.Destinations
	switch {
	case len(d) != 1 || d[0].ProductDestinationID != s.Audience || d[0].OperatingAccount.AccountID != s.Account || d[0].OperatingAccount.AccountType != "GOOGLE_ADS":
		add("destinations", "INVALID_DESTINATION", "unknown destination")
	case req.Encoding != "HEX":
		add("encoding", "INVALID_ENCODING", "encoding must be HEX")
	case len(req.AudienceMembers) == 0 || len(req.AudienceMembers) > MaxMembers:
		add("audience_members", "TOO_MANY_AUDIENCE_MEMBERS", fmt.Sprintf("1 to %d members a request", MaxMembers))
	case op == "ingest" && !maps.Equal(req.Consent, s.Consent):
		add("consent", "INVALID_CONSENT", fmt.Sprintf("consent %v, want %v", req.Consent, s.Consent))
	case op == "remove" && req.Consent != nil:
		add("consent", "INVALID_ARGUMENT", "remove takes no consent")
	}
	var ids []string
	for i, m := range req.AudienceMembers {
		uis := m.UserData.UserIdentifiers
		if len(uis) == 0 || len(uis) > MaxIdentifiers {
			add(fmt.Sprintf("audience_members.audience_members[%d].user_data.user_identifiers", i), "TOO_MANY_USER_IDENTIFIERS", fmt.Sprintf("1 to %d identifiers a member", MaxIdentifiers))
		}
		for j, ui := range uis {
			field := fmt.Sprintf("audience_members.audience_members[%d].user_data.user_identifiers[%d]", i, j)
			if len(ui) != 1 {
				add(field, "INVALID_ARGUMENT", "exactly one of emailAddress, phoneNumber")
				continue
			}
			for k, v := range ui {
				kind := map[string]string{"emailAddress": "email", "phoneNumber": "phone"}[k]
				switch {
				case kind == "":
					add(field, "INVALID_ARGUMENT", "unknown identifier "+k)
				case !hexRE.MatchString(v):
					add(field, "INVALID_SHA256_FORMAT", "not a hex SHA-256")
				case s.rejectValue[v] != "":
					add(field, s.rejectValue[v], "refused on purpose")
				default:
					ids = append(ids, kind+":"+v)
				}
			}
		}
	}
	if len(vs) > 0 {
		log += " refused"
		apiError(w, 400, "INVALID_ARGUMENT", "Request contains an invalid argument.", vs)
		return
	}
	if !req.ValidateOnly { // a check applies nothing
		for _, id := range ids {
			if op == "ingest" {
				s.members[id] = true
			} else {
				delete(s.members, id)
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"requestId": fmt.Sprintf("req-%d", len(s.requests)+1)})
}

package profileapi

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Tokens issues and checks the Profile API's OAuth access tokens (the
// client-credentials grant, as mParticle's token endpoint). Tokens live in
// memory: a restarted server asks its clients for new ones (a 401), which
// OAuth clients handle by fetching a token again. A token ends when its TTL
// has passed or when it is revoked (Revoke: the web view's logout).
type Tokens struct {
	ClientID, ClientSecret string
	TTL                    time.Duration
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time

	mu       sync.Mutex
	issued   map[string]time.Time     // token -> expiry
	failures map[string]*rate.Limiter // host -> its wrong credentials
}

// Wrong credentials are limited per host: FailureBurst, then one each
// FailureEvery. A host that has none left is refused without a check.
const (
	FailureBurst = 10
	FailureEvery = 6 * time.Second
	// maxHosts bounds the hosts whose failures are remembered; past it
	// they are all forgotten.
	maxHosts = 10_000
)

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// tokenRequest is the body of POST /oauth/token, as JSON (mParticle's
// clients) or a form (RFC 6749 clients such as golang.org/x/oauth2).
type tokenRequest struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Audience     string `json:"audience"`
}

// ServeToken answers POST /oauth/token. The client's credentials come in
// the body or as HTTP Basic.
func (t *Tokens) ServeToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	var req tokenRequest
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			oauthError(w, http.StatusBadRequest, "invalid_request", "the body is not JSON: "+err.Error())
			return
		}
	} else {
		if err := r.ParseForm(); err != nil {
			oauthError(w, http.StatusBadRequest, "invalid_request", "the body is not a form: "+err.Error())
			return
		}
		req = tokenRequest{GrantType: r.PostForm.Get("grant_type"), ClientID: r.PostForm.Get("client_id"), ClientSecret: r.PostForm.Get("client_secret")}
	}
	if id, secret, ok := r.BasicAuth(); ok && req.ClientID == "" {
		req.ClientID, req.ClientSecret = id, secret
	}
	if req.GrantType != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", `grant_type must be "client_credentials"`)
		return
	}
	ok, wait := t.CheckFrom(r.RemoteAddr, req.ClientID, req.ClientSecret)
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		oauthError(w, http.StatusTooManyRequests, "slow_down", "too many wrong credentials from this address: try again later")
		return
	}
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="mosaic profile api"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client id or wrong secret")
		return
	}
	token := t.Issue()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{"access_token": token, "expires_in": int(t.TTL.Seconds()), "token_type": "Bearer"})
}

// Check reports whether id and secret are the client's, in constant time.
func (t *Tokens) Check(id, secret string) bool {
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(t.ClientID))
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(t.ClientSecret))
	return idOK&secretOK == 1
}

// CheckFrom is Check for a request from addr (host:port, as
// http.Request.RemoteAddr), with wrong credentials limited per host (see
// FailureBurst). A host with no failure left gets wait > 0, how long until
// it has one, and no check.
func (t *Tokens) CheckFrom(addr, id, secret string) (ok bool, wait time.Duration) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	lim := t.failures[host]
	if lim != nil && lim.TokensAt(now) < 1 {
		r := lim.ReserveN(now, 1)
		wait = r.DelayFrom(now)
		r.CancelAt(now)
		return false, max(wait, time.Nanosecond)
	}
	if t.Check(id, secret) {
		return true, 0
	}
	if lim == nil {
		if t.failures == nil || len(t.failures) >= maxHosts {
			t.failures = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Every(FailureEvery), FailureBurst)
		t.failures[host] = lim
	}
	lim.AllowN(now, 1)
	return false, 0
}

// Issue returns a new token, valid for TTL.
func (t *Tokens) Issue() string {
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.issued == nil {
		t.issued = map[string]time.Time{}
	}
	t.forgetExpired(now) // expired tokens go as new ones come
	t.issued[token] = now.Add(t.TTL)
	return token
}

// forgetExpired deletes the tokens expired at now; t.mu is held.
func (t *Tokens) forgetExpired(now time.Time) {
	for k, exp := range t.issued {
		if !now.Before(exp) {
			delete(t.issued, k)
		}
	}
}

// Valid reports whether r carries a live bearer token.
func (t *Tokens) Valid(r *http.Request) bool {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return t.Live(token)
}

// Live reports whether token was issued, has not expired and has not been
// revoked.
func (t *Tokens) Live(token string) bool {
	if token == "" {
		return false
	}
	t.mu.Lock()
	exp, found := t.issued[token]
	t.mu.Unlock()
	return found && t.now().Before(exp)
}

// Revoke ends token before its expiry: from now on it is not Live, for the
// Profile API as for the web view. Tokens are kept only while live, so a
// revoked token is simply forgotten (and expired ones with it); revoking
// an unknown, expired or empty token does nothing.
func (t *Tokens) Revoke(token string) {
	if token == "" {
		return
	}
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.issued, token)
	t.forgetExpired(now)
}

func oauthError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": msg})
}

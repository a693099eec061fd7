package profileapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTokensExpire: a token is valid until its TTL has passed, then not;
// an expired token is forgotten when the next one is issued.
func TestTokensExpire(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tk := &Tokens{ClientID: "id", ClientSecret: "secret", TTL: time.Hour, Now: func() time.Time { return now }}
	rec := httptest.NewRecorder()
	treq := httptest.NewRequest("POST", "/oauth/token", strings.NewReader("grant_type=client_credentials&client_id=id&client_secret=secret"))
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tk.ServeToken(rec, treq)
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var token string
	for k := range tk.issued {
		token = k
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if !tk.Valid(req) {
		t.Fatal("a fresh token is refused")
	}
	now = now.Add(time.Hour - time.Second)
	if !tk.Valid(req) {
		t.Fatal("a token is refused before its TTL passed")
	}
	now = now.Add(time.Second)
	if tk.Valid(req) {
		t.Fatal("a token is accepted once its TTL passed")
	}
	tk.Issue()
	if _, kept := tk.issued[token]; kept || len(tk.issued) != 1 {
		t.Fatalf("the expired token is still kept: %d tokens", len(tk.issued))
	}
}

// TestWrongCredentialsAreLimited: after FailureBurst wrong secrets from one
// host, the token endpoint answers 429 with Retry-After, even to the right
// secret, until the host has a failure left again; another host is not
// limited, and right secrets never count.
func TestWrongCredentialsAreLimited(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tk := &Tokens{ClientID: "id", ClientSecret: "secret", TTL: time.Hour, Now: func() time.Time { return now }}
	ask := func(remote, secret string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/oauth/token", strings.NewReader("grant_type=client_credentials&client_id=id&client_secret="+secret))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = remote
		tk.ServeToken(rec, req)
		return rec
	}
	for range 2 * FailureBurst {
		if rec := ask("10.0.0.1:1000", "secret"); rec.Code != http.StatusOK {
			t.Fatalf("a right secret: %d %s", rec.Code, rec.Body)
		}
	}
	for i := range FailureBurst {
		if rec := ask("10.0.0.1:1001", "wrong"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong secret %d: %d, want 401", i+1, rec.Code)
		}
	}
	rec := ask("10.0.0.1:1002", "secret")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "slow_down") {
		t.Fatalf("after %d wrong secrets, the right one: %d %q %s; want 429 with Retry-After", FailureBurst, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := ask("10.0.0.2:1000", "secret"); rec.Code != http.StatusOK {
		t.Errorf("another host: %d, want 200", rec.Code)
	}
	now = now.Add(FailureEvery)
	if rec := ask("10.0.0.1:1003", "secret"); rec.Code != http.StatusOK {
		t.Errorf("after %s: %d, want 200", FailureEvery, rec.Code)
	}
}

// TestRevoke: a revoked token is refused at once, others stay live, and
// the store keeps neither it nor the expired ones; revoking concurrently
// with issuing and checking is safe (go test -race).
func TestRevoke(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	tk := &Tokens{ClientID: "id", ClientSecret: "secret", TTL: time.Hour, Now: func() time.Time {
		clock.Lock()
		defer clock.Unlock()
		return now
	}}
	old := tk.Issue()
	clock.Lock()
	now = now.Add(30 * time.Minute)
	clock.Unlock()
	a, b := tk.Issue(), tk.Issue()
	tk.Revoke(a)
	if tk.Live(a) {
		t.Fatal("a revoked token is live")
	}
	if !tk.Live(b) || !tk.Live(old) {
		t.Fatal("revoking a token ended another")
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer "+a)
	if tk.Valid(req) {
		t.Fatal("the Profile API takes a revoked token")
	}
	tk.Revoke(a)
	tk.Revoke("")
	tk.Revoke("never-issued")
	clock.Lock()
	now = now.Add(30 * time.Minute) // old expires
	clock.Unlock()
	tk.Revoke(b)
	if len(tk.issued) != 0 {
		t.Fatalf("%d tokens kept after revoking the last live one, want 0", len(tk.issued))
	}

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				token := tk.Issue()
				if !tk.Live(token) {
					t.Error("a fresh token is not live")
				}
				tk.Revoke(token)
				if tk.Live(token) {
					t.Error("a revoked token is live")
				}
			}
		})
	}
	wg.Wait()
	if len(tk.issued) != 0 {
		t.Fatalf("%d tokens kept after each was revoked, want 0", len(tk.issued))
	}
}

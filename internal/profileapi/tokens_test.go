package profileapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
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

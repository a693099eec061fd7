package server

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func resolveBody(typ, value string) string {
	return fmt.Sprintf(`{"environment_type": "production", "identity": {"type": %q, "value": %q}}`, typ, value)
}

// TestProfileAPI: tokens, a profile by customer ID and by MPID with its
// identities, attributes (calculated ones among them) and audiences, an
// alias MPID answering with its survivor, ?fields=, and each refusal; a
// read during a run sees the last commit, never the run's writes, and a
// read after it the run's.
func TestProfileAPI(t *testing.T) {
	s := start(t)
	write(t, filepath.Join(s.dir, "crm.csv"), "customer_id,tier\nc-10,gold\n")
	for _, b := range []string{
		batchJSON("r-1", "c-10", "a@example.com", `{"plan": "free"}`),
		batchJSON("r-2", "", "B@Example.com", `{"city": "Oslo"}`),
		batchJSON("r-0", "c-20", "z@example.com", `{"plan": "team"}`),
	} {
		if code, text := s.events("/v2/events", b); code != http.StatusAccepted {
			t.Fatalf("%d %s", code, text)
		}
	}
	s.runOnce()

	// Tokens.
	if code, text := s.do("POST", "/oauth/token", `{"client_id": "cid", "client_secret": "wrong", "grant_type": "client_credentials"}`, map[string]string{"Content-Type": "application/json"}); code != http.StatusUnauthorized || !strings.Contains(text, "invalid_client") {
		t.Fatalf("wrong secret: %d %s", code, text)
	}
	if code, text := s.do("POST", "/oauth/token", `{"client_id": "cid", "client_secret": "csecret", "grant_type": "password"}`, map[string]string{"Content-Type": "application/json"}); code != http.StatusBadRequest || !strings.Contains(text, "unsupported_grant_type") {
		t.Fatalf("wrong grant: %d %s", code, text)
	}
	code, text := s.do("POST", "/oauth/token", `{"client_id": "cid", "client_secret": "csecret", "audience": "https://api.mparticle.com", "grant_type": "client_credentials"}`, map[string]string{"Content-Type": "application/json"})
	if code != http.StatusOK || !strings.Contains(text, `"expires_in":28800`) || !strings.Contains(text, `"token_type":"Bearer"`) {
		t.Fatalf("JSON token request: %d %s", code, text)
	}
	tok := s.token() // a form request, from golang.org/x/oauth2
	for _, bad := range []string{"", "not-a-token"} {
		if code, _, text := s.profile("GET", "/userprofile/v1/1/2/3/1", "", bad); code != http.StatusUnauthorized {
			t.Fatalf("token %q: %d %s", bad, code, text)
		}
	}

	// By customer ID, then by MPID.
	code, a, text := s.profile("POST", "/userprofile/v1/resolve/1/2/3", resolveBody("customer_id", " c-10 "), tok)
	if code != http.StatusOK {
		t.Fatalf("resolve: %d %s", code, text)
	}
	for _, want := range []string{`{"type":"customer_id","encoding":"none","value":"c-10"}`, `{"type":"email","encoding":"none","value":"a@example.com"}`,
		`"plan":"free"`, `"signups":1`, `"tier":"gold"`, `"audience_name":"gold"`, `"device_identities":[]`} {
		if !strings.Contains(text, want) {
			t.Errorf("resolve answer lacks %s:\n%s", want, text)
		}
	}
	code, byID, text2 := s.profile("GET", fmt.Sprintf("/userprofile/v1/1/2/3/%d", a.MPID), "", tok)
	if code != http.StatusOK || byID.MPID != a.MPID || text2 != text {
		t.Fatalf("by mpid %d: %d\n%s\nwant the resolve answer\n%s", a.MPID, code, text2, text)
	}
	code, _, text = s.profile("GET", fmt.Sprintf("/userprofile/v1/1/2/3/%d?fields=user_attributes", a.MPID), "", tok)
	if code != http.StatusOK || !strings.Contains(text, "user_attributes") || strings.Contains(text, "user_identities") || strings.Contains(text, "audience_memberships") {
		t.Fatalf("fields=user_attributes: %d %s", code, text)
	}

	// Refusals.
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/userprofile/v1/1/2/3/12345", "", http.StatusNotFound},
		{"GET", "/userprofile/v1/1/2/3/abc", "", http.StatusBadRequest},
		{"GET", fmt.Sprintf("/userprofile/v1/1/2/3/%d?fields=user_attributes,secrets", a.MPID), "", http.StatusBadRequest},
		{"POST", "/userprofile/v1/resolve/1/2/3", resolveBody("other", "x"), http.StatusBadRequest}, // not in serve.profile_api.resolve
		{"POST", "/userprofile/v1/resolve/1/2/3", resolveBody("bogus", "x"), http.StatusBadRequest},
		{"POST", "/userprofile/v1/resolve/1/2/3", resolveBody("customer_id", "c-404"), http.StatusNotFound},
		{"POST", "/userprofile/v1/resolve/1/2/3", `{"identity": "c-10"}`, http.StatusBadRequest},
	} {
		if code, _, text := s.profile(c.method, c.path, c.body, tok); code != c.want || !strings.Contains(text, `"errors"`) {
			t.Errorf("%s %s %s: %d %s, want %d with errors", c.method, c.path, c.body, code, text, c.want)
		}
	}

	// Run 2 merges the e-mail-only profile into c-10's and changes its plan.
	// Held at its commit, the run is invisible to readers.
	bMPID, c20MPID := mpidOf(t, s, tok, "b@example.com"), mpidOf(t, s, tok, "z@example.com")
	if bMPID == a.MPID {
		t.Fatal("the e-mail-only profile is c-10's before the merge")
	}
	if code, text := s.events("/v2/events", batchJSON("r-3", "c-10", "b@example.com", `{"plan": "pro"}`)); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, text)
	}
	s.gate, s.gated = make(chan struct{}), make(chan struct{})
	s.srv.RunNow()
	<-s.gated
	_, during, text := s.profile("GET", fmt.Sprintf("/userprofile/v1/1/2/3/%d", bMPID), "", tok)
	if during.MPID != bMPID || during.UserAttributes["plan"] != nil {
		t.Errorf("during the run, profile %d reads as %s: want it as last committed (its own, no plan)", bMPID, text)
	}
	_, during, text = s.profile("GET", fmt.Sprintf("/userprofile/v1/1/2/3/%d", a.MPID), "", tok)
	if during.UserAttributes["plan"] != "free" {
		t.Errorf("during the run, c-10 reads as %s: want plan free", text)
	}
	s.waitRun(func() { close(s.gate) })
	s.gate = nil
	code, b, text := s.profile("GET", fmt.Sprintf("/userprofile/v1/1/2/3/%d", bMPID), "", tok)
	if code != http.StatusOK || b.MPID != a.MPID || b.UserAttributes["plan"] != "pro" || b.UserAttributes["city"] != "Oslo" {
		t.Fatalf("alias %d after the merge: %d %s; want survivor %d with plan pro and city Oslo", bMPID, code, text, a.MPID)
	}
	// c-10's document, read (and kept in memory) before and during the
	// run, is the committed run's once it commits.
	if _, after, text := s.profile("GET", fmt.Sprintf("/userprofile/v1/1/2/3/%d", a.MPID), "", tok); after.UserAttributes["plan"] != "pro" {
		t.Errorf("after the run, c-10 reads as %s: want plan pro", text)
	}
	// c-20's, read before the run, which did not change it, is still
	// answered from memory.
	hits, misses := s.metric(cacheReads+`{result="hit"}`), s.metric(cacheReads+`{result="miss"}`)
	if code, c20, text := s.profile("GET", fmt.Sprintf("/userprofile/v1/1/2/3/%d", c20MPID), "", tok); code != http.StatusOK || c20.UserAttributes["plan"] != "team" {
		t.Fatalf("c-20 after the run: %d %s", code, text)
	}
	if h, m := s.metric(cacheReads+`{result="hit"}`), s.metric(cacheReads+`{result="miss"}`); m != misses || h == hits {
		t.Errorf("c-20, unchanged by the run, was read from the store after it (hits %s → %s, misses %s → %s); want it kept in memory", hits, h, misses, m)
	}
}

const cacheReads = "mosaic_profile_api_cache_reads_total"

// mpidOf resolves the profile holding an e-mail (the test pipeline lets
// e-mail resolve).
func mpidOf(t *testing.T, s *served, tok, email string) int64 {
	t.Helper()
	code, p, text := s.profile("POST", "/userprofile/v1/resolve/1/2/3", resolveBody("email", email), tok)
	if code != http.StatusOK {
		t.Fatalf("resolve %s: %d %s", email, code, text)
	}
	return p.MPID
}

// TestWebViewIsServed: the server's root leads to the web view, whose
// login form is there and whose pages want a session (the pages
// themselves are internal/webui's tests, in a real browser among them);
// a session's token works for the Profile API, and the logout ends it
// for both (a kept copy of the cookie is refused).
func TestWebViewIsServed(t *testing.T) {
	s := start(t)
	code, text := s.do("GET", "/", "", nil) // the client follows redirects
	if code != http.StatusOK || !strings.Contains(text, "Log in") {
		t.Fatalf("GET / : %d, want the login form; got %.200s", code, text)
	}
	noRedirect := *s.client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Get(s.url + "/ui/runs")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/ui/login") {
		t.Fatalf("GET /ui/runs without a session: %d to %q, want a redirect to the login", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A session token is a Profile API token; the web view's logout ends
	// it for both.
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": s.url}
	req, _ := http.NewRequest("POST", s.url+"/ui/login", strings.NewReader("client_id=cid&client_secret=csecret"))
	for k, v := range form {
		req.Header.Set(k, v)
	}
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "mosaic_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("login: %d and no session cookie", resp.StatusCode)
	}
	if code, _, text := s.profile("GET", "/userprofile/v1/1/2/3/1", "", session.Value); code == http.StatusUnauthorized {
		t.Fatalf("the Profile API refuses a live session's token: %s", text)
	}
	req, _ = http.NewRequest("POST", s.url+"/ui/logout", nil)
	for k, v := range form {
		req.Header.Set(k, v)
	}
	req.AddCookie(session)
	if resp, err = noRedirect.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, _, text := s.profile("GET", "/userprofile/v1/1/2/3/1", "", session.Value); code != http.StatusUnauthorized {
		t.Errorf("the Profile API after the web view's logout: %d %s, want 401", code, text)
	}
	req, _ = http.NewRequest("GET", s.url+"/ui/runs", nil)
	req.AddCookie(session)
	if resp, err = noRedirect.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login" {
		t.Errorf("GET /ui/runs with the logged-out cookie: %d to %q, want 303 to /ui/login", resp.StatusCode, resp.Header.Get("Location"))
	}
}

package webui

import (
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/profileapi"
)

func TestPagesNeedALiveSession(t *testing.T) {
	c := newClient(t)
	for _, path := range []string{"/ui/", "/ui/profiles/1", "/ui/audiences", "/ui/audiences/vip", "/ui/runs", "/ui/runs/1", "/ui/outputs", "/ui/sql", "/ui/nowhere"} {
		resp, _ := c.get(path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login" {
			t.Errorf("GET %s without a session: %d to %q, want 303 to /ui/login", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	u, _ := url.Parse(c.fx.srv.URL)
	c.c.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: "not-a-token", Path: "/ui/"}})
	if resp, _ := c.get("/ui/runs"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /ui/runs with a dead token: %d, want 303", resp.StatusCode)
	}
	resp, body := c.post("/ui/sql", url.Values{"q": {"SELECT 1"}}, c.fx.srv.URL)
	if resp.StatusCode != http.StatusSeeOther || strings.Contains(body, "<table") {
		t.Errorf("POST /ui/sql without a session: %d", resp.StatusCode)
	}
}

func TestLogin(t *testing.T) {
	c := newClient(t)
	resp, body := c.get("/ui/login")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="client_secret"`) {
		t.Fatalf("GET /ui/login: %d", resp.StatusCode)
	}
	resp, body = c.post("/ui/login", url.Values{"client_id": {testClientID}, "client_secret": {"wrong"}}, c.fx.srv.URL)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Unknown client id or wrong secret") {
		t.Errorf("a wrong secret: %d, want 401 with a message", resp.StatusCode)
	}
	if len(resp.Cookies()) != 0 {
		t.Errorf("a wrong secret set cookies: %v", resp.Cookies())
	}
	resp, _ = c.post("/ui/login", url.Values{"client_id": {testClientID}, "client_secret": {testClientSecret}}, c.fx.srv.URL)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/" {
		t.Fatalf("login: %d to %q, want 303 to /ui/", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == cookieName {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || !c.fx.tokens.Live(session.Value) {
		t.Fatalf("session cookie %+v: want a live token, HttpOnly, SameSite=Strict", session)
	}
	if resp, body := c.get("/ui/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Find a profile") {
		t.Errorf("GET /ui/ logged in: %d", resp.StatusCode)
	}
	if resp, _ := c.get("/ui/login"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /ui/login logged in: %d, want 303 to /ui/", resp.StatusCode)
	}
	resp, _ = c.post("/ui/logout", nil, c.fx.srv.URL)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login" {
		t.Errorf("logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := c.get("/ui/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /ui/ after logout: %d, want 303", resp.StatusCode)
	}
}

// TestLogoutRevokesTheSession: a copy of the session cookie taken before
// the logout is refused after it, by every page and the console, as a
// forged token is: the logout ends the token, not only the cookie.
func TestLogoutRevokesTheSession(t *testing.T) {
	c := loggedIn(t)
	u, _ := url.Parse(c.fx.srv.URL + "/ui/")
	var stolen *http.Cookie
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == cookieName {
			stolen = ck
		}
	}
	if stolen == nil {
		t.Fatal("no session cookie after the login")
	}
	thief := newClient(t)
	thief.c.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: stolen.Value, Path: "/ui/"}})
	if resp, _ := thief.get("/ui/runs"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /ui/runs with the copied cookie before the logout: %d, want 200", resp.StatusCode)
	}
	if resp, _ := c.post("/ui/logout", nil, c.fx.srv.URL); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login" {
		t.Fatalf("logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, path := range []string{"/ui/", "/ui/runs", "/ui/sql"} {
		if resp, _ := thief.get(path); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login" {
			t.Errorf("GET %s with the copied cookie after the logout: %d to %q, want 303 to /ui/login", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp, body := thief.post("/ui/sql", url.Values{"q": {"SELECT 1"}}, c.fx.srv.URL); resp.StatusCode != http.StatusSeeOther || strings.Contains(body, "<table") {
		t.Errorf("POST /ui/sql with the copied cookie after the logout: %d, want 303", resp.StatusCode)
	}
	if resp, _ := thief.get("/ui/login"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /ui/login with the copied cookie after the logout: %d, want the form", resp.StatusCode)
	}
	if c.fx.tokens.Live(stolen.Value) {
		t.Errorf("the session's token is still live after the logout")
	}
	// Logging out again, with the dead cookie or none, is harmless.
	if resp, _ := thief.post("/ui/logout", nil, c.fx.srv.URL); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a second logout: %d, want 303", resp.StatusCode)
	}
	if resp, _ := newClient(t).post("/ui/logout", nil, c.fx.srv.URL); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a logout without a cookie: %d, want 303", resp.StatusCode)
	}
}

func TestCrossSiteFormsAreRefused(t *testing.T) {
	creds := url.Values{"client_id": {testClientID}, "client_secret": {testClientSecret}}
	c := newClient(t)
	for _, origin := range []string{"http://evil.example", ""} {
		resp, body := c.post("/ui/login", creds, origin)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "was not sent from this site") || len(resp.Cookies()) != 0 || strings.Contains(body, "Log out") {
			t.Errorf("login with Origin %q: %d, want 403 and no cookie", origin, resp.StatusCode)
		}
	}
	// A Referer of the same host is enough when there is no Origin.
	req, _ := http.NewRequest(http.MethodPost, c.fx.srv.URL+"/ui/login", strings.NewReader(creds.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", c.fx.srv.URL+"/ui/login")
	resp, err := c.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login with a same-host Referer: %d, want 303", resp.StatusCode)
	}
	// A logged-in user's console and logout refuse another site's forms.
	in := loggedIn(t)
	if resp, body := in.post("/ui/sql", url.Values{"q": {"SELECT 1"}}, "https://evil.example"); resp.StatusCode != http.StatusForbidden || strings.Contains(body, `id="result"`) {
		t.Errorf("console from another site: %d, want 403", resp.StatusCode)
	}
	if resp, _ := in.post("/ui/logout", nil, "https://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout from another site: %d, want 403", resp.StatusCode)
	}
}

func TestSearch(t *testing.T) {
	c := loggedIn(t)
	ada := scalar[int64](t, "SELECT mpid FROM profile_identities WHERE identity_type = 'customerid' AND identity_value = 'C001'")
	// The value is normalised as staging does: trimmed, e-mail lower-cased.
	resp, _ := c.get("/ui/?type=email&value=" + url.QueryEscape("  ADA@Example.com "))
	if want := fmt.Sprintf("/ui/profiles/%d", ada); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Errorf("search by e-mail: %d to %q, want %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	resp, _ = c.get("/ui/?type=customer_id&value=C001")
	if resp.Header.Get("Location") != fmt.Sprintf("/ui/profiles/%d", ada) {
		t.Errorf("search by customer_id: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var alias, survivor int64
	if err := c.fx.h.DB.QueryRow("SELECT alias_mpid, mpid FROM profile_aliases ORDER BY merged_at LIMIT 1").Scan(&alias, &survivor); err != nil {
		t.Fatalf("the fixture has no merged profile: %v", err)
	}
	resp, _ = c.get(fmt.Sprintf("/ui/?mpid=%d", alias))
	if want := fmt.Sprintf("/ui/profiles/%d", survivor); resp.Header.Get("Location") != want {
		t.Errorf("search by alias MPID %d: %d to %q, want %s", alias, resp.StatusCode, resp.Header.Get("Location"), want)
	}
	resp, _ = c.get(fmt.Sprintf("/ui/profiles/%d", alias))
	if want := fmt.Sprintf("/ui/profiles/%d", survivor); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
		t.Errorf("the alias's profile page: %d to %q, want %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	for query, msg := range map[string]string{
		"?type=email&value=nobody@example.com": "No profile has the identity email = &#34;nobody@example.com&#34;",
		"?mpid=12345":                          "No profile has the MPID 12345.",
		"?mpid=abc":                            "is not an MPID",
		"?type=shoe_size&value=42":             "is not an identity type",
	} {
		resp, body := c.get("/ui/" + query)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, msg) {
			t.Errorf("search %s: %d, want 404 saying %q", query, resp.StatusCode, msg)
		}
	}
}

func TestProfilePage(t *testing.T) {
	c := loggedIn(t)
	linus := scalar[int64](t, "SELECT mpid FROM profile_identities WHERE identity_value = 'linus@example.com'")
	resp, body := c.get(fmt.Sprintf("/ui/profiles/%d", linus))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("profile page: %d", resp.StatusCode)
	}
	for _, want := range []string{
		"linus@example.com", "C003", "ck-3", // identities, ck-3 by the merge
		"tier", `&#34;gold&#34;`, "warehouse", "page_views", `<span class="badge">calculated</span>`, // attributes
		`href="/ui/audiences/vip"`, `href="/ui/audiences/browsers"`, // audiences
		"page_view", "add_to_cart", "login", // events
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the profile page lacks %q", want)
		}
	}
	alias := scalar[int64](t, "SELECT alias_mpid FROM profile_aliases WHERE mpid = $1", linus)
	if !strings.Contains(body, fmt.Sprint(alias)) {
		t.Errorf("the profile page lacks the alias %d", alias)
	}
	for _, path := range []string{"/ui/profiles/424242", "/ui/profiles/x"} {
		if resp, _ := c.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

var svgRect = regexp.MustCompile(`<rect x="\d+" y="\d+" width="(\d+)"`)

func TestAudienceRunAndOutputPages(t *testing.T) {
	c := loggedIn(t)
	resp, body := c.get("/ui/audiences")
	if resp.StatusCode != http.StatusOK || !regexp.MustCompile(`(?s)href="/ui/audiences/vip">vip</a></td><td class="num">2<`).MatchString(body) {
		t.Errorf("audiences: %d, want vip with 2 members:\n%s", resp.StatusCode, body)
	}
	resp, body = c.get("/ui/audiences/vip")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<svg") || len(svgRect.FindAllString(body, -1)) != 2 {
		t.Errorf("audience vip: %d, want a chart with a column per run:\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{`<span class="badge entered">entered</span>`, `<span class="badge exited">exited</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("audience vip lacks %q", want)
		}
	}
	resp, body = c.get("/ui/runs")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/ui/runs/2"`) || strings.Index(body, `href="/ui/runs/2"`) > strings.Index(body, `href="/ui/runs/1"`) {
		t.Errorf("runs: %d, want run 2 before run 1", resp.StatusCode)
	}
	resp, body = c.get("/ui/runs/1")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("run 1: %d", resp.StatusCode)
	}
	widths := svgRect.FindAllStringSubmatch(body, -1)
	if len(widths) < 5 {
		t.Errorf("run 1: %d stage bars, want one per stage", len(widths))
	}
	for _, want := range []string{"invalid_timestamp", "invalid_json", "blocklisted", "yesterday", "identity", "audiences"} {
		if !strings.Contains(body, want) {
			t.Errorf("run 1 lacks %q", want)
		}
	}
	resp, body = c.get("/ui/outputs")
	if resp.StatusCode != http.StatusOK || !regexp.MustCompile(`<td>vip_export</td><td><span class="badge succeeded"[^>]*>succeeded</span></td><td class="time">[^<]+</td><td><a href="/ui/runs/2">2</a></td><td class="num">1</td><td class="num">0</td><td class="num">1</td><td class="num">0</td>`).MatchString(body) ||
		!strings.Contains(body, `>Refreshed</th>`) {
		t.Errorf("outputs: %d, want vip_export's last sync (run 2: Linus added, Margaret removed):\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, `href="/ui/outputs"`) {
		t.Errorf("the nav does not link the outputs page of a pipeline with outputs")
	}
	for _, path := range []string{"/ui/audiences/nope", "/ui/runs/99", "/ui/runs/x", "/ui/nowhere"} {
		if resp, _ := c.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestOutputsLinkFollowsSyncs(t *testing.T) {
	h := *shared.h
	p := *h.Pipeline
	p.Outputs = nil
	h.Pipeline = &p
	req := httptest.NewRequest(http.MethodGet, "/ui/", nil)
	if !h.showOutputs(req) {
		t.Errorf("a pipeline without outputs but with syncs in output_runs does not link the outputs page")
	}
	empty, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if _, err := empty.Exec("CREATE VIEW output_runs AS SELECT 1 AS sync_id WHERE false"); err != nil {
		t.Fatal(err)
	}
	h.DB = empty
	if h.showOutputs(req) {
		t.Errorf("a pipeline without outputs or syncs links the outputs page")
	}
}

// TestWrongLoginsAreLimited: after profileapi.FailureBurst wrong secrets
// from one address, the login form answers 429, the right secret too. A
// server of its own: the shared one's logins come from the same address.
func TestWrongLoginsAreLimited(t *testing.T) {
	tokens := &profileapi.Tokens{ClientID: testClientID, ClientSecret: testClientSecret, TTL: time.Hour}
	h := &Handler{DB: shared.h.DB, Pipeline: shared.h.Pipeline, Sessions: tokens, Log: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := &client{t: t, fx: &fixture{h: h, srv: srv, tokens: tokens}, c: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	for i := range profileapi.FailureBurst {
		if resp, _ := c.post("/ui/login", url.Values{"client_id": {testClientID}, "client_secret": {"wrong"}}, srv.URL); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong secret %d: %d, want 401", i+1, resp.StatusCode)
		}
	}
	resp, body := c.post("/ui/login", url.Values{"client_id": {testClientID}, "client_secret": {testClientSecret}}, srv.URL)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many wrong logins") || len(resp.Cookies()) != 0 {
		t.Errorf("the right secret after %d wrong ones: %d %q, want 429 with Retry-After and no cookie", profileapi.FailureBurst, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

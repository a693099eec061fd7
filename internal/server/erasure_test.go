package server

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// erasureJSON is an OpenDSR erasure request for id naming identities (the
// subject_identities object, as mParticle's DSR API v3 takes it).
func erasureJSON(id, identities string) string {
	return fmt.Sprintf(`{"regulation": "gdpr", "subject_request_id": %q, "subject_request_type": "erasure",
		"submitted_time": "2026-06-01T15:00:00Z", "subject_identities": %s, "api_version": "3.0"}`, id, identities)
}

// erasureStatus is the part of a request's status the tests read.
type erasureStatus struct {
	RequestStatus string  `json:"request_status"`
	ResultsCount  *int64  `json:"results_count"`
	Completion    *string `json:"expected_completion_time"`
	Extensions    struct {
		Mosaic struct {
			Message    string           `json:"message"`
			Identities []map[string]any `json:"identities"`
		} `json:"mosaic"`
	} `json:"extensions"`
}

func (s *served) erase(token, body string) (int, string) {
	s.t.Helper()
	return s.do("POST", "/opendsr/v3/requests", body, map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"})
}

// erasure reads request id's status.
func (s *served) erasure(token, id string) (int, erasureStatus, string) {
	s.t.Helper()
	code, text := s.do("GET", "/opendsr/v3/requests/"+id, "", map[string]string{"Authorization": "Bearer " + token})
	var st erasureStatus
	if code == http.StatusOK {
		if err := json.Unmarshal([]byte(text), &st); err != nil {
			s.t.Fatalf("status of %s: %v in %s", id, err, text)
		}
	}
	return code, st, text
}

// waitErasure waits until request id is done (completed or failed).
func (s *served) waitErasure(token, id string) (erasureStatus, string) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, st, text := s.erasure(token, id)
		if code != http.StatusOK {
			s.t.Fatalf("status of %s: %d %s", id, code, text)
		}
		if st.RequestStatus == "completed" || st.RequestStatus == "failed" {
			return st, text
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("request %s not done within 60s: %s", id, text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const (
	eraseID1 = "a7551968-d5d6-44b2-9831-815ac9017798"
	eraseID2 = "0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f"
	eraseID3 = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
)

// TestErasureWhileServing: a profile is erased through the route while
// the server runs: its request completes with what was erased, the
// Profile API no longer finds it (not even the copy it kept in memory),
// another profile stays, a later request for the same person finds
// nothing left, and the other profile goes by its MPID.
func TestErasureWhileServing(t *testing.T) {
	s := start(t)
	for i, b := range []string{batchJSON("r-1", "c-1", "ada@example.com", `{"plan": "pro"}`), batchJSON("r-2", "c-2", "bob@example.com", `{"plan": "free"}`)} {
		if code, text := s.events("/v2/events", b); code != http.StatusAccepted {
			t.Fatalf("batch %d: %d %s", i, code, text)
		}
	}
	s.runOnce()
	tok := s.token()
	resolve := func(email string) int {
		code, _, _ := s.profile("POST", "/userprofile/v1/resolve/1/2/3", fmt.Sprintf(`{"environment_type": "production", "identity": {"type": "email", "value": %q}}`, email), tok)
		return code
	}
	ada := fmt.Sprintf("/userprofile/v1/1/2/3/%d", mpidOf(t, s, tok, "ada@example.com"))
	if code, _, text := s.profile("GET", ada, "", tok); code != http.StatusOK { // and now kept in memory
		t.Fatalf("ada's profile before the erasure: %d %s", code, text)
	}
	code, text := s.erase(tok, erasureJSON(eraseID1, `{"email": {"value": " Ada@Example.com ", "encoding": "raw"}}`))
	if code != http.StatusCreated || !strings.Contains(text, `"subject_request_id":"`+eraseID1+`"`) || !strings.Contains(text, `"received_time"`) {
		t.Fatalf("erasure request: %d %s", code, text)
	}
	st, text := s.waitErasure(tok, eraseID1)
	ids := st.Extensions.Mosaic.Identities
	if st.RequestStatus != "completed" || st.ResultsCount == nil || *st.ResultsCount != 1 || st.Completion == nil ||
		len(ids) != 1 || ids[0]["identity_type"] != "email" || ids[0]["status"] != "erased" || ids[0]["profiles"] != 1.0 || ids[0]["forget_id"] != 1.0 {
		t.Errorf("status: %s; want completed, one profile erased (forget request 1)", text)
	}
	if strings.Contains(text, "ada") {
		t.Errorf("the status names the identity's value: %s", text)
	}
	if code := resolve("ada@example.com"); code != http.StatusNotFound {
		t.Errorf("ada after the erasure: %d, want 404", code)
	}
	if code, _, text := s.profile("GET", ada, "", tok); code != http.StatusNotFound {
		t.Errorf("ada by MPID after the erasure: %d %s, want 404", code, text)
	}
	if code := resolve("bob@example.com"); code != http.StatusOK {
		t.Errorf("bob after ada's erasure: %d, want 200", code)
	}

	// Again: nothing names ada any more.
	if code, text := s.erase(tok, erasureJSON(eraseID2, `[{"identity_type": "controller_customer_id", "identity_value": "c-1", "identity_format": "raw"}]`)); code != http.StatusCreated {
		t.Fatalf("second request: %d %s", code, text)
	}
	if st, text := s.waitErasure(tok, eraseID2); st.RequestStatus != "completed" || st.Extensions.Mosaic.Identities[0]["status"] != "not_found" || *st.ResultsCount != 0 {
		t.Errorf("a request for what is gone: %s; want completed, not_found", text)
	}
	// Bob, by his MPID, named in mParticle's extension alone.
	bob := mpidOf(t, s, tok, "bob@example.com")
	body := strings.Replace(erasureJSON(eraseID3, "null"), `"api_version"`, fmt.Sprintf(`"extensions": {"opendsr.mparticle.com": {"skip_waiting_period": true,
		"subject_identities": {"mpid": {"value": "%d", "encoding": "raw"}}}}, "api_version"`, bob), 1)
	if code, text := s.erase(tok, body); code != http.StatusCreated {
		t.Fatalf("by MPID: %d %s", code, text)
	}
	if st, text := s.waitErasure(tok, eraseID3); st.RequestStatus != "completed" || st.Extensions.Mosaic.Identities[0]["identity_type"] != "mpid" || st.Extensions.Mosaic.Identities[0]["status"] != "erased" {
		t.Errorf("bob by MPID: %s; want erased", text)
	}
	if code := resolve("bob@example.com"); code != http.StatusNotFound {
		t.Errorf("bob after his erasure: %d, want 404", code)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", s.state+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var kept, audited, left int
	if err := db.QueryRow(`SELECT count(identity_value), (SELECT count(*) FROM forgotten WHERE reason = 'gdpr erasure request `+eraseID1+`'),
		(SELECT count(*) FROM profiles) FROM _mosaic.erasure_identities`).Scan(&kept, &audited, &left); err != nil {
		t.Fatal(err)
	}
	if kept != 0 || audited != 1 || left != 0 {
		t.Errorf("in the store: %d identity values kept by requests (want none), %d forgotten rows for ada's request (want 1), %d profiles (want none)", kept, audited, left)
	}
}

// TestErasureWaitsForTheRun: a request sent while a run holds the store
// is durable at once (201), waits while the run writes, and erases once
// it committed: the profile the run made.
func TestErasureWaitsForTheRun(t *testing.T) {
	s := start(t)
	tok := s.token()
	if code, text := s.events("/v2/events", batchJSON("r-1", "c-1", "ada@example.com", `{}`)); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, text)
	}
	s.gate, s.gated = make(chan struct{}), make(chan struct{})
	s.srv.RunNow()
	<-s.gated
	sent := time.Now()
	if code, text := s.erase(tok, erasureJSON(eraseID1, `{"controller_customer_id": {"value": "c-1", "encoding": "raw"}}`)); code != http.StatusCreated {
		t.Fatalf("erasure during a run: %d %s", code, text)
	}
	if d := time.Since(sent); d > 10*time.Second {
		t.Errorf("the 201 took %s: it waited for the run", d)
	}
	time.Sleep(200 * time.Millisecond)
	if _, st, text := s.erasure(tok, eraseID1); st.RequestStatus != "pending" {
		t.Errorf("while the run holds the store: %s, want pending", text)
	}
	s.waitRun(func() { close(s.gate) })
	s.gate = nil
	if st, text := s.waitErasure(tok, eraseID1); st.RequestStatus != "completed" || st.Extensions.Mosaic.Identities[0]["status"] != "erased" {
		t.Errorf("after the run: %s; want the run's profile erased", text)
	}
}

// TestErasureSurvivesRestart: a request accepted and not carried out
// when the server stops is carried out by the next one.
func TestErasureSurvivesRestart(t *testing.T) {
	s := start(t)
	tok := s.token()
	if code, text := s.events("/v2/events", batchJSON("r-1", "c-1", "ada@example.com", `{}`)); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, text)
	}
	s.runOnce()
	// A run holds the store while the request comes and the server stops.
	if code, text := s.events("/v2/events", batchJSON("r-2", "c-2", "bob@example.com", `{}`)); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, text)
	}
	s.gate, s.gated = make(chan struct{}), make(chan struct{})
	s.srv.RunNow()
	<-s.gated
	if code, text := s.erase(tok, erasureJSON(eraseID1, `{"email": {"value": "ada@example.com", "encoding": "raw"}}`)); code != http.StatusCreated {
		t.Fatalf("%d %s", code, text)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	for { // stopping: the erasure may no longer start
		resp, err := http.Get(s.url + "/readyz")
		if err != nil {
			break
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(s.gate)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}

	if n := waitingIdentities(t, s.state); n != 1 {
		t.Fatalf("%d identities wait in the store after the stop, want the request's one", n)
	}
	s = startIn(t, s.dir)
	tok = s.token()
	st, text := s.waitErasure(tok, eraseID1)
	if st.RequestStatus != "completed" || st.Extensions.Mosaic.Identities[0]["status"] != "erased" {
		t.Fatalf("after the restart: %s; want ada erased", text)
	}
	if code, _, _ := s.profile("POST", "/userprofile/v1/resolve/1/2/3", `{"environment_type": "production", "identity": {"type": "email", "value": "ada@example.com"}}`, tok); code != http.StatusNotFound {
		t.Errorf("ada after the restart: %d, want 404", code)
	}
}

// TestErasureBadRequests: a request that cannot be carried out is
// answered 400 (401 without a token, 409 for an id used before), with a
// message that says how to fix it, and nothing is kept.
func TestErasureBadRequests(t *testing.T) {
	s := start(t)
	tok := s.token()
	for _, c := range []struct {
		name, token, body string
		code              int
		want              string
	}{
		{"no token", "", erasureJSON(eraseID1, `{"email": {"value": "a@x.com"}}`), 401, "send a bearer token from POST /oauth/token"},
		{"wrong token", "nope", erasureJSON(eraseID1, `{"email": {"value": "a@x.com"}}`), 401, "send a bearer token from POST /oauth/token"},
		{"unknown identity type", tok, erasureJSON(eraseID1, `{"shoe_size": {"value": "44", "encoding": "raw"}}`), 400,
			`subject_identities.shoe_size: identity type "shoe_size" is not known: use one of android_advertising_id, android_id, controller_customer_id, email,`},
		{"no identities", tok, erasureJSON(eraseID1, `{}`), 400, "subject_identities is empty: name the data subject by at least one identity"},
		{"identities missing", tok, `{"regulation": "gdpr", "subject_request_id": "` + eraseID1 + `", "subject_request_type": "erasure", "submitted_time": "2026-06-01T15:00:00Z"}`, 400, "subject_identities is empty"},
		{"empty value", tok, erasureJSON(eraseID1, `[{"identity_type": "email", "identity_value": "  ", "identity_format": "raw"}]`), 400, "subject_identities[0]: the value is empty"},
		{"hashed value", tok, erasureJSON(eraseID1, `{"email": {"value": "ab12", "encoding": "sha256"}}`), 400, `"sha256" values are not matched: send the value itself`},
		{"access", tok, strings.Replace(erasureJSON(eraseID1, `{"email": {"value": "a@x.com"}}`), `"erasure"`, `"access"`, 1), 400, `subject_request_type "access" is not served: mosaic serve takes "erasure" requests only`},
		{"bad id", tok, erasureJSON("42", `{"email": {"value": "a@x.com"}}`), 400, `subject_request_id "42" is not a UUID: send a new UUID v4`},
		{"no regulation", tok, strings.Replace(erasureJSON(eraseID1, `{"email": {"value": "a@x.com"}}`), `"gdpr"`, `""`, 1), 400, `regulation is missing: send "gdpr" or "ccpa"`},
		{"bad time", tok, strings.Replace(erasureJSON(eraseID1, `{"email": {"value": "a@x.com"}}`), "2026-06-01T15:00:00Z", "yesterday", 1), 400, "is not an RFC 3339 time: write it like 2026-06-01T15:00:00Z"},
		{"callbacks", tok, strings.Replace(erasureJSON(eraseID1, `{"email": {"value": "a@x.com"}}`), `"api_version"`, `"status_callback_urls": ["https://x.example/cb"], "api_version"`, 1), 400, "mosaic serve sends no callbacks; leave them out and ask GET /opendsr/v3/requests/" + eraseID1},
		{"not JSON", tok, `{"regulation": `, 400, "the body is not an OpenDSR request"},
		{"unknown mosaic extension field", tok, strings.Replace(erasureJSON(eraseID1, `{"email": {"value": "a@x.com"}}`), `"api_version"`, `"extensions": {"mosaic": {"blok": true}}, "api_version"`, 1), 400, `extensions.mosaic: json: unknown field "blok"; it takes {"block": true} alone`},
	} {
		code, text := s.erase(c.token, c.body)
		if code != c.code || !strings.Contains(message(t, text), c.want) {
			t.Errorf("%s: %d %s\nwant %d with %q", c.name, code, text, c.code, c.want)
		}
	}
	if code, _, text := s.erasure(tok, eraseID1); code != http.StatusNotFound || !strings.Contains(message(t, text), "check the id (POST /opendsr/v3/requests creates one)") {
		t.Errorf("the status of a refused request: %d %s, want 404: none was kept", code, text)
	}
	if code, _, text := s.erasure("", eraseID1); code != http.StatusUnauthorized {
		t.Errorf("a status without a token: %d %s, want 401", code, text)
	}
	// An id used before is refused, even for another person.
	if code, text := s.erase(tok, erasureJSON(eraseID3, `{"email": {"value": "a@x.com"}}`)); code != http.StatusCreated {
		t.Fatalf("%d %s", code, text)
	}
	if code, text := s.erase(tok, erasureJSON(strings.ToUpper(eraseID3), `{"email": {"value": "b@x.com"}}`)); code != http.StatusConflict || !strings.Contains(message(t, text), "was already submitted: GET /opendsr/v3/requests/"+eraseID3+" for its status, or send a new id") {
		t.Errorf("an id used before: %d %s, want 409", code, text)
	}
}

// message is the message of an error answer: OpenDSR's error object, or
// the Profile API's errors (401).
func message(t *testing.T, text string) string {
	t.Helper()
	var e struct {
		Error  struct{ Message string }
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal([]byte(text), &e); err != nil {
		t.Fatalf("%v in %s", err, text)
	}
	if len(e.Errors) > 0 {
		return e.Errors[0].Message
	}
	return e.Error.Message
}

// waitingIdentities counts the identities of erasure requests that wait
// in the store at state (no server holding it).
func waitingIdentities(t *testing.T, state string) (n int) {
	t.Helper()
	db, err := sql.Open("duckdb", state+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow("SELECT count(*) FROM _mosaic.erasure_identities WHERE outcome IS NULL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

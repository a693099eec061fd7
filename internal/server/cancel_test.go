package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestErasureCancel: a request that waits (a run holds the store) is
// cancelled by DELETE: its status is cancelled, and once the run commits
// the profile is still there. A request carried out cannot be cancelled
// (409), and an unknown one is 404.
func TestErasureCancel(t *testing.T) {
	s := start(t)
	tok := s.token()
	auth := map[string]string{"Authorization": "Bearer " + tok}
	if code, text := s.events("/v2/events", batchJSON("r-1", "c-1", "ada@example.com", `{}`)); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, text)
	}
	s.gate, s.gated = make(chan struct{}), make(chan struct{})
	s.srv.RunNow()
	<-s.gated
	if code, text := s.erase(tok, erasureJSON(eraseID1, `{"controller_customer_id": {"value": "c-1", "encoding": "raw"}}`)); code != http.StatusCreated {
		t.Fatalf("erasure during a run: %d %s", code, text)
	}
	code, text := s.do("DELETE", "/opendsr/v3/requests/"+eraseID1, "", auth)
	if code != http.StatusOK || !strings.Contains(text, `"request_status":"cancelled"`) {
		t.Errorf("cancel while waiting: %d %s", code, text)
	}
	s.waitRun(func() { close(s.gate) })
	s.gate = nil
	time.Sleep(300 * time.Millisecond) // the worker looks once the run lets go
	if _, st, text := s.erasure(tok, eraseID1); st.RequestStatus != "cancelled" || st.Extensions.Mosaic.Identities[0]["status"] != "cancelled" {
		t.Errorf("after the run: %s, want cancelled", text)
	}
	if code, _, text := s.profile("GET", fmt.Sprintf("/userprofile/v1/1/2/3/%d", mpidOf(t, s, tok, "ada@example.com")), "", tok); code != http.StatusOK {
		t.Errorf("the profile after a cancelled erasure: %d %s, want it kept", code, text)
	}

	// Carried out: no cancel.
	if code, text := s.erase(tok, erasureJSON(eraseID2, `{"controller_customer_id": {"value": "c-1", "encoding": "raw"}}`)); code != http.StatusCreated {
		t.Fatalf("%d %s", code, text)
	}
	if st, text := s.waitErasure(tok, eraseID2); st.RequestStatus != "completed" {
		t.Fatalf("%s", text)
	}
	if code, text := s.do("DELETE", "/opendsr/v3/requests/"+eraseID2, "", auth); code != http.StatusConflict || !strings.Contains(text, "cannot be cancelled") {
		t.Errorf("cancel once carried out: %d %s", code, text)
	}
	if code, text := s.do("DELETE", "/opendsr/v3/requests/"+eraseID3, "", auth); code != http.StatusNotFound {
		t.Errorf("cancel of an unknown request: %d %s", code, text)
	}
	if code, _ := s.do("DELETE", "/opendsr/v3/requests/"+eraseID2, "", nil); code != http.StatusUnauthorized {
		t.Errorf("cancel without a token: %d, want 401", code)
	}
}

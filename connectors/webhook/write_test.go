package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
)

func signedWriter(t *testing.T, rc *webhooktest.Receiver) connectors.Writer {
	return open(t, "    url: "+rc.URL+"/hook\n    secret_env: HOOK_SECRET\n    headers: {X-Team: growth}\n", map[string]string{"HOOK_SECRET": secret})
}

func TestWriteDelivers(t *testing.T) {
	rc := webhooktest.New(t, secret)
	w := signedWriter(t, rc)
	recs := records(3)
	recs[2].Op = connectors.OpAdd
	errs, err := w.Write(context.Background(), connectors.Batch{Output: "hook", RunID: 42, Records: recs})
	if err != nil || len(errs) != 3 || errs[0] != nil || errs[1] != nil || errs[2] != nil {
		t.Fatalf("Write: %v, %v; want every record acknowledged", errs, err)
	}
	reqs := rc.Requests()
	if len(reqs) != 1 || reqs[0].Status != http.StatusNoContent || reqs[0].Err != "" {
		t.Fatalf("receiver got %+v, want one accepted request", reqs)
	}
	r := reqs[0]
	want := `{"output":"hook","run_id":42,"records":[` +
		`{"op":"upsert","key":"k0","fields":{"n":0,"tag":"<b>"},"idempotency_key":"idem-0"},` +
		`{"op":"upsert","key":"k1","fields":{"n":1,"tag":"<b>"},"idempotency_key":"idem-1"},` +
		`{"op":"add","key":"k2","fields":{"n":2,"tag":"<b>"},"idempotency_key":"idem-2"}]}`
	if string(r.Body) != want {
		t.Errorf("body\n got: %s\nwant: %s", r.Body, want)
	}
	for h, v := range map[string]string{"Content-Type": "application/json", "User-Agent": "mosaic", "X-Team": "growth",
		"webhook-id": MessageID(recs, []int{0, 1, 2})} {
		if got := r.Header.Get(h); got != v {
			t.Errorf("header %s: %q, want %q", h, got, v)
		}
	}
	if ts, err := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64); err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Second {
		t.Errorf("webhook-timestamp %q", r.Header.Get("webhook-timestamp"))
	}
	// A remove deletes what an upsert set.
	rm := []connectors.Record{{Op: connectors.OpRemove, Key: "k1", IdempotencyKey: "idem-rm"}}
	if errs, err := w.Write(context.Background(), connectors.Batch{Output: "hook", RunID: 43, Records: rm}); err != nil || errs[0] != nil {
		t.Fatalf("Write remove: %v, %v", errs, err)
	}
	state := rc.State()
	if len(state) != 2 || string(state["k0"]) != `{"n":0,"tag":"<b>"}` || state["k1"] != nil || string(state["k2"]) != `{"n":2,"tag":"<b>"}` {
		t.Errorf("receiver's state %s", state)
	}
	if r := rc.Requests()[1]; !strings.Contains(string(r.Body), `"fields":{}`) {
		t.Errorf("a record without fields: body %s, want fields {}", r.Body)
	}
}

func TestWebhookIDStable(t *testing.T) {
	rc := webhooktest.New(t, secret)
	w := signedWriter(t, rc)
	rc.FailNext(1, 503) // the first attempt fails: the retry carries the same id
	recs := records(4)
	for range 2 { // a resend of the same records carries the same id too
		if _, err := w.Write(context.Background(), connectors.Batch{Output: "hook", RunID: 1, Records: recs}); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	recs[3].IdempotencyKey = "idem-3-changed"
	if _, err := w.Write(context.Background(), connectors.Batch{Output: "hook", RunID: 2, Records: recs}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	reqs := rc.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4 (a retry, then 3 accepted)", len(reqs))
	}
	for i, r := range reqs {
		if r.Err != "" {
			t.Errorf("request %d refused: %s", i, r.Err)
		}
	}
	if a, b, c, d := reqs[0].ID(), reqs[1].ID(), reqs[2].ID(), reqs[3].ID(); a != b || b != c || c == d || !strings.HasPrefix(a, "msg_") || len(a) != 36 {
		t.Errorf("webhook-ids %s %s %s %s: want the first three equal (retry, resend), the fourth different", a, b, c, d)
	}
}

func TestWriteIsolatesRefusedRecord(t *testing.T) {
	rc := webhooktest.New(t, secret)
	w := signedWriter(t, rc)
	rc.Reject(400, "k7")
	recs := records(10)
	errs, err := w.Write(context.Background(), connectors.Batch{Output: "hook", RunID: 1, Records: recs})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	for i, e := range errs {
		var re *connectors.RecordError
		switch {
		case i == 7 && (!errors.As(e, &re) || re.Status != 400 || re.Msg != `refused with HTTP 400 Bad Request: {"error":"record k7 refused"}`):
			t.Errorf("record 7: %v, want a RecordError 400", e)
		case i != 7 && e != nil:
			t.Errorf("record %d: %v, want acknowledged", i, e)
		}
	}
	state := rc.State()
	if _, ok := state["k7"]; ok || len(state) != 9 {
		t.Errorf("receiver holds %d records (k7: %v), want the 9 others", len(state), ok)
	}
	for i, r := range rc.Requests() {
		if r.Err != "" {
			t.Errorf("request %d refused: %s", i, r.Err) // every split request signed
		}
	}
}

func TestWriteTooLarge(t *testing.T) {
	rc := webhooktest.New(t, secret)
	w := signedWriter(t, rc)
	rc.LimitRecords(3)
	rc.Reject(422, "k5")
	errs, err := w.Write(context.Background(), connectors.Batch{Output: "hook", RunID: 1, Records: records(10)})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	for i, e := range errs {
		if (i == 5) != (e != nil) {
			t.Errorf("record %d: %v", i, e)
		}
	}
	if state := rc.State(); len(state) != 9 {
		t.Errorf("receiver holds %d records, want 9 (all but k5)", len(state))
	}
	// [0,10) 413, [0,5) 413, [0,2) ok, [2,5) ok, [5,10) 413, [5,7) 422,
	// [5] 422, [6] ok, [7,10) ok.
	if n := len(rc.Requests()); n != 9 {
		t.Errorf("%d requests, want 9", n)
	}
}

func TestWriteBadRecords(t *testing.T) {
	rc := webhooktest.New(t, secret)
	w := signedWriter(t, rc)
	recs := records(3)
	recs[0].Fields = json.RawMessage(`{"n":`)
	recs[2].Op = "upsert!"
	errs, err := w.Write(context.Background(), connectors.Batch{Output: "hook", RunID: 1, Records: recs})
	var re0, re2 *connectors.RecordError
	if err != nil || !errors.As(errs[0], &re0) || errs[1] != nil || !errors.As(errs[2], &re2) {
		t.Fatalf("Write: %v, %v; want records 0 and 2 failed, 1 delivered", errs, err)
	}
	if state := rc.State(); len(state) != 1 || state["k1"] == nil {
		t.Errorf("receiver's state %s, want k1 only", state)
	}
}

func TestWriteDestinationDown(t *testing.T) {
	rc := webhooktest.New(t, secret)
	w := signedWriter(t, rc)
	rc.FailNext(100, 503)
	errs, err := w.Write(context.Background(), connectors.Batch{Output: "hook", RunID: 1, Records: records(5)})
	if errs != nil || err == nil || !strings.Contains(err.Error(), "HTTP 503") || !strings.Contains(err.Error(), "after 3 tries") {
		t.Errorf("Write to a receiver that answers 503: %v, %v; want one error after 3 tries", errs, err)
	}
	if n := len(rc.Requests()); n != 3 {
		t.Errorf("%d requests, want 3 (retried, not split)", n)
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	// A receiver that refuses everything and echoes what it got.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		_ = r.Header.Write(&b)
		fmt.Fprintf(&b, "%s", r.URL)
		http.Error(w, b.String(), []int{400, 401, 500}[len(r.Header.Get("X-Pick"))%3])
	}))
	defer echo.Close()
	const auth = "Bearer tok-AUTH-42"
	secrets := []string{secret, strings.TrimPrefix(secret, "whsec_"), auth, "tok-AUTH-42", "tok-PATH-7", "tok-Q-9"}
	var msgs []string
	for _, pick := range []string{"", "x", "xx"} { // 400 (per record), 401, 500 (retried)
		w := open(t, "    url_env: HOOK_URL\n    secret_env: HOOK_SECRET\n    headers: {X-Pick: '"+pick+"'}\n    headers_env: {Authorization: HOOK_AUTH}\n",
			map[string]string{"HOOK_URL": echo.URL + "/hooks/tok-PATH-7?token=tok-Q-9", "HOOK_SECRET": secret, "HOOK_AUTH": auth})
		for _, n := range []int{1, 3} {
			errs, err := w.Write(context.Background(), connectors.Batch{Output: "hook", RunID: 1, Records: records(n)})
			if err == nil && errs[0] == nil {
				t.Errorf("X-Pick %q: Write of %d: no error", pick, n)
			}
			msgs = append(msgs, fmt.Sprint(err))
			for _, e := range errs {
				msgs = append(msgs, fmt.Sprint(e))
			}
		}
	}
	// Open's errors: a bad secret, a missing variable.
	t.Setenv("HOOK_SECRET", "whsec_tok-AUTH-42!")
	_, err := New().Open(context.Background(), output(t, "    url: "+echo.URL+"\n    secret_env: HOOK_SECRET\n"))
	msgs = append(msgs, fmt.Sprint(err))
	for _, m := range msgs {
		for _, s := range secrets {
			if strings.Contains(m, s) {
				t.Errorf("error %q shows the secret %q", m, s)
			}
		}
	}
	if all := strings.Join(msgs, "\n"); !strings.Contains(all, "HTTP 401") || !strings.Contains(all, "[redacted]") || !strings.Contains(all, echo.URL+"/…") {
		t.Errorf("errors do not show what they should (401, scrubbed excerpt, the host):\n%s", all)
	}
}

func TestReceiverRefusesBadSignatures(t *testing.T) {
	rc := webhooktest.New(t, secret)
	other := "whsec_" + strings.Repeat("QUJD", 8)
	for env, want := range map[string]string{other: "no webhook-signature matches", "": "missing webhook-id, webhook-timestamp or webhook-signature"} {
		keys := "    url: " + rc.URL + "\n"
		if env != "" {
			keys += "    secret_env: HOOK_SECRET\n"
		}
		w := open(t, keys, map[string]string{"HOOK_SECRET": env})
		_, err := w.Write(context.Background(), connectors.Batch{Output: "hook", RunID: 1, Records: records(2)})
		reqs := rc.Requests()
		if err == nil || !strings.Contains(err.Error(), "HTTP 401") || reqs[len(reqs)-1].Err != want {
			t.Errorf("secret %q: Write: %v, receiver: %q; want a 401 for %q", env, err, reqs[len(reqs)-1].Err, want)
		}
	}
	if len(rc.State()) != 0 {
		t.Errorf("receiver applied %v", rc.State())
	}
}

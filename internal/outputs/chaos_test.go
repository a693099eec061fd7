package outputs_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
)

// chaos stands in front of a webhook receiver and answers a random share
// of requests with a fault instead: 500, 429 with Retry-After, 413, an
// answer slower than the client's timeout (after the receiver took the
// records: a lost acknowledgement), or a reset connection (half of them
// after the receiver took the records). It checks, on every request, what
// a sender must never do.
type chaos struct {
	t        *testing.T
	srv      *httptest.Server
	upstream *webhooktest.Receiver
	slow     time.Duration

	mu   sync.Mutex
	rnd  *rand.Rand
	rate float64
	// acked maps a record key to the idempotency key it was last
	// acknowledged with (the client got a 2xx for its request); sent maps
	// a record key, then its op and fields, to the idempotency key they
	// were sent with since another delivery of the record key was (after
	// which an equal one is a new delivery, with a key of its own: the
	// receiver may have applied the other in between); delivered holds
	// every key mosaic ever sent an upsert or add for.
	acked     map[string]string
	sent      map[string]map[string]string
	delivered map[string]bool
	requests  int
	faults    map[string]int
	// onRequest, when set, is called with the request count before the
	// request is answered; when it returns true the request is dropped
	// (its connection closed, nothing forwarded).
	onRequest func(n int) bool
	// kinds are the faults to pick from.
	kinds      []string
	violations []string
}

func newChaos(t *testing.T, upstream *webhooktest.Receiver, seed uint64, slow time.Duration) *chaos {
	c := &chaos{t: t, upstream: upstream, slow: slow, rnd: rand.New(rand.NewPCG(seed, 1)),
		acked: map[string]string{}, sent: map[string]map[string]string{}, delivered: map[string]bool{}, faults: map[string]int{},
		kinds: []string{"500", "429", "413", "slow", "reset", "reset after"}}
	c.srv = httptest.NewServer(c)
	t.Cleanup(c.srv.Close)
	return c
}

func (c *chaos) setRate(r float64, kinds ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rate = r
	if len(kinds) > 0 {
		c.kinds = kinds
	}
}

func (c *chaos) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var p webhooktest.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "not a records request", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.requests++
	n := c.requests
	// What this request sends of a record key makes its other deliveries
	// sent before history.
	now := map[string]map[string]bool{}
	for _, rec := range p.Records {
		if now[rec.Key] == nil {
			now[rec.Key] = map[string]bool{}
		}
		now[rec.Key][rec.Op+" "+string(rec.Fields)] = true
	}
	for key, ids := range now {
		maps.DeleteFunc(c.sent[key], func(id, _ string) bool { return !ids[id] })
	}
	for _, rec := range p.Records {
		if c.acked[rec.Key] == rec.IdempotencyKey {
			c.violations = append(c.violations, fmt.Sprintf("request %d: %s %s is what the receiver last acknowledged, sent again", n, rec.Op, rec.Key))
		}
		id := rec.Op + " " + string(rec.Fields)
		if prev, ok := c.sent[rec.Key][id]; ok && prev != rec.IdempotencyKey {
			c.violations = append(c.violations, fmt.Sprintf("request %d: %s %s sent again with another idempotency key (%s, before %s)", n, rec.Key, id, rec.IdempotencyKey, prev))
		}
		if c.sent[rec.Key] == nil {
			c.sent[rec.Key] = map[string]string{}
		}
		c.sent[rec.Key][id] = rec.IdempotencyKey
		switch rec.Op {
		case "remove":
			if !c.delivered[rec.Key] {
				c.violations = append(c.violations, fmt.Sprintf("request %d: remove of %s, which mosaic never sent", n, rec.Key))
			}
		default:
			c.delivered[rec.Key] = true
		}
	}
	fault := "none"
	if c.rnd.Float64() < c.rate {
		fault = c.kinds[c.rnd.IntN(len(c.kinds))]
	}
	c.faults[fault]++
	onRequest := c.onRequest
	c.mu.Unlock()
	if onRequest != nil && onRequest(n) {
		fault = "drop"
	}

	switch fault {
	case "500":
		http.Error(w, "failing on purpose", http.StatusInternalServerError)
	case "429":
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case "413":
		if len(p.Records) > 1 {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		c.forward(w, r, body, p)
	case "slow":
		c.forward(httptest.NewRecorder(), r, body, p)
		time.Sleep(c.slow)
		w.WriteHeader(204) // too late: the client has given up
	case "reset", "reset after", "drop":
		if fault == "reset after" {
			c.forward(httptest.NewRecorder(), r, body, p)
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			c.t.Errorf("hijack: %v", err)
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		conn.Close()
	default:
		c.forward(w, r, body, p)
	}
}

// forward hands the request to the receiver and its answer to the client;
// a 2xx that reaches the client acknowledges the request's records.
func (c *chaos) forward(w http.ResponseWriter, r *http.Request, body []byte, p webhooktest.Payload) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, c.upstream.URL, bytes.NewReader(body))
	if err != nil {
		c.t.Errorf("forward: %v", err)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	w.WriteHeader(resp.StatusCode)
	if _, err := w.Write(answer); err != nil || resp.StatusCode/100 != 2 {
		return
	}
	if _, isRecorder := w.(*httptest.ResponseRecorder); isRecorder {
		return
	}
	if err := http.NewResponseController(w).Flush(); err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rec := range p.Records {
		c.acked[rec.Key] = rec.IdempotencyKey
	}
}

// report fails t for every violation seen, and logs the faults injected.
func (c *chaos) report(t *testing.T, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range c.violations {
		t.Errorf("%s: %s", name, v)
	}
	keys := make([]string, 0, len(c.faults))
	for k := range c.faults {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	s := ""
	for _, k := range keys {
		s += " " + k + "=" + strconv.Itoa(c.faults[k])
	}
	t.Logf("%s: %d requests; answers:%s", name, c.requests, s)
}

package httpsend

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fast returns a Client whose backoff waits milliseconds, so that tests
// that retry run quickly; a wait that takes seconds comes from the server.
func fast(o Options) *Client {
	if o.InitialInterval == 0 {
		o.InitialInterval = 5 * time.Millisecond
	}
	if o.MaxInterval == 0 {
		o.MaxInterval = 20 * time.Millisecond
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	return New(o)
}

// server starts an httptest server whose handler gets the 1-based number
// of the request; it returns the server and the count of requests.
func server(t *testing.T, h func(n int64, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(hits.Add(1), w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// hang answers nothing for 3 s, or until the client goes away. It reads
// the body first: the server notices a closed connection only then.
func hang(r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-time.After(3 * time.Second):
	case <-r.Context().Done():
	}
}

func post(c *Client, url, body string) (*Response, error) {
	return c.Do(context.Background(), NewRequest(http.MethodPost, url, http.Header{"Content-Type": {"application/json"}}, []byte(body)))
}

func TestRetry5xxThenSuccess(t *testing.T) {
	srv, hits := server(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"a":1}` {
			t.Errorf("attempt %d: body %q, want the same body each attempt", n, b)
		}
		if n <= 2 {
			http.Error(w, "down", []int{500, 502}[n-1])
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	resp, err := post(fast(Options{}), srv.URL, `{"a":1}`)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if resp.Status != 200 || string(resp.Body) != "ok" || resp.Tries != 3 || hits.Load() != 3 {
		t.Errorf("got status %d body %q after %d tries (%d requests), want 200 \"ok\" after 3", resp.Status, resp.Body, resp.Tries, hits.Load())
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		header func() string
		min    time.Duration
		opts   Options
	}{
		{"seconds", 429, func() string { return "1" }, 950 * time.Millisecond, Options{}},
		// An HTTP date has whole seconds: now+2s truncated waits 1 to 2 s.
		{"HTTP date", 503, func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }, 950 * time.Millisecond, Options{}},
		{"capped", 429, func() string { return "3600" }, 250 * time.Millisecond, Options{MaxRetryAfter: 300 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var first, second time.Time
			srv, _ := server(t, func(n int64, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					first = time.Now()
					w.Header().Set("Retry-After", tc.header())
					w.WriteHeader(tc.status)
					return
				}
				second = time.Now()
			})
			start := time.Now()
			resp, err := post(fast(tc.opts), srv.URL, "{}")
			if err != nil || resp.Tries != 2 {
				t.Fatalf("Do: %v, %+v; want success on the second try", err, resp)
			}
			if gap := second.Sub(first); gap < tc.min {
				t.Errorf("second attempt %s after the first, want at least %s (Retry-After: %s)", gap, tc.min, tc.header())
			}
			if tc.opts.MaxRetryAfter > 0 && time.Since(start) > 5*time.Second {
				t.Errorf("Retry-After: 3600 was not capped: Do took %s", time.Since(start))
			}
		})
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"0":                             0,
		"120":                           2 * time.Minute,
		"Fri, 02 Jan 2026 03:04:35 GMT": 30 * time.Second,
		"Fri, 02 Jan 2026 03:00:00 GMT": 0, // past: at once
	} {
		if got, ok := RetryAfter(v, now); !ok || got != want {
			t.Errorf("RetryAfter(%q) = %s, %v; want %s", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "-5", "soon", "1.5"} {
		if got, ok := RetryAfter(v, now); ok {
			t.Errorf("RetryAfter(%q) = %s, true; want not ok", v, got)
		}
	}
}

func TestClientErrorsNotRetried(t *testing.T) {
	long := strings.Repeat("x", 500)
	for _, tc := range []struct {
		status  int
		tooBig  bool
		excerpt string
	}{
		{413, true, "too big"},
		{400, false, `{"error": "bad email"}`},
		{422, false, long[:excerptLen] + "…"},
		{404, false, "no such hook"},
	} {
		srv, hits := server(t, func(n int64, w http.ResponseWriter, r *http.Request) {
			body := map[int]string{413: "too big", 400: "{\"error\":\n \"bad email\"}", 422: long, 404: "no such hook"}[tc.status]
			http.Error(w, body, tc.status)
		})
		_, err := post(fast(Options{}), srv.URL+"/hook", "{}")
		var se *StatusError
		if !errors.As(err, &se) || se.Status != tc.status {
			t.Fatalf("HTTP %d: got %v, want a *StatusError with that status", tc.status, err)
		}
		if errors.Is(err, ErrTooLarge) != tc.tooBig {
			t.Errorf("HTTP %d: errors.Is(ErrTooLarge) = %v", tc.status, !tc.tooBig)
		}
		if hits.Load() != 1 {
			t.Errorf("HTTP %d: %d requests, want 1 (not retried)", tc.status, hits.Load())
		}
		if se.Excerpt() != tc.excerpt || !strings.HasSuffix(err.Error(), tc.excerpt) || !strings.Contains(err.Error(), "POST "+srv.URL+"/hook: HTTP ") {
			t.Errorf("HTTP %d: error %q, excerpt %q; want it to name the request and end with %q", tc.status, err, se.Excerpt(), tc.excerpt)
		}
	}
}

func TestAttemptTimeoutRetried(t *testing.T) {
	srv, hits := server(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			hang(r) // slower than the attempt timeout
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	start := time.Now()
	resp, err := post(fast(Options{Timeout: 200 * time.Millisecond}), srv.URL, "{}")
	if err != nil || resp.Tries != 2 || hits.Load() != 2 {
		t.Fatalf("Do: %v (%+v, %d requests); want success on the second try", err, resp, hits.Load())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Do took %s: the 200ms attempt timeout did not cut the first attempt", d)
	}
}

func TestConnectionDropRetried(t *testing.T) {
	for _, reset := range []bool{false, true} {
		srv, hits := server(t, func(n int64, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err != nil {
					t.Errorf("hijack: %v", err)
					return
				}
				if reset { // RST instead of FIN
					_ = conn.(*net.TCPConn).SetLinger(0)
				}
				_ = conn.Close()
				return
			}
			_, _ = io.WriteString(w, "ok")
		})
		resp, err := post(fast(Options{}), srv.URL, "{}")
		if err != nil || resp.Tries != 2 || hits.Load() != 2 {
			t.Errorf("reset %v: Do: %v (%+v, %d requests); want success on the second try", reset, err, resp, hits.Load())
		}
	}
}

func TestConnectionRefusedGivesUp(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := post(fast(Options{MaxTries: 3}), url+"/x?token=abc", "{}")
	if err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "after 3 tries") {
		t.Errorf("Do on a closed port: %v; want connection refused after 3 tries", err)
	}
	if err != nil && strings.Contains(err.Error(), "abc") {
		t.Errorf("error %q shows the URL's query", err)
	}
}

func TestMaxElapsed(t *testing.T) {
	srv, _ := server(t, func(n int64, w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	start := time.Now()
	_, err := post(fast(Options{MaxElapsed: 300 * time.Millisecond, MaxTries: 1000, InitialInterval: 50 * time.Millisecond, MaxInterval: 50 * time.Millisecond}), srv.URL, "{}")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 500 {
		t.Errorf("Do: %v, want the last 500", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Do took %s with MaxElapsed 300ms", d)
	}
}

func TestCancelStopsRetrying(t *testing.T) {
	for _, slow := range []bool{false, true} {
		srv, _ := server(t, func(n int64, w http.ResponseWriter, r *http.Request) {
			if slow {
				hang(r)
				return
			}
			w.WriteHeader(503)
		})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		c := New(Options{InitialInterval: 50 * time.Millisecond, MaxInterval: 50 * time.Millisecond, MaxTries: 1000})
		_, err := c.Do(ctx, NewRequest(http.MethodPost, srv.URL, nil, []byte("{}")))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("slow %v: Do after cancel: %v, want context.Canceled", slow, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("slow %v: Do returned %s after start, want soon after the cancel at 200ms", slow, d)
		}
		cancel()
	}
}

func TestRateLimit(t *testing.T) {
	var mu sync.Mutex
	var at []time.Time
	srv, _ := server(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
	})
	const rps, n = 20, 21
	c := fast(Options{RateLimit: rps})
	var wg sync.WaitGroup
	for i := range 3 { // the limit is the Client's, whoever calls
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n / 3 {
				if _, err := post(c, srv.URL, "{}"); err != nil {
					t.Errorf("goroutine %d: %v", i, err)
				}
			}
		}()
	}
	wg.Wait()
	if len(at) != n {
		t.Fatalf("%d requests, want %d", len(at), n)
	}
	// The first goes at once, the next n-1 one every 1/rps s: 1 s in all.
	span := at[n-1].Sub(at[0])
	want := time.Duration(n-1) * time.Second / rps
	if span < want*9/10 || span > want*2 {
		t.Errorf("%d requests at %d/s took %s, want about %s", n, rps, span, want)
	}
	// No window of 1 s holds more than rps+1 requests.
	for i := range at {
		j := i
		for j < len(at) && at[j].Sub(at[i]) < 950*time.Millisecond {
			j++
		}
		if j-i > rps+1 {
			t.Errorf("%d requests within 950ms of request %d, want at most %d", j-i, i, rps+1)
		}
	}
}

func TestRedaction(t *testing.T) {
	srv, _ := server(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad token tok-SECRET-123 in key "+r.URL.Query().Get("key"), 400)
	})
	url := strings.Replace(srv.URL, "http://", "http://user:pa55word@", 1) + "/hook?key=q-SECRET"
	c := fast(Options{Secrets: []string{"tok-SECRET-123", "q-SECRET"}})
	_, err := c.Do(context.Background(), NewRequest(http.MethodPost, url, http.Header{"Authorization": {"Bearer tok-SECRET-123"}}, nil))
	if err == nil {
		t.Fatal("Do: no error, want the 400")
	}
	for _, s := range []string{"SECRET", "pa55word", "user"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q shows %q", err, s)
		}
	}
	if !strings.Contains(err.Error(), srv.URL+"/hook?…") || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error %q: want the redacted URL and the scrubbed excerpt", err)
	}
	hidden := fast(Options{HidePath: true})
	_, err = hidden.Do(context.Background(), NewRequest(http.MethodPost, srv.URL+"/services/T0/B0/xyzzy", nil, nil))
	if err == nil || strings.Contains(err.Error(), "xyzzy") || !strings.Contains(err.Error(), srv.URL+"/…") {
		t.Errorf("HidePath: error %q, want the URL's path hidden", err)
	}
}

func TestRedirects(t *testing.T) {
	var got atomic.Int64
	target, _ := server(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			got.Add(1)
		}
	})
	for status, follow := range map[int]bool{302: false, 303: false, 307: true, 308: true} {
		got.Store(0)
		srv, _ := server(t, func(n int64, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL, status)
		})
		_, err := post(fast(Options{}), srv.URL, "{}")
		if follow && (err != nil || got.Load() != 1) {
			t.Errorf("HTTP %d: %v, %d POSTs at the target; want it followed", status, err, got.Load())
		}
		var se *StatusError
		if !follow && (!errors.As(err, &se) || se.Status != status) {
			t.Errorf("HTTP %d: %v; want a *StatusError, not a silent GET", status, err)
		}
	}
}

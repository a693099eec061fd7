package bigquery

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestNetWatch: answers cut off mid-body and refused connections count as
// failures in a row, a complete answer resets the count, and past the
// limit the read's context ends with a *ConnectionLostError.
func TestNetWatch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/cut" {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		io.WriteString(w, "ok")
	}))
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close()

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	w := newNetWatch(2, cancel)
	client := &http.Client{Transport: w}
	get := func(url string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		return err
	}
	for _, step := range []struct {
		url   string
		fails int
	}{
		{srv.URL + "/cut", 1},
		{refusedURL, 2},
		{srv.URL + "/ok", 0}, // a complete answer resets the count
		{srv.URL + "/cut", 1},
		{srv.URL + "/cut", 2},
	} {
		get(step.url)
		if w.fails != step.fails || ctx.Err() != nil {
			t.Fatalf("after %s: %d failures in a row (context %v), want %d and the context alive", step.url, w.fails, ctx.Err(), step.fails)
		}
	}
	get(refusedURL)
	lost := lostConnection(ctx)
	if lost == nil || lost.Failures != 3 || !strings.Contains(lost.Error(), "3 requests in a row got no answer") {
		t.Fatalf("after 3 failures in a row (limit 2): cause %v", context.Cause(ctx))
	}
	if errors.Is(lost, context.Canceled) {
		t.Error("a lost connection must not read as a cancellation")
	}

	// A request whose own context ended is not the connection's failure.
	w = newNetWatch(0, func(error) { t.Error("a cancelled request counted as a lost connection") })
	rctx, rcancel := context.WithCancel(context.Background())
	rcancel()
	req, _ := http.NewRequestWithContext(rctx, http.MethodGet, refusedURL, nil)
	(&http.Client{Transport: w}).Do(req)
}

package bigquery

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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
	if lost == nil || lost.Failures != 3 || !strings.Contains(lost.Error(), "no answer from BigQuery: 3 requests in a row failed") {
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

// fakeStream is a gRPC client stream whose RecvMsg returns errs in turn.
type fakeStream struct {
	grpc.ClientStream
	errs []error
}

func (s *fakeStream) RecvMsg(any) error {
	err := s.errs[0]
	s.errs = s.errs[1:]
	return err
}

// TestNetWatchStreams: Storage Read streams that cannot open or that end
// Unavailable count in a row; a message received resets the count.
func TestNetWatchStreams(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	w := newNetWatch(2, cancel)
	unavailable := status.Error(codes.Unavailable, "connection refused")
	open := func(streamErr error, recv ...error) {
		streamer := func(context.Context, *grpc.StreamDesc, *grpc.ClientConn, string, ...grpc.CallOption) (grpc.ClientStream, error) {
			if streamErr != nil {
				return nil, streamErr
			}
			return &fakeStream{errs: recv}, nil
		}
		s, err := w.streamInterceptor(ctx, &grpc.StreamDesc{}, nil, "/ReadRows", streamer)
		if err != nil {
			return
		}
		for range recv {
			s.RecvMsg(nil)
		}
	}
	open(unavailable)
	open(nil, nil, unavailable) // a message, then the stream breaks
	if w.fails != 1 || ctx.Err() != nil {
		t.Fatalf("%d failures in a row (%v), want 1: a message came in between", w.fails, ctx.Err())
	}
	open(nil, status.Error(codes.InvalidArgument, "bad request")) // an answer, not counted
	invoker := func(context.Context, string, any, any, *grpc.ClientConn, ...grpc.CallOption) error {
		return unavailable
	}
	w.unaryInterceptor(ctx, "/CreateReadSession", nil, nil, nil, invoker)
	open(nil, unavailable)
	if lost := lostConnection(ctx); lost == nil || lost.Failures != 3 {
		t.Fatalf("after 3 failures in a row (limit 2): cause %v", context.Cause(ctx))
	}
}

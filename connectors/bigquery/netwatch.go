package bigquery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DefaultNetworkRetries is how many requests in a row may get no answer
// before a read gives up (`network_retries:` changes it).
const DefaultNetworkRetries = 4

// ConnectionLostError is why a read stopped when BigQuery (or the network
// to it) stopped answering: Google's client retries such requests until
// its context ends, so a read would hang; netWatch ends it instead.
type ConnectionLostError struct {
	Failures int   // requests in a row that got no answer
	Last     error // the last of their errors (redacted)
}

func (e *ConnectionLostError) Error() string {
	return fmt.Sprintf("no answer from BigQuery: %d requests in a row failed without one (the last: %v); check the network and the endpoint, then try again (`network_retries:` sets how many such failures in a row are tolerated)", e.Failures, e.Last)
}

// netWatch is the HTTP transport under the BigQuery client (and a stream
// interceptor on its Storage Read client). It counts the requests in a row
// that failed below HTTP (refused, reset, cut off mid-answer); past limit
// of them it cancels the read's context with a *ConnectionLostError as its
// cause. Answers from BigQuery, errors included, are left to the client's
// own retries; a complete answer resets the count.
type netWatch struct {
	rt     http.RoundTripper
	limit  int
	cancel context.CancelCauseFunc

	mu    sync.Mutex
	fails int
}

func newNetWatch(limit int, cancel context.CancelCauseFunc) *netWatch {
	return &netWatch{rt: http.DefaultTransport.(*http.Transport).Clone(), limit: limit, cancel: cancel}
}

func (w *netWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := w.rt.RoundTrip(req)
	if err != nil {
		w.failed(req.Context(), err)
		return nil, err
	}
	resp.Body = &watchedBody{ReadCloser: resp.Body, w: w, ctx: req.Context()}
	return resp, nil
}

// failed counts a request that got no (complete) answer, unless its own
// context ended it.
func (w *netWatch) failed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fails++
	if w.fails > w.limit {
		w.cancel(&ConnectionLostError{Failures: w.fails, Last: redact(err)})
	}
}

func (w *netWatch) answered() {
	w.mu.Lock()
	w.fails = 0
	w.mu.Unlock()
}

// watchedBody reports how reading an answer ended.
type watchedBody struct {
	io.ReadCloser
	w    *netWatch
	ctx  context.Context
	done bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !b.done {
		b.done = true
		if errors.Is(err, io.EOF) {
			b.w.answered()
		} else {
			b.w.failed(b.ctx, err)
		}
	}
	return n, err
}

// Close ends the answer; closed before its end, it was still an answer.
func (b *watchedBody) Close() error {
	if !b.done {
		b.done = true
		b.w.answered()
	}
	return b.ReadCloser.Close()
}

// streamInterceptor watches the Storage Read API's gRPC streams the same
// way: a stream that cannot open, or that ends with a code the client
// retries (Unavailable, Internal, Aborted, DeadlineExceeded), counts as a
// failure; a message received resets the count. Other codes are answers.
func (w *netWatch) streamInterceptor(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		w.grpcDone(ctx, err)
		return nil, err
	}
	return &watchedStream{ClientStream: s, w: w, ctx: ctx}, nil
}

// unaryInterceptor watches the Storage Read API's single calls (creating
// a read session) the same way.
func (w *netWatch) unaryInterceptor(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	err := invoker(ctx, method, req, reply, cc, opts...)
	w.grpcDone(ctx, err)
	return err
}

// grpcDone counts a gRPC call's outcome.
func (w *netWatch) grpcDone(ctx context.Context, err error) {
	if err == nil || errors.Is(err, io.EOF) {
		w.answered()
		return
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.Internal, codes.Aborted, codes.DeadlineExceeded:
		w.failed(ctx, err)
	}
}

type watchedStream struct {
	grpc.ClientStream
	w   *netWatch
	ctx context.Context
}

func (s *watchedStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	s.w.grpcDone(s.ctx, err)
	return err
}

// lostConnection returns the *ConnectionLostError that ended ctx, if any.
func lostConnection(ctx context.Context) *ConnectionLostError {
	var lost *ConnectionLostError
	if errors.As(context.Cause(ctx), &lost) {
		return lost
	}
	return nil
}

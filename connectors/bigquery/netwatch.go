package bigquery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
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
	return fmt.Sprintf("the connection to BigQuery broke: %d requests in a row got no answer (the last: %v); nothing of this run is kept: check the network and the endpoint, then run again (`network_retries:` sets how many failures in a row a read tolerates)", e.Failures, e.Last)
}

// netWatch is the HTTP transport under the BigQuery client. It counts the
// requests in a row that failed below HTTP (refused, reset, cut off
// mid-answer); past limit of them it cancels the read's context with a
// *ConnectionLostError as its cause. Answers from BigQuery, errors
// included, are left to the client's own retries; a complete answer resets
// the count.
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
		w.failed(req, err)
		return nil, err
	}
	resp.Body = &watchedBody{ReadCloser: resp.Body, w: w, req: req}
	return resp, nil
}

// failed counts a request that got no (complete) answer, unless its own
// context ended it.
func (w *netWatch) failed(req *http.Request, err error) {
	if req.Context().Err() != nil {
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
	req  *http.Request
	done bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !b.done {
		b.done = true
		if errors.Is(err, io.EOF) {
			b.w.answered()
		} else {
			b.w.failed(b.req, err)
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

// lostConnection returns the *ConnectionLostError that ended ctx, if any.
func lostConnection(ctx context.Context) *ConnectionLostError {
	var lost *ConnectionLostError
	if errors.As(context.Cause(ctx), &lost) {
		return lost
	}
	return nil
}

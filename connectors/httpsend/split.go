package httpsend

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// Split delivers records [0,n) with send, which sends records [lo,hi) as
// one request (through Client.Do) and returns its error. It returns one
// entry per record: nil when the request that carried it succeeded.
//
// When a request is refused as a whole in a way one record can cause
// (Splittable: 400, 413, 422), Split halves its range and sends each half,
// recursively, so that the records the destination refuses are isolated:
// a single record refused gets a *connectors.RecordError with the status
// and the response's excerpt. Isolating k bad records among n takes at
// most 1 + 2·k·⌈log2 n⌉ requests (35 for 4 among 37).
//
// Any other error (retries exhausted on 5xx or connection errors, 401,
// 403, 404, ctx done) is not about a record: it fails the records of its
// range, and every range not yet sent, with that error; nothing more is
// sent.
//
// A destination that refuses every request (a wrong endpoint, a payload
// it no longer accepts) would cost 2n-1 requests a batch: when the first
// MaxLoneRefusals records sent alone are all refused and no request has
// succeeded, Split stops isolating and fails the records not yet judged
// with the last refusal (not a RecordError).
func Split(ctx context.Context, n int, send func(ctx context.Context, lo, hi int) error) []error {
	errs := make([]error, n)
	var stop error
	delivered, lone := false, 0
	var deliver func(lo, hi int)
	deliver = func(lo, hi int) {
		if stop == nil && ctx.Err() != nil {
			stop = context.Cause(ctx)
		}
		if stop != nil {
			fill(errs[lo:hi], stop)
			return
		}
		err := send(ctx, lo, hi)
		switch {
		case err == nil:
			delivered = true
		case !Splittable(err) || ctx.Err() != nil:
			stop = err
			fill(errs[lo:hi], err)
		case hi-lo > 1:
			mid := lo + (hi-lo)/2
			deliver(lo, mid)
			deliver(mid, hi)
		default:
			errs[lo] = recordError(err)
			if lone++; !delivered && lone >= MaxLoneRefusals {
				stop = fmt.Errorf("%w (and the first %d records sent alone were all refused: not splitting further)", err, lone)
			}
		}
	}
	if n > 0 {
		deliver(0, n)
	}
	return errs
}

// MaxLoneRefusals is how many records sent alone, and refused, before any
// request succeeded, make Split stop isolating.
const MaxLoneRefusals = 8

// Splittable reports whether err refuses a request in a way that one of
// its records can cause: a *StatusError of 400, 413 or 422, or a
// *connectors.RecordError (from a send that reads a refusal from a 2xx
// body).
func Splittable(err error) bool {
	var re *connectors.RecordError
	if errors.As(err, &re) {
		return true
	}
	var se *StatusError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// Failed returns the error every entry of errs shares when Split
// delivered nothing for a reason that is not about a record (the
// destination down past every retry, ctx done), else nil. A Writer
// returns it as Write's error.
func Failed(errs []error) error {
	if len(errs) == 0 || errs[0] == nil {
		return nil
	}
	var re *connectors.RecordError
	if errors.As(errs[0], &re) {
		return nil
	}
	for _, e := range errs[1:] {
		if e != errs[0] {
			return nil
		}
	}
	return errs[0]
}

func recordError(err error) error {
	var re *connectors.RecordError
	if errors.As(err, &re) {
		return re
	}
	var se *StatusError
	errors.As(err, &se)
	msg := fmt.Sprintf("refused with HTTP %d %s", se.Status, http.StatusText(se.Status))
	if se.Status == http.StatusRequestEntityTooLarge {
		msg = "the record alone is too large for the destination (HTTP 413)"
	}
	if ex := se.Excerpt(); ex != "" {
		msg += ": " + ex
	}
	return &connectors.RecordError{Status: se.Status, Msg: msg}
}

func fill(errs []error, err error) {
	for i := range errs {
		errs[i] = err
	}
}

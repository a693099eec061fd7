// Package httpsend is how mosaic's HTTP destinations (webhook; later
// mParticle, Google, Meta, UID2) send requests: a Client that rate-limits,
// bounds each attempt with a timeout, and retries what can be retried with
// exponential backoff and jitter; and Split, which isolates the records a
// destination rejects by halving a rejected batch.
//
// What Do retries: connection errors (refused, reset, EOF, DNS), attempt
// timeouts, 408, 429 and 5xx. A Retry-After header on 429 and 503 (seconds
// or an HTTP date) sets the wait, capped at Options.MaxRetryAfter. Retrying
// stops after Options.MaxTries attempts or when the next wait would end past
// Options.MaxElapsed from the first attempt (so one Do lasts at most about
// MaxElapsed plus one Timeout), or when ctx is done. 413 comes back as a
// *StatusError that errors.Is ErrTooLarge; other 4xx and unexpected
// statuses as a *StatusError, at once. Redirects are followed only when
// they keep the method (307, 308); a 301/302/303 after a POST is an error,
// not a silent GET.
//
// Errors name the method and the URL without its userinfo and query
// (Redact), and never the request's headers; a response body excerpt in an
// error has Options.Secrets scrubbed from it.
package httpsend

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/time/rate"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Defaults of Options.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxElapsed       = 2 * time.Minute
	DefaultMaxTries         = 10
	DefaultInitialInterval  = 500 * time.Millisecond
	DefaultMaxInterval      = 30 * time.Second
	DefaultMaxRetryAfter    = time.Minute
	DefaultMaxResponseBytes = 1 << 20
)

// Options configure a Client. Zero fields take the defaults above.
type Options struct {
	// RateLimit is the most requests (attempts, retries included) a second;
	// 0 is no limit.
	RateLimit float64
	// Timeout bounds one attempt, reading the response included.
	Timeout time.Duration
	// MaxElapsed bounds the retrying of one request; MaxTries the attempts.
	MaxElapsed time.Duration
	MaxTries   uint
	// InitialInterval and MaxInterval shape the backoff between attempts
	// (each wait is randomised by ±50%).
	InitialInterval, MaxInterval time.Duration
	// MaxRetryAfter caps the wait a Retry-After header asks for.
	MaxRetryAfter time.Duration
	// MaxResponseBytes is the most of a response body read into Response.
	MaxResponseBytes int64
	// HidePath shows only the URL's scheme and host in errors (for a URL
	// that comes from a secret environment variable).
	HidePath bool
	// Secrets are values (tokens sent in headers) to scrub from error text.
	Secrets []string
	// HTTP is the client to send with; nil builds one (no overall timeout,
	// method-keeping redirects only).
	HTTP *http.Client
}

// OptionsFor returns the options an output's settings ask for: its
// rate_limit and timeout.
func OptionsFor(o config.Output) Options {
	return Options{RateLimit: o.RateLimit, Timeout: time.Duration(o.Timeout)}
}

// Client sends requests for one output. It is safe for concurrent use; the
// rate limit is shared by every request of the Client.
type Client struct {
	opts    Options
	limiter *rate.Limiter
}

// New returns a Client.
func New(o Options) *Client {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Timeout, DefaultTimeout)
	def(&o.MaxElapsed, DefaultMaxElapsed)
	def(&o.InitialInterval, DefaultInitialInterval)
	def(&o.MaxInterval, DefaultMaxInterval)
	def(&o.MaxRetryAfter, DefaultMaxRetryAfter)
	if o.MaxTries == 0 {
		o.MaxTries = DefaultMaxTries
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{CheckRedirect: sameMethodRedirect}
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if o.RateLimit > 0 {
		lim = rate.NewLimiter(rate.Limit(o.RateLimit), 1)
	}
	return &Client{opts: o, limiter: lim}
}

// sameMethodRedirect follows 307 and 308 only: a POST answered by 301, 302
// or 303 would be resent as a GET, its records dropped.
func sameMethodRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.Method != via[0].Method {
		return http.ErrUseLastResponse
	}
	return nil
}

// Response is a successful (2xx) response, its body read and closed.
type Response struct {
	Status int
	Header http.Header
	// Body holds at most Options.MaxResponseBytes of the body.
	Body []byte
	// Tries is how many attempts it took.
	Tries int
}

// NewRequest returns a request maker for Do that sends body (nil: none)
// to url with the given headers, a fresh reader on body each attempt.
func NewRequest(method, url string, header http.Header, body []byte) func() (*http.Request, error) {
	return func() (*http.Request, error) {
		var r io.Reader
		if body != nil {
			r = bytes.NewReader(body)
		}
		req, err := http.NewRequest(method, url, r)
		if err != nil {
			return nil, fmt.Errorf("build request: %w", redactErr(err))
		}
		for k, vs := range header {
			req.Header[k] = append([]string(nil), vs...)
		}
		return req, nil
	}
}

// Do sends the request newRequest makes (it is called once per attempt, so
// that each attempt has a fresh body and may be signed anew) and retries it
// as the package doc says. It returns the 2xx response, or the last
// attempt's error.
func (c *Client) Do(ctx context.Context, newRequest func() (*http.Request, error)) (*Response, error) {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval, bo.MaxInterval = c.opts.InitialInterval, c.opts.MaxInterval
	tries := 0
	var what string // "POST https://host/path", for errors
	op := func() (*Response, error) {
		tries++
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, backoff.Permanent(fmt.Errorf("wait for the rate limit: %w", err))
		}
		req, err := newRequest()
		if err != nil {
			return nil, backoff.Permanent(err)
		}
		what = req.Method + " " + c.redact(req.URL)
		resp, err := c.attempt(ctx, req)
		if resp != nil {
			resp.Tries = tries
		}
		return resp, err
	}
	start := time.Now()
	resp, err := backoff.Retry(ctx, op,
		backoff.WithBackOff(bo),
		backoff.WithMaxTries(c.opts.MaxTries),
		backoff.WithMaxElapsedTime(c.opts.MaxElapsed))
	if err == nil {
		return resp, nil
	}
	if pe := (*backoff.PermanentError)(nil); errors.As(err, &pe) {
		err = pe.Err
	}
	if se := (*StatusError)(nil); !errors.As(err, &se) && what != "" {
		err = fmt.Errorf("%s: %w", what, err) // a StatusError names them
	}
	if tries > 1 {
		err = fmt.Errorf("%w (after %d tries in %s)", err, tries, time.Since(start).Round(time.Millisecond))
	}
	return nil, err
}

// attempt sends req once, within the attempt timeout, and reads the
// response. Errors are retryable unless wrapped by backoff.Permanent.
func (c *Client) attempt(ctx context.Context, req *http.Request) (*Response, error) {
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	resp, err := c.opts.HTTP.Do(req.WithContext(actx))
	if err != nil {
		return nil, c.transportErr(ctx, actx, err)
	}
	body, err := readBody(resp.Body, c.opts.MaxResponseBytes)
	if err != nil {
		return nil, c.transportErr(ctx, actx, fmt.Errorf("read the response: %w", err))
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
	}
	se := &StatusError{
		Method: req.Method, URL: c.redact(req.URL), Status: resp.StatusCode,
		Header: resp.Header, Body: body, secrets: c.opts.Secrets,
	}
	if !Retryable(resp.StatusCode) {
		return nil, backoff.Permanent(se)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return nil, &retryAfterError{err: se, after: &backoff.RetryAfterError{Duration: min(d, c.opts.MaxRetryAfter)}}
		}
	}
	return nil, se
}

// transportErr classifies an error of sending: ctx done stops retrying, a
// certificate error too; anything else (refused, reset, EOF, attempt
// timeout) is retried.
func (c *Client) transportErr(ctx, actx context.Context, err error) error {
	err = redactErr(err)
	if ctx.Err() != nil {
		return backoff.Permanent(fmt.Errorf("%w (%w)", context.Cause(ctx), err))
	}
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("attempt timed out after %s: %w", c.opts.Timeout, err)
	}
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return backoff.Permanent(err)
	}
	return err
}

// readBody reads at most limit bytes of body, drains a little more so the
// connection can be reused, and closes it.
func readBody(body io.ReadCloser, limit int64) ([]byte, error) {
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, limit))
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	return b, nil
}

// Retryable reports whether Do retries a response of status: 408, 429 and
// 5xx.
func Retryable(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// RetryAfter parses a Retry-After header value: delta-seconds or an HTTP
// date (its wait counted from now). ok is false when v is empty or neither.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, 1<<20)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// retryAfterError is a retryable status error whose wait the server set:
// backoff.Retry finds the *RetryAfterError, callers the *StatusError.
type retryAfterError struct {
	err   error
	after *backoff.RetryAfterError
}

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.err, e.after.Duration)
}
func (e *retryAfterError) Unwrap() []error { return []error{e.err, e.after} }

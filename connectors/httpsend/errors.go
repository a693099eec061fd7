package httpsend

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// ErrTooLarge is what a 413 response's *StatusError is (errors.Is): the
// request carried too much; send fewer records at once.
var ErrTooLarge = errors.New("request too large (HTTP 413)")

// excerptLen is the most of a response body an error message shows.
const excerptLen = 200

// StatusError is a non-2xx response: a 4xx Do does not retry, or the last
// answer of a retried request.
type StatusError struct {
	Method string
	// URL is redacted (see Redact).
	URL    string
	Status int
	Header http.Header
	// Body is the response body (at most Options.MaxResponseBytes), for a
	// destination that reads its errors from it; Error shows an excerpt.
	Body    []byte
	secrets []string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if ex := e.Excerpt(); ex != "" {
		msg += ": " + ex
	}
	return msg
}

// Is makes a 413 errors.Is ErrTooLarge.
func (e *StatusError) Is(target error) bool {
	return target == ErrTooLarge && e.Status == http.StatusRequestEntityTooLarge
}

// Excerpt is the start of the response body on one line, with the
// Client's secrets scrubbed.
func (e *StatusError) Excerpt() string {
	s := string(e.Body)
	for _, sec := range e.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > excerptLen {
		cut := excerptLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// Redact returns u without its userinfo, query and fragment (where tokens
// hide); "?…" marks a query left out.
func Redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	s := r.String()
	if u.RawQuery != "" || u.ForceQuery {
		s += "?…"
	}
	return s
}

func (c *Client) redact(u *url.URL) string {
	if c.opts.HidePath {
		return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String() + "/…"
	}
	return Redact(u)
}

// redactErr drops the *url.Error net/http wraps errors in: it names the
// whole URL, query included.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

package meta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
)

// Graph API error codes and subcodes the writer acts on.
var (
	// ThrottleCodes are rate limiting: the request is retried later (4
	// application, 17 user, 32 page, 613 calls within a time, 80003 the
	// custom audience's own rate).
	ThrottleCodes = []int{4, 17, 32, 613, 80003}
	// tokenCodes mean the token is wrong, expired or lacks a permission.
	tokenCodes = []int{10, 102, 190, 200, 294}
)

// SubcodeBlocked is the error_subcode of an audience Meta has blocked from
// updates.
const SubcodeBlocked = 1713230

// GraphError is the error object of a Graph API answer.
type GraphError struct {
	Message      string `json:"message"`
	Type         string `json:"type"`
	Code         int    `json:"code"`
	ErrorSubcode int    `json:"error_subcode"`
	UserTitle    string `json:"error_user_title"`
	UserMsg      string `json:"error_user_msg"`
	FBTraceID    string `json:"fbtrace_id"`
}

// parseGraphError reads {"error": {...}} from a body; nil when it is not
// one.
func parseGraphError(body []byte) *GraphError {
	var e struct {
		Error *GraphError `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == nil || (e.Error.Code == 0 && e.Error.Message == "") {
		return nil
	}
	return e.Error
}

// apiError is a Graph API refusal that is not about a record: fatal ones
// fail the output (Write returns them), since no later request can pass.
type apiError struct {
	msg   string
	fatal bool
}

func (e *apiError) Error() string { return e.msg }

// classify turns Do's error into what Split and Write act on: Meta's
// refusals that no record causes become an *apiError, which Split does
// not halve; others stay as they are (a 400 *StatusError is halved).
func (w *writer) classify(err error) error {
	var se *httpsend.StatusError
	if !errors.As(err, &se) {
		return err
	}
	ge := parseGraphError(se.Body)
	if ge == nil {
		return err
	}
	what := fmt.Sprintf("%s %s: Meta answered HTTP %d: %s (code %d", se.Method, se.URL, se.Status, w.scrub(ge.Message), ge.Code)
	if ge.ErrorSubcode != 0 {
		what += fmt.Sprintf(", subcode %d", ge.ErrorSubcode)
	}
	if ge.UserMsg != "" {
		what += "; " + w.scrub(ge.UserMsg)
	}
	if ge.FBTraceID != "" {
		what += "; fbtrace_id " + ge.FBTraceID
	}
	what += ")"
	switch {
	case ge.ErrorSubcode == SubcodeBlocked:
		return &apiError{fatal: true, msg: what + ": the Custom Audience is blocked from updates; see it in Ads Manager (Audiences) and fix what Meta says, or point audience_id at another audience"}
	case slices.Contains(tokenCodes, ge.Code):
		return &apiError{fatal: true, msg: what + ": the access token is invalid, expired or lacks ads_management on the audience's ad account; renew it in the environment variable access_token_env names"}
	case ge.Code == 100 && ge.ErrorSubcode == 33:
		return &apiError{fatal: true, msg: what + ": no Custom Audience with this audience_id is visible to the token; check audience_id"}
	case slices.Contains(ThrottleCodes, ge.Code):
		return &apiError{msg: what + ": Meta kept throttling past every retry; lower rate_limit or batch_size, or sync later"}
	}
	return err
}

func (w *writer) scrub(s string) string {
	if w.token != "" {
		s = strings.ReplaceAll(s, w.token, "[redacted]")
	}
	return s
}

// throttleTransport makes Meta's throttling answers (a 4xx whose error
// code is in ThrottleCodes) 429s, so that httpsend backs off and retries
// them like any rate limiting.
type throttleTransport struct{ base http.RoundTripper }

func (t throttleTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode < 400 || resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, httpsend.DefaultMaxResponseBytes))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read the response: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if ge := parseGraphError(body); ge != nil && slices.Contains(ThrottleCodes, ge.Code) {
		resp.StatusCode, resp.Status = http.StatusTooManyRequests, "429 Too Many Requests"
	}
	return resp, nil
}

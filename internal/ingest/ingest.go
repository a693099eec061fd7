// Package ingest is the Events API of `mosaic serve`: it takes mParticle
// batches over HTTP (POST /v2/events, one batch; POST /v2/bulkevents, a
// JSON array of up to 100), checks them as a `format: batch` feed does,
// and answers 202 Accepted only once they are durable in the feed's
// landing log, which the next run reads. Clients authenticate with HTTP
// Basic: the key and secret of one events_api feed.
package ingest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/mosaic-cdp/mosaic/internal/batch"
	"github.com/mosaic-cdp/mosaic/internal/landing"
)

// Limits of a request.
const (
	// MaxBulkBatches is how many batches one bulk request may hold.
	MaxBulkBatches = 100
	// MaxEventsBody bounds the body of POST /v2/events: one batch
	// (batch.MaxBatchBytes once compacted) and room for its whitespace.
	MaxEventsBody = 2 * batch.MaxBatchBytes
	// MaxBulkBody bounds the body of POST /v2/bulkevents.
	MaxBulkBody = MaxBulkBatches*batch.MaxBatchBytes + 64<<10
)

// Appender is what the handler needs of a feed's landing log
// (*landing.Log): Append returns once the records are durable.
type Appender interface {
	Append(ctx context.Context, records ...[]byte) error
}

// Feed is one events_api feed: its clients' credentials and its log.
type Feed struct {
	Name        string
	Key, Secret string
	Log         Appender
}

// Handler serves the Events API. Build it with New.
type Handler struct {
	feeds []Feed
	log   *slog.Logger
}

// New returns a handler for feeds; log may be nil.
func New(feeds []Feed, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{feeds: feeds, log: log}
}

// Register adds the handler's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v2/events", func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, false) })
	mux.HandleFunc("POST /v2/bulkevents", func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, true) })
}

// Problem is one entry of a 400 answer: mParticle's {code, message}, and
// which batch of a bulk request (0-based) and the decoder's reason.
type Problem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Batch   *int   `json:"batch,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, bulk bool) {
	feed, status := h.authenticate(r)
	if feed == nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="mosaic events api"`)
		reply(w, status, Problem{Code: "UNAUTHORIZED", Message: "send HTTP Basic credentials: the key and secret of an events_api feed"})
		return
	}
	limit := int64(MaxEventsBody)
	if bulk {
		limit = MaxBulkBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		reply(w, http.StatusRequestEntityTooLarge, Problem{Code: "REQUEST_TOO_LARGE", Message: fmt.Sprintf("the body is over %d bytes", limit)})
		return
	case err != nil:
		reply(w, http.StatusBadRequest, Problem{Code: "BAD_REQUEST", Message: "reading the body: " + err.Error()})
		return
	}
	records, problems, status := decode(body, bulk)
	if len(problems) > 0 {
		reply(w, status, problems...)
		return
	}
	if err := feed.Log.Append(r.Context(), records...); err != nil {
		h.appendFailed(w, r, feed, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// authenticate finds the feed whose key and secret the request sends,
// comparing every feed's in constant time. It returns the status to
// answer with when there is none.
func (h *Handler) authenticate(r *http.Request) (*Feed, int) {
	key, secret, ok := r.BasicAuth()
	if !ok {
		return nil, http.StatusUnauthorized
	}
	var found *Feed
	for i := range h.feeds {
		f := &h.feeds[i]
		k := subtle.ConstantTimeCompare([]byte(key), []byte(f.Key))
		s := subtle.ConstantTimeCompare([]byte(secret), []byte(f.Secret))
		if k&s == 1 {
			found = f
		}
	}
	if found == nil {
		return nil, http.StatusUnauthorized
	}
	return found, 0
}

func (h *Handler) appendFailed(w http.ResponseWriter, r *http.Request, feed *Feed, err error) {
	switch {
	case errors.Is(err, landing.ErrBehind):
		w.Header().Set("Retry-After", "1")
		reply(w, http.StatusTooManyRequests, Problem{Code: "TOO_MANY_REQUESTS", Message: "the landing log is behind: retry after the Retry-After seconds"})
	case r.Context().Err() != nil:
		// The client is gone; what it sent may still be durable, and
		// its source_request_id keeps a resend from counting twice.
	default:
		h.log.Error("events api: landing a request failed", "feed", feed.Name, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(5))
		reply(w, http.StatusServiceUnavailable, Problem{Code: "UNAVAILABLE", Message: "the batches could not be stored: retry later"})
	}
}

// decode checks the body's batches and returns them compacted, one line
// each, with a source_request_id added where the client sent none; or the
// problems and the status to answer with.
func decode(body []byte, bulk bool) ([][]byte, []Problem, int) {
	var raws []json.RawMessage
	if bulk {
		err := json.Unmarshal(body, &raws)
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return nil, []Problem{{Code: "BAD_REQUEST", Message: fmt.Sprintf("%v at byte %d", se, max(se.Offset-1, 0)), Reason: "invalid_json"}}, http.StatusBadRequest
		// encoding/json takes null for a nil slice, without error; only
		// null leaves raws nil ([] makes it empty), and it is no array.
		case err != nil || raws == nil:
			return nil, []Problem{{Code: "BAD_REQUEST", Message: "a bulk request's body is a JSON array of batches", Reason: "not_an_array"}}, http.StatusBadRequest
		}
		if len(raws) > MaxBulkBatches {
			return nil, []Problem{{Code: "BAD_REQUEST", Message: fmt.Sprintf("the request holds %d batches; send at most %d a request", len(raws), MaxBulkBatches), Reason: "too_many_batches"}}, http.StatusBadRequest
		}
	} else {
		raws = []json.RawMessage{body}
	}
	records := make([][]byte, 0, len(raws))
	var problems []Problem
	status := http.StatusBadRequest
	for i, raw := range raws {
		var at *int
		if bulk {
			at = &i
		}
		var line bytes.Buffer
		if err := json.Compact(&line, raw); err != nil {
			_, derr := batch.Decode(raw, "")
			problems = append(problems, problem(at, derr))
			continue
		}
		b, err := batch.Decode(line.Bytes(), "")
		if err != nil {
			var be *batch.Error
			if errors.As(err, &be) && be.Reason == "batch_too_large" {
				status = http.StatusRequestEntityTooLarge
			}
			problems = append(problems, problem(at, err))
			continue
		}
		record := withRequestID(line.Bytes(), b.SourceRequestID)
		// The run holds the landed line to the limit, so the request
		// must too: a batch within a request id of the limit that comes
		// without one would be accepted here and dropped there.
		if len(record) > batch.MaxBatchBytes {
			status = http.StatusRequestEntityTooLarge
			problems = append(problems, problem(at, &batch.Error{Reason: "batch_too_large", Msg: fmt.Sprintf(
				"the batch is %d bytes once given the source_request_id it lacks; the limit is %d", len(record), batch.MaxBatchBytes)}))
			continue
		}
		records = append(records, record)
	}
	return records, problems, status
}

func problem(at *int, err error) Problem {
	p := Problem{Code: "BAD_REQUEST", Message: err.Error(), Batch: at}
	var be *batch.Error
	if errors.As(err, &be) {
		p.Reason, p.Message = be.Reason, be.Msg
	}
	if at != nil {
		p.Message = fmt.Sprintf("batch %d: %s", *at, p.Message)
	}
	return p
}

func reply(w http.ResponseWriter, status int, problems ...Problem) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(struct {
		Errors []Problem `json:"errors"`
	}{problems})
}

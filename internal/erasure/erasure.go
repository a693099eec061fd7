// Package erasure takes data subject erasure requests over HTTP for
// `mosaic serve`, in the shape of OpenDSR as mParticle's Data Subject
// Request API serves it: POST /opendsr/v3/requests creates one, GET
// /opendsr/v3/requests/{id} tells its status and what it erased, DELETE
// cancels one not carried out yet.
//
// A request is kept in the store before its 201 (through the store's
// reading connections, which may append while a run's transaction is
// open), so that one accepted survives a restart. Service.Work carries
// the requests out one identity at a time, in the order received, each
// through package forget as `mosaic forget -p` would (forget.ForPipeline),
// while holding the server's writer lock, so that an erasure never
// interleaves with a run's transaction. The transaction that erases an
// identity records its outcome and drops its value.
package erasure

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/forget"
)

// APIVersion is the OpenDSR API version the routes answer as.
const APIVersion = "3.0"

// maxBody bounds a request's body.
const maxBody = 256 << 10

// Service takes erasure requests and carries them out. Set its fields,
// then call Register and Work.
type Service struct {
	Store    *engine.Store
	DB       *sql.DB // the store's reading connections (Store.Readers)
	Pipeline *config.Pipeline
	Registry *connectors.Registry
	// Lock waits for the store's writer (no run holding it) and takes it;
	// unlock gives it back. It fails only when ctx ends.
	Lock func(ctx context.Context) (unlock func(), err error)
	// Erased, when set, is told of each profile erased as its erasure
	// commits: just before, and again once committed, so that no copy of
	// the profile read meanwhile outlives it (the server drops the Profile
	// API's copy).
	Erased func(forget.Result)
	// Grace is how long Work lets an erasure under way finish once its
	// context ends before cancelling it (it rolls back and waits for the
	// next start).
	Grace time.Duration
	Log   *slog.Logger

	once    sync.Once
	wake    chan struct{}
	mu      sync.Mutex
	current string // the request being carried out
}

func (s *Service) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		if s.Log == nil {
			s.Log = slog.New(slog.DiscardHandler)
		}
	})
}

// Register adds the routes to mux, each behind authorized (the server's
// bearer-token check).
func (s *Service) Register(mux *http.ServeMux, authorized func(http.HandlerFunc) http.HandlerFunc) {
	s.init()
	mux.HandleFunc("POST /opendsr/v3/requests", authorized(s.create))
	mux.HandleFunc("POST /opendsr/v3/requests/{$}", authorized(s.create))
	mux.HandleFunc("GET /opendsr/v3/requests/{id}", authorized(s.status))
	mux.HandleFunc("DELETE /opendsr/v3/requests/{id}", authorized(s.cancel))
}

func (s *Service) create(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d KB: send fewer identities per request", maxBody>>10))
			return
		}
		fail(w, http.StatusBadRequest, "the body could not be read: "+err.Error())
		return
	}
	req, err := Decode(data, s.Pipeline.Identity)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	received := time.Now().UTC()
	err = add(r.Context(), s.DB, req, received)
	if errors.Is(err, errTaken) {
		fail(w, http.StatusConflict, fmt.Sprintf("subject_request_id %s was already submitted: GET /opendsr/v3/requests/%s for its status, or send a new id", req.ID, req.ID))
		return
	}
	if err != nil {
		s.Log.Error("an erasure request could not be kept", "request", req.ID, "err", err)
		w.Header().Set("Retry-After", "5")
		fail(w, http.StatusServiceUnavailable, "the request could not be stored; send it again")
		return
	}
	s.Log.Info("erasure request accepted", "request", req.ID, "regulation", req.Regulation, "identities", len(req.Identities), "block", req.Block)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	reply(w, http.StatusCreated, map[string]any{
		"controller_id":            s.Pipeline.Name,
		"expected_completion_time": nil,
		"received_time":            received.Format(time.RFC3339Nano),
		"subject_request_id":       req.ID,
		"api_version":              APIVersion,
	})
}

// identityStatus is one identity of a request in its status.
type identityStatus struct {
	Type        string `json:"identity_type"`
	Status      string `json:"status"` // pending, or the outcome
	ForgetID    *int64 `json:"forget_id,omitempty"`
	Profiles    *int64 `json:"profiles,omitempty"`
	StagedRows  *int64 `json:"staged_rows,omitempty"`
	DroppedRows *int64 `json:"dropped_rows,omitempty"`
	Stats       *int64 `json:"stats,omitempty"`
	Outputs     *int64 `json:"outputs,omitempty"`
	Message     string `json:"message,omitempty"`
}

func (s *Service) status(w http.ResponseWriter, r *http.Request) {
	id := strings.ToLower(r.PathValue("id"))
	st, ok, err := status(r.Context(), s.DB, id)
	if err != nil {
		s.Log.Error("an erasure request's status could not be read", "request", id, "err", err)
		fail(w, http.StatusServiceUnavailable, "the status could not be read; ask again")
		return
	}
	if !ok {
		fail(w, http.StatusNotFound, fmt.Sprintf("no erasure request has subject_request_id %q: check the id (POST /opendsr/v3/requests creates one)", r.PathValue("id")))
		return
	}
	var ids []identityStatus
	var profiles int64
	var waiting, failed, cancelled int
	var last time.Time
	var messages []string
	for _, o := range st.Identities {
		is := identityStatus{Type: o.Sent, Status: "pending"}
		if o.Outcome.Valid {
			is.Status, is.Message = o.Outcome.String, o.Message.String
			is.ForgetID = ptr(o.ForgetID)
			is.Profiles, is.StagedRows, is.DroppedRows = ptr(o.Profiles), ptr(o.Rows), ptr(o.Dropped)
			is.Stats, is.Outputs = ptr(o.Stats), ptr(o.Owing)
			profiles += o.Profiles.Int64
			if o.Done.Time.After(last) {
				last = o.Done.Time
			}
			if o.Outcome.String == Cancelled {
				cancelled++
			}
			if o.Outcome.String == Failed {
				failed++
				messages = append(messages, fmt.Sprintf("%s: %s", o.Sent, o.Message.String))
			}
		} else {
			waiting++
		}
		ids = append(ids, is)
	}
	s.mu.Lock()
	running := s.current == id
	s.mu.Unlock()
	ext := map[string]any{"regulation": st.Regulation, "received_time": st.Received.UTC().Format(time.RFC3339Nano), "block": st.Block, "identities": ids}
	var completion any
	var results any
	state := "pending"
	switch {
	case cancelled == len(ids):
		state = "cancelled"
	case waiting == 0 && failed > 0:
		state, completion, results = "failed", last.UTC().Format(time.RFC3339Nano), profiles
		ext["message"] = strings.Join(messages, "; ")
	case waiting == 0:
		state, completion, results = "completed", last.UTC().Format(time.RFC3339Nano), profiles
	case running || waiting < len(ids):
		state = "in_progress"
	}
	reply(w, http.StatusOK, map[string]any{
		"controller_id":            s.Pipeline.Name,
		"expected_completion_time": completion,
		"subject_request_id":       id,
		"group_id":                 nil,
		"request_status":           state,
		"api_version":              APIVersion,
		"results_url":              nil,
		"results_count":            results,
		"extensions":               map[string]any{"mosaic": ext},
	})
}

func ptr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail answers with OpenDSR's error object.
func fail(w http.ResponseWriter, status int, msg string) {
	reply(w, status, map[string]any{"error": map[string]any{"code": status, "message": msg}})
}

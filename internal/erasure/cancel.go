package erasure

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Cancelled is the outcome of an identity whose request was cancelled
// before it was carried out.
const Cancelled = "cancelled"

// cancel answers DELETE /opendsr/v3/requests/{id}: a request none of whose
// identities was carried out, nor is being, is cancelled (its values go);
// one under way or done is not (409). Work marks the request it carries
// out as current before it checks that its identity still waits, and
// cancel looks at current and cancels under the same lock, so that either
// the cancel or the erasure wins, never both.
func (s *Service) cancel(w http.ResponseWriter, r *http.Request) {
	id := strings.ToLower(r.PathValue("id"))
	if !s.cancelWaiting(w, r, id) {
		return
	}
	s.Log.Info("erasure request cancelled", "request", id)
	s.status(w, r)
}

// cancelWaiting cancels request id unless it was carried out or is being,
// reading it under the lock Work sets current under; false when it
// answered instead.
func (s *Service) cancelWaiting(w http.ResponseWriter, r *http.Request, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok, err := status(r.Context(), s.DB, id)
	if err != nil {
		s.Log.Error("an erasure request could not be read to cancel it", "request", id, "err", err)
		fail(w, http.StatusServiceUnavailable, "the request could not be read; send the cancel again")
		return false
	}
	if !ok {
		fail(w, http.StatusNotFound, fmt.Sprintf("no erasure request has subject_request_id %q: check the id", r.PathValue("id")))
		return false
	}
	for _, o := range st.Identities {
		if o.Outcome.Valid && o.Outcome.String != Cancelled {
			fail(w, http.StatusConflict, fmt.Sprintf("erasure request %s was already carried out, in part or whole: it cannot be cancelled (GET /opendsr/v3/requests/%s tells what it erased)", id, id))
			return false
		}
	}
	if s.current == id {
		fail(w, http.StatusConflict, fmt.Sprintf("erasure request %s is being carried out: it cannot be cancelled (GET /opendsr/v3/requests/%s tells what it erased)", id, id))
		return false
	}
	if _, err := s.DB.ExecContext(r.Context(), sqlfiles.Get("erasure/cancel.sql"), id, time.Now().UTC()); err != nil {
		s.Log.Error("an erasure request could not be cancelled", "request", id, "err", err)
		fail(w, http.StatusServiceUnavailable, "the request could not be cancelled; send the cancel again")
		return false
	}
	return true
}

// stillWaiting tells whether w still waits: a cancel may have taken it
// since next read it.
func stillWaiting(ctx context.Context, store *engine.Store, w waiting) (bool, error) {
	var n int
	if err := store.Conn().QueryRowContext(ctx, sqlfiles.Get("erasure/waiting.sql"), w.Request, w.Position).Scan(&n); err != nil {
		return false, fmt.Errorf("erasure/waiting.sql: %w", err)
	}
	return n == 1, nil
}

package erasure

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/forget"
)

// retry is how long Work waits to try again after the store failed it.
const retry = 30 * time.Second

// Work carries out the requests kept, those from before start first,
// until ctx ends; an erasure under way then has Grace to finish. It
// returns once none is under way.
func (s *Service) Work(ctx context.Context) {
	s.init()
	// An erasure outlives ctx by up to Grace, then rolls back.
	eraseCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(s.Grace, cancel)
		context.AfterFunc(eraseCtx, func() { t.Stop() })
	})
	defer stop()
	for {
		var wait <-chan time.Time
		for ctx.Err() == nil {
			more, err := s.eraseNext(ctx, eraseCtx)
			if err != nil {
				s.Log.Error("erasure requests wait: the store failed", "err", err, "retry", retry)
				wait = time.After(retry)
				break
			}
			if !more {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-wait:
		}
	}
}

// eraseNext erases the next identity waiting, holding the writer lock;
// more is false when none waits or ctx ended.
func (s *Service) eraseNext(ctx, eraseCtx context.Context) (more bool, err error) {
	unlock, err := s.Lock(ctx)
	if err != nil {
		return false, nil // ctx ended while a run held the store
	}
	defer unlock()
	if ctx.Err() != nil {
		return false, nil
	}
	w, ok, err := next(eraseCtx, s.Store)
	if err != nil || !ok {
		return false, err
	}
	s.mu.Lock()
	s.current = w.Request
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.current = ""
		s.mu.Unlock()
	}()
	// A cancel (cancel.go) that came between next and current took it.
	if still, err := stillWaiting(eraseCtx, s.Store, w); err != nil || !still {
		return err == nil, err
	}
	return true, s.erase(eraseCtx, w)
}

// erase erases w as `mosaic forget -p` does and records its outcome: in
// the erasure's transaction, or when nothing was erased in one of its own.
func (s *Service) erase(ctx context.Context, w waiting) error {
	start := time.Now()
	req := forget.ForPipeline(s.Pipeline, s.Registry)
	if w.Type == "mpid" {
		req.MPID, _ = strconv.ParseInt(w.Value, 10, 64) // checked when the request came
	} else {
		req.IdentityType, req.Identity = w.Type, w.Value
	}
	req.Reason = fmt.Sprintf("%s erasure request %s", w.Regulation, w.Request)
	req.Block = w.Block
	req.Record = func(ctx context.Context, tx *engine.Tx, res forget.Result) error {
		what := Erased
		if res.MPID == 0 {
			what = Unheld
		}
		if err := done(ctx, tx, w, what, res, ""); err != nil {
			return err
		}
		s.erased(res) // a copy read from here to the commit goes below
		return nil
	}
	log := s.Log.With("request", w.Request, "identity", w.Position, "identity_type", w.Type)
	res, err := forget.Forget(ctx, s.Store, req)
	switch {
	case err == nil:
		log.Info("erased", "forget_id", res.ForgetID, "profiles", res.Profiles, "staged_rows", res.Rows,
			"dropped_rows", res.Dropped, "stats", res.Stats, "outputs", res.Outputs, "ms", time.Since(start).Milliseconds())
		s.erased(res)
		return nil
	case errors.Is(err, forget.ErrNotFound):
		log.Info("nothing names it: not_found")
		return record(ctx, s.Store, w, NotFound, "")
	case ctx.Err() != nil:
		log.Warn("erasure cancelled: it rolled back and waits for the next start", "err", err)
		return nil
	}
	// What failed may quote the value: it must not stay in the store.
	msg := strings.ReplaceAll(err.Error(), w.Value, "[the value]")
	log.Error("erasure failed", "err", msg)
	if rerr := record(ctx, s.Store, w, Failed, msg); rerr != nil {
		return fmt.Errorf("%s; recording it: %w", msg, rerr)
	}
	return nil
}

// erased tells Erased of res, when it erased a profile.
func (s *Service) erased(res forget.Result) {
	if s.Erased != nil && res.MPID != 0 {
		s.Erased(res)
	}
}

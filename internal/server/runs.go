package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/background"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/landing"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
	"github.com/mosaic-cdp/mosaic/internal/schedule"
)

// lockWriter waits until neither a run nor an erasure holds the store's
// connection and takes it; it fails only when ctx ends first.
func (s *Server) lockWriter(ctx context.Context) (unlock func(), err error) {
	select {
	case s.writer <- struct{}{}:
		return func() { <-s.writer }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// schedule runs the pipeline on its trigger (and on RunNow) until ctx
// ends, each run on the open store after sealing the landing logs.
func (s *Server) schedule(ctx context.Context, store *engine.Store, logs map[string]*landing.Log) error {
	var trigger schedule.Trigger // none: runs come from RunNow only
	if s.p.Schedule != "" {
		c, err := schedule.ParseCron(s.p.Schedule)
		if err != nil {
			return fmt.Errorf("%s: schedule: %w", s.p.Pos("schedule"), err)
		}
		trigger = c
	}
	sched := &schedule.Scheduler{
		Runner: schedule.RunnerFunc(func(ctx context.Context, p *config.Pipeline) (schedule.Outcome, error) {
			return s.run(ctx, store, logs)
		}),
		Log:    s.log,
		RunNow: s.opts.RunNow,
		Grace:  s.opts.Grace,
	}
	return sched.Run(ctx, []schedule.Job{{Pipeline: s.p, Trigger: merged{trigger, s.runNow}}})
}

// run seals every landing log, runs the pipeline on the store and, once
// the run committed, releases the segments it read.
func (s *Server) run(ctx context.Context, store *engine.Store, logs map[string]*landing.Log) (schedule.Outcome, error) {
	// An erasure under way finishes first.
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return schedule.Outcome{}, err
	}
	defer unlock()
	sealed := map[string]string{}
	for name, l := range logs {
		if err := l.Rotate(ctx); err != nil {
			return schedule.Outcome{}, fmt.Errorf("feed %s: seal the landing log: %w", name, err)
		}
		segs, _ := filepath.Glob(filepath.Join(landing.Dir(s.p.State, name), "*.ndjson"))
		if len(segs) > 0 {
			sealed[name] = segs[len(segs)-1]
		}
	}
	r := &pipeline.Runner{Registry: s.registry, Log: s.log, MemoryLimit: s.opts.MemoryLimit, Progress: s.opts.Progress, Cores: RunCores(s.opts.RunCores)}
	if s.profileAPI != nil {
		r.Committed = func(res *pipeline.Result) {
			if st := res.Stats.ProfileDocs; st != nil && !st.All {
				s.profileAPI.Forget(st.Changed)
			} else {
				s.profileAPI.Invalidate()
			}
		}
	}
	// The run's own thread and its decoders yield to requests.
	r.Background = true
	var res *pipeline.Result
	if lerr := background.Go(func() { res, err = r.RunStore(ctx, store, s.p, pipeline.Options{}) }); lerr != nil {
		s.log.Warn("could not lower the run's priority", "err", lerr)
	}
	out := schedule.Outcome{}
	status := "failed"
	var oerr *pipeline.OutputsError
	if res != nil {
		out.RunID, status = res.Run.ID, res.Run.Status
		for _, f := range res.Stats.Feeds {
			out.Rows += f.Read
		}
	}
	if err == nil || errors.As(err, &oerr) { // committed
		status = engine.StatusSucceeded
		for name, last := range sealed {
			logs[name].Release(last)
		}
	}
	out.Status = status
	s.metrics.run(status, res)
	return out, err
}

// merged ticks on a trigger's ticks (none when nil) and on manual ones.
type merged struct {
	trigger schedule.Trigger
	manual  <-chan time.Time
}

func (m merged) Ticks(ctx context.Context) <-chan time.Time {
	out := make(chan time.Time)
	var cron <-chan time.Time
	if m.trigger != nil {
		cron = m.trigger.Ticks(ctx)
	}
	go func() {
		defer close(out)
		for {
			var t time.Time
			var ok bool
			select {
			case <-ctx.Done():
				return
			case t, ok = <-cron:
				if !ok {
					cron = nil // no more scheduled times; manual runs go on
					continue
				}
			case t = <-m.manual:
			}
			select {
			case out <- t:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

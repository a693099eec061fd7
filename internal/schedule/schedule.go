// Package schedule runs pipelines on their cron schedules in one long-lived
// process: each pipeline on its own Trigger, never two runs of one pipeline
// at once, and a graceful shutdown that lets running runs finish within a
// grace period before cancelling them (a cancelled run rolls back).
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Runner runs one pipeline once. The scheduler calls Run from a goroutine
// of its own per run, and never for a pipeline whose previous run has not
// returned; runs of different pipelines may overlap. ctx is cancelled when
// shutdown's grace period ends: Run must then stop promptly and leave the
// store as it was (pipeline.Runner does: its transaction rolls back).
type Runner interface {
	Run(ctx context.Context, p *config.Pipeline) (Outcome, error)
}

// RunnerFunc adapts a function to Runner.
type RunnerFunc func(ctx context.Context, p *config.Pipeline) (Outcome, error)

// Run implements Runner.
func (f RunnerFunc) Run(ctx context.Context, p *config.Pipeline) (Outcome, error) { return f(ctx, p) }

// Outcome describes a finished run for the log. Zero fields are unknown.
type Outcome struct {
	RunID int64
	// Status is succeeded, failed or cancelled; "" lets the scheduler
	// derive it from the error.
	Status string
	Rows   int64 // rows read from the feeds
}

// Job is one pipeline and when to run it.
type Job struct {
	Pipeline *config.Pipeline
	Trigger  Trigger
}

// Scheduler runs jobs on their triggers until its context ends. Set Runner;
// the other fields are optional.
type Scheduler struct {
	Runner Runner
	Log    *slog.Logger
	// RunNow runs every job once at start, before its first tick.
	RunNow bool
	// Grace is how long shutdown waits for running runs before it cancels
	// them (zero: cancel at once).
	Grace time.Duration
	// StopTimeout bounds the wait for cancelled runs to return; default 30s.
	StopTimeout time.Duration
}

// ErrStuck is returned when cancelled runs did not return within
// StopTimeout.
var ErrStuck = errors.New("runs did not stop after they were cancelled")

type job struct {
	Job
	log     *slog.Logger
	running atomic.Bool
	since   atomic.Int64 // unix nanoseconds the current run started
}

// Run schedules jobs and blocks until ctx ends. Then it takes no new runs,
// waits up to Grace for running ones, cancels those still running and
// waits for them to return. It returns nil after such a clean shutdown.
func (s *Scheduler) Run(ctx context.Context, jobs []Job) error {
	if s.Runner == nil {
		return errors.New("schedule: Scheduler.Runner is not set")
	}
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Runs outlive ctx by up to Grace; they have their own cancellation.
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	var runs, loops sync.WaitGroup
	var running atomic.Int64
	for i := range jobs {
		p := jobs[i].Pipeline
		j := &job{Job: jobs[i], log: log.With("pipeline", p.Name, "file", p.File)}
		attrs := []any{"schedule", p.Schedule, "run_now", s.RunNow}
		if c, ok := j.Trigger.(interface{ Next(time.Time) time.Time }); ok {
			attrs = append(attrs, "next", c.Next(time.Now()).Format(time.RFC3339))
		}
		j.log.Info("pipeline scheduled", attrs...)
		loops.Add(1)
		go func() {
			defer loops.Done()
			s.loop(ctx, runCtx, j, &runs, &running)
		}()
	}
	<-ctx.Done()
	loops.Wait() // every loop has returned: no run starts from here on
	done := make(chan struct{})
	go func() {
		runs.Wait()
		close(done)
	}()
	if n := running.Load(); n > 0 {
		log.Info("stopping: waiting for running runs to finish", "running", n, "grace", s.Grace)
	}
	grace := time.NewTimer(s.Grace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		select {
		case <-done:
		default:
			log.Warn("grace period over: cancelling running runs; they roll back", "running", running.Load(), "grace", s.Grace)
			cancelRuns()
			stop := s.StopTimeout
			if stop <= 0 {
				stop = 30 * time.Second
			}
			select {
			case <-done:
			case <-time.After(stop):
				return fmt.Errorf("%w: %d still running after %s", ErrStuck, running.Load(), stop)
			}
		}
	}
	log.Info("scheduler stopped")
	return nil
}

// loop takes j's ticks until ctx ends and starts a run for each one that
// does not overlap the previous run.
func (s *Scheduler) loop(ctx, runCtx context.Context, j *job, runs *sync.WaitGroup, running *atomic.Int64) {
	if s.RunNow && ctx.Err() == nil {
		s.start(runCtx, j, "run-now", runs, running)
	}
	ticks := j.Trigger.Ticks(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case t, ok := <-ticks:
			if !ok {
				if ctx.Err() == nil {
					j.log.Warn("the schedule has no further times; this pipeline will not run again", "schedule", j.Pipeline.Schedule)
				}
				return
			}
			if ctx.Err() != nil {
				return
			}
			s.start(runCtx, j, t.Format(time.RFC3339), runs, running)
		}
	}
}

// start runs j in a goroutine of its own unless its previous run is still
// running, in which case the tick is skipped and logged.
func (s *Scheduler) start(ctx context.Context, j *job, trigger string, runs *sync.WaitGroup, running *atomic.Int64) {
	if !j.running.CompareAndSwap(false, true) {
		since := time.Unix(0, j.since.Load())
		j.log.Warn("run skipped: the previous run is still running", "tick", trigger,
			"running_for", time.Since(since).Round(time.Millisecond))
		return
	}
	j.since.Store(time.Now().UnixNano())
	runs.Add(1)
	running.Add(1)
	go func() {
		defer runs.Done()
		defer running.Add(-1)
		defer j.running.Store(false)
		s.runOnce(ctx, j, trigger)
	}()
}

// runOnce runs j once and logs the outcome. A failure is only logged: the
// job runs again at its next tick.
func (s *Scheduler) runOnce(ctx context.Context, j *job, trigger string) {
	start := time.Now()
	j.log.Debug("run starting", "tick", trigger)
	out, err := s.Runner.Run(ctx, j.Pipeline)
	status := out.Status
	if status == "" {
		switch {
		case err == nil:
			status = "succeeded"
		case ctx.Err() != nil:
			status = "cancelled"
		default:
			status = "failed"
		}
	}
	attrs := []any{"tick", trigger}
	if out.RunID != 0 {
		attrs = append(attrs, "run", out.RunID)
	}
	attrs = append(attrs, "status", status, "duration", time.Since(start).Round(time.Millisecond), "rows", out.Rows)
	switch {
	case err == nil:
		j.log.Info("run finished", attrs...)
	case status == "cancelled":
		j.log.Warn("run finished", append(attrs, "err", err)...)
	default:
		j.log.Error("run finished", append(attrs, "err", err, "retry", "at the next tick")...)
	}
}

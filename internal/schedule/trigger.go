package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// Trigger tells a job when to run. The scheduler calls Ticks once, when it
// starts; the channel delivers each due time, and is closed when ctx ends
// or when the trigger has no time left. A tick that arrives while the job's
// previous run is still running is skipped, not queued, so a trigger need
// not care how long runs take.
type Trigger interface {
	Ticks(ctx context.Context) <-chan time.Time
}

// Cron is the production Trigger: a cron schedule against the wall clock.
type Cron struct {
	Schedule cron.Schedule
}

// maxWait bounds one timer, so that a wall-clock step (NTP, a suspended
// machine) delays a tick by at most this much.
const maxWait = time.Minute

// ParseCron parses a pipeline's `schedule:` as `mosaic validate` does: five
// fields (minute hour day-of-month month day-of-week), descriptors such as
// @hourly or @every 15m, and an optional CRON_TZ=Zone prefix.
func ParseCron(spec string) (*Cron, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("bad cron schedule %q: %w", spec, err)
	}
	return &Cron{Schedule: s}, nil
}

// Next returns the first due time after t (zero when there is none).
func (c *Cron) Next(t time.Time) time.Time { return c.Schedule.Next(t) }

// Ticks implements Trigger. Times missed while the receiver was not
// listening are not delivered late: the next tick is the next due time
// after the last delivery.
func (c *Cron) Ticks(ctx context.Context) <-chan time.Time {
	ch := make(chan time.Time)
	go func() {
		defer close(ch)
		last := time.Now()
		for {
			next := c.Schedule.Next(last)
			if next.IsZero() {
				return // a schedule that never fires again (30 February)
			}
			timer := time.NewTimer(min(time.Until(next), maxWait))
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-timer.C:
			}
			if time.Now().Before(next) {
				continue // woke up early (bounded wait, or the clock stepped back)
			}
			select {
			case <-ctx.Done():
				return
			case ch <- next:
			}
			last = time.Now()
		}
	}()
	return ch
}

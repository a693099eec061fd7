package schedule

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

func TestParseCron(t *testing.T) {
	at := time.Date(2026, 6, 1, 10, 15, 0, 0, time.UTC) // a Monday
	cases := []struct{ spec, next string }{
		{"0 * * * *", "2026-06-01T11:00:00Z"},
		{"*/20 * * * *", "2026-06-01T10:20:00Z"},
		{"@hourly", "2026-06-01T11:00:00Z"},
		{"@daily", "2026-06-02T00:00:00Z"},
		{"@every 90s", "2026-06-01T10:16:30Z"},
		{"CRON_TZ=Europe/Paris 30 6 * * 1-5", "2026-06-02T04:30:00Z"}, // 06:30 in Paris, summer time
		{"CRON_TZ=America/New_York 0 9 * * SUN", "2026-06-07T13:00:00Z"},
	}
	for _, c := range cases {
		tr, err := ParseCron(c.spec)
		if err != nil {
			t.Errorf("%q: %v", c.spec, err)
			continue
		}
		if got := tr.Next(at).UTC().Format(time.RFC3339); got != c.next {
			t.Errorf("%q: next after %s = %s, want %s", c.spec, at.Format(time.RFC3339), got, c.next)
		}
	}
	for _, spec := range []string{"0 * * *", "* * * * * *", "61 * * * *", "CRON_TZ=Mars/Base 0 * * * *", "@fortnightly"} {
		if _, err := ParseCron(spec); err == nil || !strings.Contains(err.Error(), "bad cron schedule") {
			t.Errorf("%q: err = %v, want a bad cron schedule", spec, err)
		}
	}
}

// secondly parses six-field specs (seconds first): tests only, so that a
// cron trigger fires within a test's time.
func secondly(t *testing.T, spec string) *Cron {
	t.Helper()
	s, err := cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow).Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	return &Cron{Schedule: s}
}

func TestCronTicksOnTheWallClock(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ticks := secondly(t, "* * * * * *").Ticks(ctx)
	var got []time.Time
	for range 2 {
		select {
		case tick := <-ticks:
			if now := time.Now(); now.Before(tick) {
				t.Errorf("tick %s delivered early, at %s", tick.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
			}
			got = append(got, tick)
		case <-time.After(5 * time.Second):
			t.Fatal("no tick within 5s of an every-second schedule")
		}
	}
	if got[0].Nanosecond() != 0 || got[1].Sub(got[0]) < time.Second {
		t.Errorf("ticks %v: want whole seconds, at least 1s apart", got)
	}
	cancel()
	select {
	case _, ok := <-ticks:
		for ok { // at most one tick may have been in flight
			_, ok = <-ticks
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the tick channel was not closed when the context ended")
	}
}

func TestCronWithoutFurtherTimesCloses(t *testing.T) {
	tr, err := ParseCron("0 0 30 2 *") // 30 February
	if err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-tr.Ticks(context.Background()):
		if ok {
			t.Fatal("a tick on 30 February")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the channel of a schedule that never fires was not closed")
	}
}

// TestFailingCronJobIsNotRetriedInALoop runs a failing pipeline on a real
// every-second cron trigger: it runs about once a second, not in a loop.
func TestFailingCronJobIsNotRetriedInALoop(t *testing.T) {
	logs, log := newLog()
	var calls atomic.Int64
	fail := RunnerFunc(func(ctx context.Context, p *config.Pipeline) (Outcome, error) {
		calls.Add(1)
		return Outcome{}, errors.New("boom")
	})
	fast, slow := secondly(t, "* * * * * *"), secondly(t, "0 0 0 1 1 *") // every second; yearly
	stop := start(t, &Scheduler{Runner: fail, Log: log},
		Job{Pipeline: pl("fast"), Trigger: fast}, Job{Pipeline: pl("slow"), Trigger: slow})
	time.Sleep(2500 * time.Millisecond)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	n := calls.Load()
	if n < 1 || n > 4 {
		t.Errorf("%d runs in 2.5s of an every-second schedule; want 2 or 3 (1 to 4 on a loaded machine)\n%s", n, logs)
	}
	if got := logs.count(`msg="run finished"`, "pipeline=fast", "status=failed"); int64(got) != n {
		t.Errorf("%d failures logged for %d runs", got, n)
	}
	if logs.count(`msg="run finished"`, "pipeline=slow") != 0 {
		t.Errorf("the yearly pipeline ran:\n%s", logs)
	}
}

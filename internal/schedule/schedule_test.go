package schedule

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// manual is a Trigger the test fires by hand. Its channel is unbuffered:
// once a send returns, the scheduler has taken the tick, and once the next
// send returns it has finished handling the previous one.
type manual chan time.Time

func (m manual) Ticks(context.Context) <-chan time.Time { return m }

func (m manual) fire(t *testing.T) {
	t.Helper()
	select {
	case m <- time.Now():
	case <-time.After(10 * time.Second):
		t.Fatal("the scheduler did not take the tick")
	}
}

// logBuffer collects the scheduler's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// count counts the log lines holding every one of parts.
func (b *logBuffer) count(parts ...string) int {
	n := 0
	for line := range strings.Lines(b.String()) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}

func newLog() (*logBuffer, *slog.Logger) {
	b := &logBuffer{}
	return b, slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func pl(name string) *config.Pipeline {
	return &config.Pipeline{Name: name, File: name + ".yaml", Schedule: "@every 1h"}
}

// start runs the scheduler in the background; stop cancels it and returns
// Run's error.
func start(t *testing.T, s *Scheduler, jobs ...Job) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx, jobs) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-errc:
			case <-time.After(20 * time.Second):
				t.Fatal("the scheduler did not stop")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

// gated is a Runner whose runs block until released, counting calls.
type gated struct {
	calls   atomic.Int64
	started chan string
	release chan struct{}
}

func newGated() *gated {
	return &gated{started: make(chan string, 100), release: make(chan struct{})}
}

func (g *gated) Run(ctx context.Context, p *config.Pipeline) (Outcome, error) {
	n := g.calls.Add(1)
	g.started <- p.Name
	select {
	case <-g.release:
		return Outcome{RunID: n, Status: "succeeded", Rows: 3}, nil
	case <-ctx.Done():
		return Outcome{RunID: n, Status: "cancelled"}, ctx.Err()
	}
}

func (g *gated) waitStarted(t *testing.T, name string) {
	t.Helper()
	select {
	case got := <-g.started:
		if got != name {
			t.Fatalf("run of %s started, want %s", got, name)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no run of %s started", name)
	}
}

func TestOverlappingTickIsSkippedAndLogged(t *testing.T) {
	logs, log := newLog()
	g := newGated()
	tick := make(manual)
	stop := start(t, &Scheduler{Runner: g, Log: log}, Job{Pipeline: pl("a"), Trigger: tick})

	tick.fire(t)
	g.waitStarted(t, "a")
	tick.fire(t) // while the first run runs
	tick.fire(t) // returns once the previous tick was handled
	waitFor(t, "two skips logged", func() bool {
		return logs.count(`msg="run skipped: the previous run is still running"`, "pipeline=a") == 2
	})
	if n := g.calls.Load(); n != 1 {
		t.Fatalf("%d runs started while one was running, want 1", n)
	}
	close(g.release)
	waitFor(t, "the run to finish", func() bool { return logs.count(`msg="run finished"`, "run=1", "status=succeeded", "rows=3") == 1 })
	tick.fire(t) // the previous run is over: this one runs
	g.waitStarted(t, "a")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := g.calls.Load(); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
}

func TestFailedRunIsRetriedAtTheNextTickOnly(t *testing.T) {
	logs, log := newLog()
	var calls atomic.Int64
	fail := RunnerFunc(func(ctx context.Context, p *config.Pipeline) (Outcome, error) {
		calls.Add(1)
		return Outcome{}, errors.New("feed crm: boom")
	})
	tick := make(manual)
	stop := start(t, &Scheduler{Runner: fail, Log: log}, Job{Pipeline: pl("a"), Trigger: tick})
	tick.fire(t)
	waitFor(t, "the failure logged", func() bool {
		return logs.count("level=ERROR", `msg="run finished"`, "status=failed", `err="feed crm: boom"`, `retry="at the next tick"`) == 1
	})
	time.Sleep(300 * time.Millisecond)
	if n := calls.Load(); n != 1 {
		t.Fatalf("a failed run was retried %d times without a tick", n-1)
	}
	tick.fire(t)
	waitFor(t, "the retry", func() bool { return calls.Load() == 2 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestPipelinesRunIndependently(t *testing.T) {
	logs, log := newLog()
	slow := newGated()
	var bCalls atomic.Int64
	runner := RunnerFunc(func(ctx context.Context, p *config.Pipeline) (Outcome, error) {
		if p.Name == "a" {
			return slow.Run(ctx, p)
		}
		bCalls.Add(1)
		return Outcome{Status: "succeeded"}, nil
	})
	ta, tb := make(manual), make(manual)
	stop := start(t, &Scheduler{Runner: runner, Log: log, Grace: time.Minute},
		Job{Pipeline: pl("a"), Trigger: ta}, Job{Pipeline: pl("b"), Trigger: tb})

	ta.fire(t)
	slow.waitStarted(t, "a")
	for i := 1; i <= 3; i++ { // b runs on its own schedule while a is running
		tb.fire(t)
		waitFor(t, "b's run", func() bool { return logs.count(`msg="run finished"`, "pipeline=b", "status=succeeded") == i })
	}
	ta.fire(t)
	ta.fire(t)
	waitFor(t, "a's skip", func() bool { return logs.count("run skipped", "pipeline=a") >= 1 })
	if n := logs.count("run skipped", "pipeline=b"); n != 0 {
		t.Errorf("b was skipped %d times because of a", n)
	}
	if n := slow.calls.Load(); n != 1 {
		t.Errorf("a ran %d times, want 1", n)
	}
	close(slow.release)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := bCalls.Load(); n != 3 {
		t.Errorf("b ran %d times, want 3", n)
	}
}

func TestRunNowRunsEveryPipelineOnceAtStart(t *testing.T) {
	logs, log := newLog()
	var calls sync.Map
	runner := RunnerFunc(func(ctx context.Context, p *config.Pipeline) (Outcome, error) {
		n, _ := calls.LoadOrStore(p.Name, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		return Outcome{}, nil
	})
	stop := start(t, &Scheduler{Runner: runner, Log: log, RunNow: true},
		Job{Pipeline: pl("a"), Trigger: make(manual)}, Job{Pipeline: pl("b"), Trigger: make(manual)})
	waitFor(t, "both runs", func() bool { return logs.count(`msg="run finished"`, "tick=run-now", "status=succeeded") == 2 })
	time.Sleep(100 * time.Millisecond)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		n, ok := calls.Load(name)
		if !ok || n.(*atomic.Int64).Load() != 1 {
			t.Errorf("%s did not run exactly once", name)
		}
	}
}

// sleeper runs for d unless cancelled, and says which happened.
func sleeper(d time.Duration, started chan<- struct{}, cancelled *atomic.Bool) Runner {
	return RunnerFunc(func(ctx context.Context, p *config.Pipeline) (Outcome, error) {
		started <- struct{}{}
		select {
		case <-time.After(d):
			return Outcome{RunID: 1, Status: "succeeded"}, nil
		case <-ctx.Done():
			cancelled.Store(true)
			return Outcome{RunID: 1, Status: "cancelled"}, ctx.Err()
		}
	})
}

func TestShutdownHonoursGrace(t *testing.T) {
	t.Run("a run that ends within grace finishes", func(t *testing.T) {
		logs, log := newLog()
		started := make(chan struct{}, 1)
		var cancelled atomic.Bool
		s := &Scheduler{Runner: sleeper(300*time.Millisecond, started, &cancelled), Log: log, RunNow: true, Grace: 20 * time.Second}
		stop := start(t, s, Job{Pipeline: pl("a"), Trigger: make(manual)})
		<-started
		begin := time.Now()
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if cancelled.Load() || logs.count(`msg="run finished"`, "status=succeeded") != 1 {
			t.Errorf("the run was cancelled within its grace period:\n%s", logs)
		}
		if d := time.Since(begin); d > 10*time.Second {
			t.Errorf("shutdown took %s: it must end when the run ends, not wait out the grace period", d)
		}
		if logs.count("stopping: waiting for running runs to finish", "running=1", "grace=20s") != 1 {
			t.Errorf("shutdown did not log the wait:\n%s", logs)
		}
	})
	t.Run("a run that outlasts grace is cancelled", func(t *testing.T) {
		logs, log := newLog()
		started := make(chan struct{}, 1)
		var cancelled atomic.Bool
		s := &Scheduler{Runner: sleeper(time.Minute, started, &cancelled), Log: log, RunNow: true, Grace: 200 * time.Millisecond}
		stop := start(t, s, Job{Pipeline: pl("a"), Trigger: make(manual)})
		<-started
		begin := time.Now()
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		d := time.Since(begin)
		if !cancelled.Load() || logs.count("level=WARN", `msg="run finished"`, "status=cancelled") != 1 {
			t.Errorf("the run was not cancelled:\n%s", logs)
		}
		if d < 200*time.Millisecond || d > 10*time.Second {
			t.Errorf("shutdown took %s; want the 200ms grace period, then the cancellation", d)
		}
		if logs.count("grace period over: cancelling running runs") != 1 {
			t.Errorf("the cancellation was not logged:\n%s", logs)
		}
	})
	t.Run("no new runs after shutdown starts", func(t *testing.T) {
		_, log := newLog()
		var calls atomic.Int64
		tick := make(manual, 1)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		tick <- time.Now()
		err := (&Scheduler{Runner: RunnerFunc(func(context.Context, *config.Pipeline) (Outcome, error) {
			calls.Add(1)
			return Outcome{}, nil
		}), Log: log, RunNow: true}).Run(ctx, []Job{{Pipeline: pl("a"), Trigger: tick}})
		if err != nil || calls.Load() != 0 {
			t.Errorf("err %v, %d runs after the context ended", err, calls.Load())
		}
	})
	t.Run("a run that ignores cancellation is reported", func(t *testing.T) {
		_, log := newLog()
		release := make(chan struct{})
		started := make(chan struct{}, 1)
		stuck := RunnerFunc(func(context.Context, *config.Pipeline) (Outcome, error) {
			started <- struct{}{}
			<-release
			return Outcome{}, nil
		})
		stop := start(t, &Scheduler{Runner: stuck, Log: log, RunNow: true, StopTimeout: 100 * time.Millisecond},
			Job{Pipeline: pl("a"), Trigger: make(manual)})
		<-started
		err := stop()
		close(release)
		if !errors.Is(err, ErrStuck) {
			t.Errorf("err = %v, want ErrStuck", err)
		}
	})
}

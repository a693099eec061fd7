package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
	"github.com/mosaic-cdp/mosaic/internal/schedule"
)

// runSchedule runs pipelines on their `schedule:` until SIGINT/SIGTERM
// (ctx), then shuts down gracefully: exit 0 after a clean shutdown.
func runSchedule(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "schedule")
	runNow := fs.Bool("run-now", false, "run every pipeline once at start, then on its schedule")
	grace := fs.Duration("grace", 60*time.Second, "on SIGINT or SIGTERM, the `DURATION` running runs may take to finish before they are cancelled (a cancelled run rolls back)")
	logLevel := fs.String("log-level", "info", logLevelUsage)
	memoryLimit := memoryLimitFlag(fs)
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		fs.Usage()
		return ExitUsage
	}
	if *grace < 0 {
		fmt.Fprintf(e.stderr, "mosaic schedule: bad --grace %s: give a duration of 0s or more, like 60s\n", *grace)
		return ExitUsage
	}
	log, err := logger(e, *logLevel)
	if err != nil {
		fmt.Fprintln(e.stderr, "mosaic schedule:", err)
		return ExitUsage
	}
	setGoMemoryLimit(*memoryLimit, log)
	seen := map[string]bool{}
	jobs := make([]schedule.Job, 0, len(pos))
	for _, path := range pos {
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		if seen[abs] {
			fmt.Fprintf(e.stderr, "mosaic schedule: %s is given twice: give each pipeline file once\n", path)
			return ExitUsage
		}
		seen[abs] = true
		p, code := loadPipeline(e, path)
		if p == nil {
			return code
		}
		if p.Schedule == "" {
			fmt.Fprintf(e.stderr, "mosaic schedule: %s: pipeline %s has no `schedule:`; add one, like `schedule: \"0 * * * *\"` (hourly), or run it once with `mosaic run %s`\n",
				path, p.Name, path)
			return ExitUsage
		}
		trigger, err := schedule.ParseCron(p.Schedule)
		if err != nil { // validation parsed it already; kept for safety
			fmt.Fprintf(e.stderr, "%s: schedule: %v\n", p.Pos("schedule"), err)
			return ExitUsage
		}
		// Each run reads the feeds and syncs the outputs: refuse now what
		// every run would.
		var ee *pipeline.EnvError
		if err := pipeline.CheckEnv(p, builtin.Registry(), true); errors.As(err, &ee) {
			fmt.Fprintln(e.stderr, err)
			fmt.Fprintf(e.stderr, "mosaic schedule: %s: %s, so no run would: set the variables above and start again\n", path, ee.Cannot())
			return ExitFailed
		}
		jobs = append(jobs, schedule.Job{Pipeline: p, Trigger: trigger})
	}
	s := &schedule.Scheduler{
		Runner: schedule.Pipelines{Registry: builtin.Registry(), Log: log, MemoryLimit: *memoryLimit},
		Log:    log,
		RunNow: *runNow,
		Grace:  *grace,
	}
	if err := s.Run(ctx, jobs); err != nil {
		fmt.Fprintln(e.stderr, "mosaic schedule:", err)
		return ExitFailed
	}
	return ExitOK
}

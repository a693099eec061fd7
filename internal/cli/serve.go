package cli

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/server"
)

// runServe holds a pipeline's store and serves its APIs until SIGINT or
// SIGTERM (ctx), then shuts down gracefully: exit 0 after a clean stop.
func runServe(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "serve")
	addr := fs.String("addr", "", "the address to listen on, `HOST:PORT` (default: serve.addr, else 127.0.0.1:8080)")
	runNow := fs.Bool("run-now", false, "run the pipeline once at start, then on its schedule")
	grace := fs.Duration("grace", 60*time.Second, "on SIGINT or SIGTERM, the `DURATION` a running run may take to finish before it is cancelled (a cancelled run rolls back)")
	logLevel := fs.String("log-level", "info", logLevelUsage)
	runCores := fs.Int("run-cores", 0, "the `N` cores a run may keep busy (DuckDB's threads and the batch decoders), leaving the rest to requests; 0: all but one")
	memoryLimit := memoryLimitFlag(fs)
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitUsage
	}
	if *grace < 0 {
		fmt.Fprintf(e.stderr, "mosaic serve: bad --grace %s: give a duration of 0s or more, like 60s\n", *grace)
		return ExitUsage
	}
	if *runCores < 0 {
		fmt.Fprintf(e.stderr, "mosaic serve: bad --run-cores %d: give a number of cores, or 0 for all but one\n", *runCores)
		return ExitUsage
	}
	log, err := logger(e, *logLevel)
	if err != nil {
		fmt.Fprintln(e.stderr, "mosaic serve:", err)
		return ExitUsage
	}
	setGoMemoryLimit(*memoryLimit, log)
	p, code := loadPipeline(e, pos[0])
	if p == nil {
		return code
	}
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(server.Procs(*runCores))
	}
	s, err := server.New(p, builtin.Registry(), server.Options{Addr: *addr, Grace: *grace, RunNow: *runNow, MemoryLimit: *memoryLimit, Log: log, RunCores: *runCores})
	if err != nil {
		fmt.Fprintln(e.stderr, "mosaic serve:", err)
		return ExitUsage
	}
	if err := s.Run(ctx); err != nil {
		fmt.Fprintln(e.stderr, "mosaic serve:", err)
		return ExitFailed
	}
	return ExitOK
}

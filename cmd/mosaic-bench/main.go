// Command mosaic-bench measures a full rebuild and an incremental run of
// the generated data set against the identity targets (docs/performance.md), with the floor query
// and label propagation as baselines in the same run (internal/bench).
//
//	go run -tags duckdb_arrow ./cmd/mosaic-bench --users 1000000 --mosaic /tmp/mosaic
//
// bench/identity.sh builds mosaic and runs this. Exit status 1 when a
// target is missed and --check is given.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mosaic-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts bench.Options
	fs.IntVar(&opts.Users, "users", 20000, "generated users")
	fs.StringVar(&opts.Dir, "dir", os.TempDir()+"/mosaic-bench", "folder for the data (reused across runs) and the store")
	fs.StringVar(&opts.Mosaic, "mosaic", "", "path of a built mosaic binary (required)")
	fs.IntVar(&opts.MaxRounds, "max-rounds", 0, "stop label propagation after this many rounds (0: until it converges)")
	fs.StringVar(&opts.MemoryLimit, "memory-limit", os.Getenv("MOSAIC_MEMORY_LIMIT"), "DuckDB's memory limit for the baselines (default: $MOSAIC_MEMORY_LIMIT, else the engine's)")
	check := fs.String("check", "", "exit 1 unless the targets are met: strict (docs/performance.md's) or loose (CI's smoke test)")
	segments := fs.Bool("segments", false, "measure the segments instead: 15 calculated attributes and 20 audiences (internal/bench/segments.yaml)")
	serve := fs.Bool("serve", false, "measure `mosaic serve` instead: the Profile API at a fixed rate, idle and during a run, and the Events API flat out")
	rate := fs.Float64("rate", 2000, "with --serve: the Profile API's requests a second")
	phase := fs.Duration("phase", 10*time.Second, "with --serve: how long each phase lasts")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *serve && opts.Mosaic != "" {
		opts.Log = slog.New(slog.NewTextHandler(stderr, nil))
		rep, err := bench.MeasureServe(ctx, bench.ServeOptions{Options: opts, Rate: *rate, Phase: *phase})
		if err != nil {
			fmt.Fprintln(stderr, "mosaic-bench:", err)
			return 1
		}
		printServe(stdout, rep)
		return report(stdout, rep.ServeTargets(*check == "loose"), *check != "")
	}
	if *segments && opts.Mosaic != "" {
		opts.Log = slog.New(slog.NewTextHandler(stderr, nil))
		rep, err := bench.MeasureSegments(ctx, opts)
		if err != nil {
			fmt.Fprintln(stderr, "mosaic-bench:", err)
			return 1
		}
		printSegments(stdout, rep)
		return 0
	}
	if opts.Mosaic == "" || (*check != "" && *check != "strict" && *check != "loose") {
		fmt.Fprintln(stderr, "usage: mosaic-bench --mosaic PATH [--users N] [--dir DIR] [--check strict|loose] [--segments | --serve [--rate N] [--phase D]]")
		return 2
	}
	opts.Log = slog.New(slog.NewTextHandler(stderr, nil))
	rep, err := bench.Measure(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "mosaic-bench:", err)
		return 1
	}
	print(stdout, rep)
	return report(stdout, rep.Targets(*check == "loose"), *check != "")
}

// report prints the targets, met or missed; with check, a miss is exit 1.
func report(w io.Writer, checks []bench.Check, check bool) int {
	ok := true
	fmt.Fprintln(w, "\ntargets:")
	for _, c := range checks {
		mark := "met   "
		if !c.Met {
			mark, ok = "MISSED", false
		}
		fmt.Fprintf(w, "  %s  %-46s %s\n", mark, c.Name, c.Figure)
	}
	if check && !ok {
		return 1
	}
	return 0
}

func printServe(w io.Writer, r *bench.ServeReport) {
	fmt.Fprintf(w, "mosaic serve, %d users (figures from the load generator, on loopback)\n\n", r.Users)
	fmt.Fprintf(w, "%-34s %9s %9s %9s %9s %7s\n", "phase", "rate/s", "p50", "p99", "max", "errors")
	for _, p := range []struct {
		name string
		l    bench.Latency
	}{{"floor: GET /healthz", r.Healthz}, {"Profile API, first pass (cold)", r.Cold}, {"Profile API", r.Profile}, {"Profile API during a run", r.ProfileDuringRun}, {"floor during the run: GET /healthz at a tenth", r.HealthzDuringRun}} {
		fmt.Fprintf(w, "%-34s %9.0f %9s %9s %9s %7d\n", p.name, p.l.Rate, p.l.P50.Round(10*time.Microsecond), p.l.P99.Round(10*time.Microsecond), p.l.Max.Round(10*time.Microsecond), p.l.Errors)
	}
	fmt.Fprintf(w, "\nEvents API: %.0f batches/s accepted durably (%d requests, %d errors)\n", r.Events.Batches, r.Events.Requests, r.Events.Errors)
	fmt.Fprintf(w, "Events API while a run writes: %.0f batches/s (%d requests, %d errors)\n", r.EventsDuringRun.Batches, r.EventsDuringRun.Requests, r.EventsDuringRun.Errors)
	fmt.Fprintf(w, "the run during the last phase: %s\n", r.RunWall.Round(time.Millisecond))
	fmt.Fprintf(w, "server start, every profile's document written: %s\n", r.Start.Round(time.Millisecond))
}

func print(w io.Writer, r *bench.Report) {
	fmt.Fprintf(w, "data: %d users, %d rows, %d identity values, %d distinct\n", r.Users, r.Full.Rows, r.IdentityRows, r.DistinctIdentities)
	for _, x := range []struct {
		name string
		run  bench.Run
	}{{"full rebuild", r.Full}, {fmt.Sprintf("incremental (+%d users' data)", r.IncrementalNewUsers), r.Incremental}} {
		fmt.Fprintf(w, "%-34s %8.2f s wall  %6.2f GiB peak RSS  %d rows\n", x.name, x.run.Wall.Seconds(), float64(x.run.PeakRSS)/(1<<30), x.run.Rows)
		names := make([]string, 0, len(x.run.Stages))
		for n := range x.run.Stages {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(w, "  %-32s %8.2f s\n", n, x.run.Stages[n].Seconds())
		}
	}
	conv := ""
	if !r.LabelPropConverged {
		conv = " (stopped before converging)"
	}
	fmt.Fprintf(w, "floor: decode the batch files     %8.2f s  %d lines on every core: sonic %.2f s, mosaic's decoder %.2f s\n",
		r.DecodeFloor.Seconds(), r.DecodedLines, r.DecodeSonic.Seconds(), r.DecodeScan.Seconds())
	fmt.Fprintf(w, "floor: distinct identities        %8.2f s\n", r.Floor.Seconds())
	fmt.Fprintf(w, "label propagation                 %8.2f s  %d rounds, %d components%s\n", r.LabelPropagation.Seconds(), r.LabelRounds, r.LabelComponents, conv)
	id := r.Full.Stages["identity"]
	fmt.Fprintf(w, "ratios: staging/decode floor %.1f×  identity/floor %.1f×  label propagation/identity %.1f×  incremental/full %.1f%%\n",
		float64(r.Full.Stages["staging"])/float64(r.DecodeFloor), float64(id)/float64(r.Floor),
		float64(r.LabelPropagation)/float64(id), 100*float64(r.Incremental.Wall)/float64(r.Full.Wall))
}

func printSegments(w io.Writer, r *bench.SegmentsReport) {
	fmt.Fprintf(w, "data: %d users, %d profiles, %d events; 15 calculated attributes, 20 audiences\n", r.Users, r.Profiles, r.Events)
	if r.Base.Wall > 0 {
		fmt.Fprintf(w, "base store built                   %8.2f s wall  %6.2f GiB peak RSS\n", r.Base.Wall.Seconds(), float64(r.Base.PeakRSS)/(1<<30))
	}
	for _, x := range []struct {
		name string
		run  bench.Run
	}{{"from scratch", r.Fresh}, {"a day later (windows slide)", r.NextDay}} {
		c, a := x.run.Stages["calculated"], x.run.Stages["audiences"]
		cc, ac := x.run.StageCPU["calculated"], x.run.StageCPU["audiences"]
		fmt.Fprintf(w, "%-28s calculated %6.2f s (cpu %6.2f s)  audiences %6.2f s (cpu %6.2f s)  both %6.2f s (cpu %6.2f s)  run %6.2f s, %.2f GiB peak RSS\n",
			x.name, c.Seconds(), cc.Seconds(), a.Seconds(), ac.Seconds(), (c + a).Seconds(), (cc + ac).Seconds(), x.run.Wall.Seconds(), float64(x.run.PeakRSS)/(1<<30))
	}
}

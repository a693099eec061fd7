// Package bench measures a full rebuild and an incremental run of the
// generated data set (internal/gen) against the identity targets (docs/performance.md), with
// two baselines measured in the same run: the floor (counting the distinct
// staged identities) and label propagation in SQL. Figures are compared as
// ratios, because the machines it runs on are shared and noisy.
//
// The runs themselves are `mosaic run` subprocesses, so that their peak
// RSS is theirs alone; the baselines run in this process, on the store the
// first run wrote, after it finished.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/gen"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Options say what to measure.
type Options struct {
	Users int
	// Dir holds the generated data (reused when it holds data for the same
	// Users) and the store.
	Dir string
	// Mosaic is the path of a built mosaic binary, run for each pipeline run.
	Mosaic string
	// DeltaPercent is the size of the incremental run's new data, in
	// percent of Users (default 1).
	DeltaPercent int
	// MaxRounds stops label propagation early (0: until it converges).
	MaxRounds int
	// MemoryLimit is DuckDB's memory limit for the baselines' store
	// (empty: engine.DefaultMemoryLimit); the measured runs are mosaic
	// subprocesses, which read MOSAIC_MEMORY_LIMIT themselves.
	MemoryLimit string
	Log         *slog.Logger
}

// Run is one `mosaic run` as measured.
type Run struct {
	Wall    time.Duration
	PeakRSS int64 // bytes
	// Stages are the run's own stage timings (runs.stats.stages).
	Stages map[string]time.Duration
	// StageCPU is each stage's CPU time where the run records it
	// (runs.stats.stages.*.cpu_ms); CPU the whole process's.
	StageCPU map[string]time.Duration
	CPU      time.Duration
	Rows     int64
}

// Report holds every figure.
type Report struct {
	Users              int
	IdentityRows       int64 // staged identity values
	DistinctIdentities int64
	Full, Incremental  Run
	Floor              time.Duration
	// DecodeFloor is the best decoder's time for the batch files on every
	// core (decode.go): the faster of DecodeSonic and DecodeScan (mosaic's
	// own decoder); DecodedLines the lines each read.
	DecodeFloor             time.Duration
	DecodeSonic, DecodeScan time.Duration
	DecodedLines            int64
	LabelPropagation        time.Duration
	LabelRounds             int
	LabelComponents         int64
	LabelPropConverged      bool
	IncrementalNewUsers     int
}

// Measure generates (or reuses) the data, runs the full rebuild, the
// baselines and the incremental run, and reports.
func Measure(ctx context.Context, opts Options) (*Report, error) {
	if opts.DeltaPercent == 0 {
		opts.DeltaPercent = 1
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	data := filepath.Join(opts.Dir, fmt.Sprintf("users-%d", opts.Users))
	unlock, err := lockData(ctx, data, log)
	if err != nil {
		return nil, err
	}
	defer unlock()
	pipelineFile, err := prepare(ctx, data, opts, log)
	if err != nil {
		return nil, err
	}
	rep := &Report{Users: opts.Users, IncrementalNewUsers: max(gen.MinUsers, opts.Users*opts.DeltaPercent/100)}
	state := filepath.Join(data, "mosaic.duckdb")
	for _, f := range []string{state, state + ".wal"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	if err := os.RemoveAll(filepath.Join(data, "parts", "delta")); err != nil {
		return nil, err
	}

	log.Info("full rebuild", "users", opts.Users)
	if rep.Full, err = runMosaic(ctx, opts.Mosaic, pipelineFile, state); err != nil {
		return nil, err
	}
	log.Info("decode floor")
	if rep.DecodeSonic, rep.DecodeScan, rep.DecodedLines, err = decodeFloor(ctx, data); err != nil {
		return nil, err
	}
	rep.DecodeFloor = min(rep.DecodeSonic, rep.DecodeScan)
	if err := baselines(ctx, state, opts, rep, log); err != nil {
		return nil, err
	}

	log.Info("incremental run", "new_users", rep.IncrementalNewUsers)
	if _, err := gen.Generate(ctx, gen.Options{Users: rep.IncrementalNewUsers, Out: filepath.Join(data, "parts", "delta"), Seed: 2}); err != nil {
		return nil, fmt.Errorf("bench: generate the incremental data: %w", err)
	}
	if rep.Incremental, err = runMosaic(ctx, opts.Mosaic, pipelineFile, state); err != nil {
		return nil, err
	}
	return rep, nil
}

// prepare generates the data set under data/parts/base (unless it is there
// already) and writes data/pipeline.yaml, which reads every part, so that
// the incremental run can add parts/delta.
func prepare(ctx context.Context, data string, opts Options, log *slog.Logger) (string, error) {
	base := filepath.Join(data, "parts", "base")
	if _, err := os.Stat(filepath.Join(base, gen.PipelineFile)); err != nil {
		log.Info("generating", "users", opts.Users, "dir", base)
		if _, err := gen.Generate(ctx, gen.Options{Users: opts.Users, Out: base, Seed: 1}); err != nil {
			return "", fmt.Errorf("bench: generate: %w", err)
		}
	}
	src, err := os.ReadFile(filepath.Join(base, gen.PipelineFile))
	if err != nil {
		return "", err
	}
	text := string(src)
	for _, f := range []string{gen.WebFile, gen.AppFile, gen.CRMFile, gen.PurchasesFile} {
		from, to := "path: "+f+",", "path: parts/*/"+f+","
		if !strings.Contains(text, from) {
			return "", fmt.Errorf("bench: the generated pipeline has no %q", from)
		}
		text = strings.Replace(text, from, to, 1)
	}
	out := filepath.Join(data, "pipeline.yaml")
	return out, os.WriteFile(out, []byte(text), 0o644)
}

// runMosaic runs one `mosaic run` (with any extra flags) and reads its
// figures back: wall, peak RSS and CPU time of the process, and each
// stage's wall and CPU time from the run's stats.
func runMosaic(ctx context.Context, mosaic, pipelineFile, state string, flags ...string) (Run, error) {
	cmd := exec.CommandContext(ctx, mosaic, append([]string{"run", pipelineFile, "--log-level", "warn"}, flags...)...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Run{}, fmt.Errorf("bench: mosaic run: %w", err)
	}
	done, peak := make(chan struct{}), make(chan int64, 1)
	go func() { peak <- peakRSS(cmd.Process.Pid, done) }()
	err := cmd.Wait()
	close(done)
	r := Run{Wall: time.Since(start), PeakRSS: <-peak}
	if err != nil {
		return r, fmt.Errorf("bench: mosaic run: %w\n%s", err, out.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	store, err := engine.Open(ctx, state, engine.Options{ReadOnly: true})
	if err != nil {
		return r, err
	}
	defer store.Close()
	var stats string
	if err := store.Conn().QueryRowContext(ctx, sqlfiles.Get("bench/last_run_stats.sql")).Scan(&stats); err != nil {
		return r, fmt.Errorf("bench: read the run's stats: %w", err)
	}
	var s struct {
		Stages map[string]struct {
			Millis    int64 `json:"ms"`
			CPUMillis int64 `json:"cpu_ms"`
			Rows      int64 `json:"rows"`
		} `json:"stages"`
	}
	if err := json.Unmarshal([]byte(stats), &s); err != nil {
		return r, fmt.Errorf("bench: decode the run's stats: %w", err)
	}
	r.Stages, r.StageCPU = map[string]time.Duration{}, map[string]time.Duration{}
	for name, st := range s.Stages {
		r.Stages[name] = time.Duration(st.Millis) * time.Millisecond
		r.StageCPU[name] = time.Duration(st.CPUMillis) * time.Millisecond
		if name == "staging" {
			r.Rows = st.Rows
		}
	}
	return r, nil
}

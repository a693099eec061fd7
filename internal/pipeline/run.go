package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/attributes"
	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/calculated"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/identity"
	"github.com/mosaic-cdp/mosaic/internal/outputs"
	"github.com/mosaic-cdp/mosaic/internal/profiledocs"
	"github.com/mosaic-cdp/mosaic/internal/retention"
)

// Runner runs pipelines. Its zero value is not usable: set Registry.
type Runner struct {
	Registry *connectors.Registry
	Log      *slog.Logger
	// Progress, when set, is told each step as it starts.
	Progress func(Step)
	// MemoryLimit is DuckDB's memory limit for the store ("8GB"); empty
	// means engine.DefaultMemoryLimit.
	MemoryLimit string
	// BatchChunk is engine.Options.BatchChunk (0: its default).
	BatchChunk int64
	// Committed, when set, is called as soon as a run has committed,
	// before its outputs sync, with the run's result (a server drops what
	// it cached of the profiles the run changed).
	Committed func(*Result)
	// Cores, when set, bounds the cores a run keeps busy: DuckDB's threads
	// (for the run's span, readers included) and the batch decoders. A
	// server leaves the rest to its readers.
	Cores int
	// Background has sources decode at lowered priority (a server runs
	// the run itself so: package background).
	Background bool
}

// Step is one step of a run, for progress display.
type Step struct {
	Index, Total int
	Stage        string // "staging", "commit", …
	Feed         string
}

// Options change one run.
type Options struct {
	FullRefresh bool
	// Now is the run's clock (for tests and backfills); zero means now.
	Now time.Time
	// NoSync skips the outputs' sync after the commit.
	NoSync bool
	// DryRun runs every stage in the run's transaction and rolls it back:
	// the result tells what the run would change, and the store, the
	// feeds' read state and the watermarks stay as they were. No output
	// is called, and a failed dry run records nothing.
	DryRun bool
	// Samples is how many profiles of each kind of change (created,
	// updated, merged) a dry run reads before and after (Result.Samples).
	Samples int
	// RenameFrom lets the run take a store that belongs to the pipeline of
	// that name: the pipeline renamed (CheckOwner).
	RenameFrom string
}

// Stats is what a run records in runs.stats.
type Stats struct {
	Feeds    map[string]engine.FeedStats `json:"feeds"`
	Stages   map[string]StageStats       `json:"stages"`
	Profiles ProfileStats                `json:"profiles"`
	// Attributes counts attribute writes that won their key, and those a
	// higher-priority source type kept out.
	Attributes attributes.Stats `json:"attributes"`
	// Calculated counts calculated-attribute values recomputed and changed.
	Calculated calculated.Stats `json:"calculated"`
	// Retention counts the events and profiles deleted by retention.
	Retention retention.Stats `json:"retention"`
	// Dropped counts the rows the run dropped, the feeds' Dropped summed.
	// DroppedRecords counts what it recorded in dropped_rows: one record
	// per dropped row, and one per identity, value or attribute a rule
	// kept out of a kept row; DroppedByReason splits the records.
	Dropped         int64            `json:"rows_dropped"`
	DroppedRecords  int64            `json:"dropped_records"`
	DroppedByReason map[string]int64 `json:"dropped_by_reason,omitempty"`
	// Audiences holds each audience's size, entries and exits;
	// AudiencesRemoved the members that left audiences no longer in the
	// pipeline file.
	Audiences        map[string]audiences.Stats `json:"audiences,omitempty"`
	AudiencesRemoved map[string]int64           `json:"audiences_removed,omitempty"`
	// ProfileDocs counts the Profile API's documents written (pipelines
	// that serve it).
	ProfileDocs *profiledocs.Stats `json:"profile_docs,omitempty"`
	// FullRefresh tells that the run rebuilt from all feeds.
	FullRefresh bool `json:"full_refresh,omitempty"`
	// Warnings lists what the run went past, each naming its feed: a feed
	// whose data has not arrived yet (a files glob matching no file) is
	// read as 0 rows, a last line without its newline waits. Each feed's
	// stats hold its own (engine.FeedStats.Warnings).
	Warnings []string `json:"warnings,omitempty"`
	// UnseenNames warns of each name an audience or calculated attribute
	// uses (an event name, an attribute key, an identity type) that no
	// stored data has, with where the pipeline file has it (unseen.Find).
	UnseenNames []string `json:"unseen_names,omitempty"`
}

// StageStats times one stage.
type StageStats struct {
	Millis int64 `json:"ms"`
	Rows   int64 `json:"rows"`
	// CPUMillis is the process's CPU time (all threads) during the stage,
	// where measured.
	CPUMillis int64 `json:"cpu_ms,omitempty"`
}

// ProfileStats counts profile changes in a run.
type ProfileStats struct {
	Created int64 `json:"created"`
	// Updated counts the profiles that existed before the run and whose
	// updated_at it moved: an identity added, a profile merged in, an
	// attribute value changed (docs/design.md#attribute-rules). A profile
	// a row matched without changing it (the same values sent again) only
	// has its last_seen_at move, and is not counted.
	Updated int64 `json:"updated"`
	Merged  int64 `json:"merged"`
	// IdentitiesAdded counts the identities rows added to profiles.
	IdentitiesAdded int64 `json:"identities_added"`
	// Largest are the created or changed profiles with the most
	// identities, with the run's rows that landed in each.
	Largest []identity.Profile `json:"largest,omitempty"`
	// SharedValues counts the identity values identity.max_shared kept
	// from linking in the run; Shared names the most shared.
	SharedValues int64             `json:"shared_values,omitempty"`
	Shared       []identity.Shared `json:"shared,omitempty"`
}

// StatusDryRun is the status of a dry run's result: it rolled back.
const StatusDryRun = "dry run"

// Result is a finished run.
type Result struct {
	Run   engine.Run
	Stats Stats
	// Outputs are the syncs of the outputs after the commit.
	Outputs []outputs.Result
	// Samples are a dry run's sample profiles (Options.Samples).
	Samples []Sample
}

// OutputsError is returned by Run when the run committed but syncing its
// outputs failed: the store holds the run, and each failed output is
// synced again at the next run or `mosaic sync`.
type OutputsError struct {
	RunID int64
	Err   error
}

func (e *OutputsError) Error() string {
	return fmt.Sprintf("run %d committed, but syncing outputs failed: %v", e.RunID, e.Err)
}

func (e *OutputsError) Unwrap() error { return e.Err }

// Run runs p once: it stages every feed and commits state, watermarks and
// the run record in one transaction. On failure the store is left as it
// was, but for a run record saying why.
func (r *Runner) Run(ctx context.Context, p *config.Pipeline, opts Options) (*Result, error) {
	noData, err := r.check(ctx, p, opts)
	if err != nil {
		return nil, err
	}
	store, err := engine.Open(ctx, p.State, engine.Options{Command: "mosaic run " + p.Name, Logger: r.logger(), MemoryLimit: r.MemoryLimit, BatchChunk: r.BatchChunk})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	if err := CheckOwner(ctx, store, p, opts.RenameFrom); err != nil {
		return nil, err
	}
	return r.run(ctx, store, p, opts, noData, r.logger())
}

// RunStore runs p once on a store its caller holds open (`mosaic serve`
// keeps its store open between runs, and reads it while a run writes).
// It does what Run does, but for opening and closing the store.
func (r *Runner) RunStore(ctx context.Context, store *engine.Store, p *config.Pipeline, opts Options) (*Result, error) {
	noData, err := r.check(ctx, p, opts)
	if err != nil {
		return nil, err
	}
	if err := CheckOwner(ctx, store, p, opts.RenameFrom); err != nil {
		return nil, err
	}
	return r.run(ctx, store, p, opts, noData, r.logger())
}

func (r *Runner) logger() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// run runs p on an open store, syncs its outputs and records a failure.
func (r *Runner) run(ctx context.Context, store *engine.Store, p *config.Pipeline, opts Options, noData map[string]*config.Error, log *slog.Logger) (*Result, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	res := &Result{Run: engine.Run{Pipeline: p.Name, Started: time.Now().UTC()}}
	res.Stats = Stats{Feeds: map[string]engine.FeedStats{}, Stages: map[string]StageStats{}, FullRefresh: opts.FullRefresh}
	err := r.runTx(ctx, store, p, now.UTC(), opts, noData, res, log)
	res.Run.Finished = time.Now().UTC()
	res.Run.Stats = res.Stats
	if err == nil {
		if opts.DryRun || opts.NoSync || len(p.Outputs) == 0 {
			return res, nil
		}
		s := &outputs.Syncer{Registry: r.Registry, Log: log}
		if res.Outputs, err = s.Sync(ctx, store, p, outputs.Options{}); err != nil {
			return res, &OutputsError{RunID: res.Run.ID, Err: err}
		}
		return res, nil
	}
	res.Run.Status, res.Run.Error = engine.StatusFailed, err.Error()
	if errors.Is(ctx.Err(), context.Canceled) {
		res.Run.Status = engine.StatusCancelled
	}
	if res.Run.ID != 0 && !opts.DryRun {
		if rerr := store.RecordFailedRun(ctx, res.Run); rerr != nil {
			log.Warn("could not record the failed run", "run", res.Run.ID, "err", rerr)
		}
	}
	return res, err
}

func (r *Runner) runTx(ctx context.Context, store *engine.Store, p *config.Pipeline, now time.Time, opts Options, noData map[string]*config.Error, res *Result, log *slog.Logger) error {
	if r.Cores > 0 {
		restore, err := store.LimitThreads(ctx, r.Cores)
		if err != nil {
			return err
		}
		defer restore()
	}
	// Staging commits statement by statement (see engine.BeginStaging);
	// unless the run's transaction commits, what it staged is deleted.
	stx, staged, err := store.BeginStaging(ctx, opts.FullRefresh)
	if err != nil {
		return err
	}
	res.Run.ID = staged.Run
	published := false
	defer func() {
		if !published {
			if err := store.DropStaged(ctx, staged); err != nil {
				log.Warn("could not delete what the run staged; the next run will", "run", staged.Run, "err", err)
			}
		}
	}()
	log.Info("run started", "pipeline", p.Name, "run", res.Run.ID, "store", p.State, "full_refresh", opts.FullRefresh)
	// Steps: one per feed staged, one per stage, then the commit.
	total := len(p.Feeds) + len(stages) + 1
	staging, stagingCPU := time.Now(), cpuTime()
	var states []feedState
	for i := range p.Feeds {
		r.progress(Step{Index: i + 1, Total: total, Stage: "staging", Feed: p.Feeds[i].Name})
		if w, ok := noData[p.Feeds[i].Name]; ok {
			res.Stats.Feeds[p.Feeds[i].Name] = engine.FeedStats{Warnings: []string{feedProblem(p, i, w)}}
			res.Stats.Warnings = append(res.Stats.Warnings, w.Error())
			log.Warn("feed has no data yet: read 0 rows", "feed", p.Feeds[i].Name, "problem", w.Error())
			continue
		}
		st, state, err := r.stageFeed(ctx, stx, p, i, res.Run.ID, now, opts.FullRefresh)
		if err != nil {
			return err
		}
		res.Stats.Feeds[p.Feeds[i].Name] = st
		for _, w := range st.Warnings {
			res.Stats.Warnings = append(res.Stats.Warnings, "feed "+p.Feeds[i].Name+": "+w)
			log.Warn("feed read with a warning", "feed", p.Feeds[i].Name, "warning", w)
		}
		states = append(states, feedState{feed: p.Feeds[i].Name, state: state, watermark: st.Watermark})
		log.Info("feed staged", "feed", p.Feeds[i].Name, "read", st.Read, "kept", st.Kept, "dropped", st.Dropped)
	}
	res.Stats.Stages["staging"] = StageStats{Millis: time.Since(staging).Milliseconds(), Rows: sumKept(res.Stats.Feeds), CPUMillis: (cpuTime() - stagingCPU).Milliseconds()}

	tx, err := store.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.RollbackLogged(ctx)
	if opts.FullRefresh {
		if err := outputs.MarkForwarded(ctx, tx, p, staged.FirstRow); err != nil {
			return err
		}
		if err := tx.FullRefresh(ctx, staged.FirstRow); err != nil {
			return err
		}
	}
	for _, f := range states {
		if err := tx.PutSourceState(ctx, f.feed, f.state, f.watermark, res.Run.ID); err != nil {
			return err
		}
	}

	s := &runState{tx: tx, p: p, runID: res.Run.ID, now: now, res: res, log: log}
	if err := r.runStages(ctx, s, len(p.Feeds)+1, total); err != nil {
		return err
	}

	if err := countDrops(ctx, tx, res); err != nil {
		return err
	}

	r.progress(Step{Index: total, Total: total, Stage: "commit"})
	res.Run.Status = engine.StatusSucceeded
	res.Run.Finished = time.Now().UTC()
	res.Run.Stats = res.Stats
	if opts.DryRun {
		res.Run.Status = StatusDryRun
		if opts.Samples > 0 {
			if res.Samples, err = samples(ctx, store, tx, res.Run.ID, opts.Samples); err != nil {
				return err
			}
		}
		log.Info("dry run rolled back", "run", res.Run.ID)
		return tx.Rollback(ctx)
	}
	if err := tx.RecordRun(ctx, res.Run); err != nil {
		return err
	}
	if err := tx.ClearStaged(ctx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	published = true
	if r.Committed != nil {
		r.Committed(res)
	}
	log.Info("run committed", "run", res.Run.ID, "ms", time.Since(res.Run.Started).Milliseconds())
	return nil
}

func (r *Runner) progress(s Step) {
	if r.Progress != nil {
		r.Progress(s)
	}
}

// countDrops adds what the run recorded in dropped_rows to its stats: each
// feed's records by reason, and the rows that stages after staging
// dropped, which it kept until then.
func countDrops(ctx context.Context, tx *engine.Tx, res *Result) error {
	byFeed, err := tx.DroppedByReason(ctx, res.Run.ID)
	if err != nil {
		return err
	}
	st := &res.Stats
	st.Dropped, st.DroppedRecords, st.DroppedByReason = 0, 0, nil
	for feed, d := range byFeed {
		fs := st.Feeds[feed]
		fs.DroppedByReason = d.ByReason
		fs.Kept -= d.LaterRows
		fs.Dropped += d.LaterRows
		st.Feeds[feed] = fs
		for reason, n := range d.ByReason {
			if st.DroppedByReason == nil {
				st.DroppedByReason = map[string]int64{}
			}
			st.DroppedByReason[reason] += n
			st.DroppedRecords += n
		}
	}
	for _, fs := range st.Feeds {
		st.Dropped += fs.Dropped
	}
	return nil
}

func sumKept(feeds map[string]engine.FeedStats) int64 {
	var n int64
	for _, f := range feeds {
		n += f.Kept
	}
	return n
}

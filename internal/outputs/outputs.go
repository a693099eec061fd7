// Package outputs syncs a pipeline's outputs from the committed store: for
// each output it computes the records the destination should hold, diffs
// them in DuckDB against what the output has delivered (added, changed,
// removed; unchanged records are not sent again), hands the difference to
// the output's destination connector, and advances the delivery state only
// for the records the destination acknowledged. A sync that fails or is
// killed loses nothing: the next sync computes the difference again.
//
// Every table it writes is private (_mosaic.output_*); the public views
// output_runs, output_records and output_failures show them.
package outputs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Syncer syncs outputs. Registry is required.
type Syncer struct {
	Registry *connectors.Registry
	Log      *slog.Logger
}

// Options change one sync.
type Options struct {
	// Only syncs the output of that name alone ("" for all).
	Only string
	// DryRun computes what each output would send and sends nothing; the
	// delivery state is left as it is. An output whose destination is a
	// connectors.Validator has the records checked by the destination,
	// which applies nothing (Result.Check).
	DryRun bool
	// Samples is how many pending records a dry run keeps per output.
	Samples int
	// Now is the sync's clock: deliveries are recorded at that time, and
	// refreshes (connectors.Refresher) are due by it. Zero means the wall
	// clock at each acknowledgement (tests fix it).
	Now time.Time
}

// Sync statuses.
const (
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
	StatusDryRun    = "dry_run"
)

// Result is one output's sync.
type Result struct {
	Output         string
	SyncID, RunID  int64
	Status         string
	Added, Changed int64
	Removed        int64
	// Refreshed counts the held records sent again, unchanged, because
	// their last delivery was older than the destination's RefreshAfter.
	Refreshed int64
	// Invalid counts the records in the output's set that cannot be sent
	// (no key identity, a key another profile holds, nothing to match by).
	Invalid int64
	// Failed counts the records the destination did not acknowledge.
	Failed int64
	// Holds is how many records the output holds after the sync.
	Holds int64
	// Samples are the first pending records (dry runs only).
	Samples []connectors.Record
	// Check is the destination's check of a dry run's records, for an
	// output whose destination is a connectors.Validator and which has
	// records to send (nil otherwise).
	Check *Check
	// Err says why the sync failed, without naming the output: output_runs
	// records it beside the output's name, and Error prefixes it with
	// "output NAME: ".
	Err error
}

// Check is what a destination answered a dry run's records, sent as a
// sync would send them with nothing applied.
type Check struct {
	// Checked counts the records the destination checked, Rejected those
	// it would refuse (they would be failed records of a sync).
	Checked, Rejected int64
	// Rejections are the first refused records (as many as the dry run's
	// samples), with the destination's reason.
	Rejections []Rejection
	// Err says why the check stopped (the credentials are not set, the
	// destination is down): the records after the Checked ones were not
	// checked. The dry run's counts stand.
	Err error
}

// Rejection is a record a destination would refuse.
type Rejection struct {
	Op, Key, Reason string
}

// Error is returned by Sync when outputs failed; the store's data is as
// the run committed it, and each failed output is retried at its next sync.
// Its message names each failed output once: "output NAME: " and its
// result's Err.
type Error struct {
	Failed []Result
}

func (e *Error) Error() string {
	msg := ""
	for i, r := range e.Failed {
		if i > 0 {
			msg += "; "
		}
		msg += fmt.Sprintf("output %s: %v", r.Output, r.Err)
	}
	return msg
}

// Sync syncs p's outputs (or the one opts.Only names) from the store's
// last committed run, one after the other. It returns every output's
// result, and an *Error when one failed; an error of its own (the store
// cannot be read) stops it.
func (s *Syncer) Sync(ctx context.Context, store *engine.Store, p *config.Pipeline, opts Options) ([]Result, error) {
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var runID int64
	if err := store.Conn().QueryRowContext(ctx, sqlfiles.Get("outputs/last_run.sql")).Scan(&runID); err != nil {
		return nil, fmt.Errorf("outputs: find the last run: %w", err)
	}
	var results []Result
	var failed []Result
	found := opts.Only == ""
	for i := range p.Outputs {
		o := p.Outputs[i]
		if opts.Only != "" && o.Name != opts.Only {
			continue
		}
		found = true
		o.Defaults()
		start := time.Now()
		res := s.syncOne(ctx, store, p, &o, runID, opts, log)
		results = append(results, res)
		log.Info("output synced", "output", o.Name, "status", res.Status, "added", res.Added, "changed", res.Changed,
			"removed", res.Removed, "refreshed", res.Refreshed, "invalid", res.Invalid, "failed", res.Failed, "ms", time.Since(start).Milliseconds())
		if c := res.Check; c != nil {
			log.Info("output checked by its destination", "output", o.Name, "checked", c.Checked, "rejected", c.Rejected, "err", c.Err)
		}
		if res.Err != nil {
			failed = append(failed, res)
			if errors.Is(res.Err, errStore) {
				return results, res.Err
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("no output named %q in %s%s", opts.Only, p.File, outputNames(p))
	}
	if len(failed) > 0 {
		return results, &Error{Failed: failed}
	}
	return results, nil
}

func outputNames(p *config.Pipeline) string {
	if len(p.Outputs) == 0 {
		return ": it has no outputs"
	}
	s := " (it has:"
	for _, o := range p.Outputs {
		s += " " + o.Name
	}
	return s + ")"
}

// errStore marks a failure of the store itself, which stops every sync.
var errStore = errors.New("store")

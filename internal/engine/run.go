package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Run is one row of the runs table.
type Run struct {
	ID       int64
	Pipeline string
	Started  time.Time
	Finished time.Time
	Status   string // succeeded | failed | cancelled
	Error    string
	Stats    any // marshalled to JSON
}

// Run statuses.
const (
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
)

// Owner is the pipeline a store belongs to: the one whose run last
// succeeded on it.
type Owner struct {
	Pipeline string
	Run      int64
	Finished time.Time
}

// Owner returns the pipeline the store belongs to; ok is false for a
// store no run has succeeded on, which any pipeline may take.
func (s *Store) Owner(ctx context.Context) (o Owner, ok bool, err error) {
	err = s.conn.QueryRowContext(ctx, sqlfiles.Get("engine/owner.sql")).Scan(&o.Pipeline, &o.Run, &o.Finished)
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	if err != nil {
		return o, false, fmt.Errorf("store %s: read the pipeline it belongs to: %w", s.path, err)
	}
	return o, true, nil
}

// NextRunID returns the id the next run takes.
func (t *Tx) NextRunID(ctx context.Context) (int64, error) {
	var id int64
	err := t.QueryRow(ctx, sqlfiles.Get("engine/next_run_id.sql")).Scan(&id)
	return id, err
}

// FullRefresh forgets every feed's source state, the feed rows staged
// before the run's (below row id firstRow) and everything built from staged
// rows, so that the run rebuilds from the feeds it re-read.
func (t *Tx) FullRefresh(ctx context.Context, firstRow int64) error {
	if err := t.ExecFile(ctx, "engine/full_refresh.sql.tmpl", firstRow); err != nil {
		return fmt.Errorf("full refresh: %w", err)
	}
	return nil
}

// SourceState returns a feed's committed source state (nil when none) and
// cursor watermark ("" when none).
func (t *Tx) SourceState(ctx context.Context, feed string) (json.RawMessage, string, error) {
	var state, wm string
	err := t.QueryRow(ctx, sqlfiles.Get("engine/get_source_state.sql"), feed).Scan(&state, &wm)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("feed %s: read source state: %w", feed, err)
	}
	return json.RawMessage(state), wm, nil
}

// PutSourceState stores a feed's new source state and watermark.
func (t *Tx) PutSourceState(ctx context.Context, feed string, state json.RawMessage, watermark string, runID int64) error {
	if state == nil {
		state = json.RawMessage("{}")
	}
	if _, err := t.Exec(ctx, sqlfiles.Get("engine/put_source_state.sql"), feed, string(state), watermark, runID); err != nil {
		return fmt.Errorf("feed %s: save source state: %w", feed, err)
	}
	return nil
}

// RecordRun writes the run record.
func (t *Tx) RecordRun(ctx context.Context, r Run) error {
	stats, err := json.Marshal(r.Stats)
	if err != nil {
		return err
	}
	if _, err := t.Exec(ctx, sqlfiles.Get("engine/record_run.sql"), r.ID, r.Pipeline, r.Started, r.Finished, r.Status, r.Error, string(stats)); err != nil {
		return fmt.Errorf("record run %d: %w", r.ID, err)
	}
	return nil
}

// RecordFailedRun records a run that did not commit, in a transaction of
// its own, after the run's was rolled back.
func (s *Store) RecordFailedRun(ctx context.Context, r Run) error {
	ctx = context.WithoutCancel(ctx)
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.RollbackLogged(ctx)
	if err := tx.RecordRun(ctx, r); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Drops is what a run recorded in dropped_rows for one feed.
type Drops struct {
	// ByReason counts the records by reason: one per dropped row, and one
	// per identity, value or attribute kept out of a row that is kept.
	ByReason map[string]int64
	// LaterRows counts the rows that a stage after staging dropped, among
	// the records (FeedStats counts those staging dropped).
	LaterRows int64
}

// DroppedByReason counts what a run recorded in dropped_rows, by feed.
func (t *Tx) DroppedByReason(ctx context.Context, runID int64) (map[string]Drops, error) {
	rows, err := t.s.conn.QueryContext(ctx, sqlfiles.Get("engine/dropped_by_reason.sql"), runID)
	if err != nil {
		return nil, fmt.Errorf("count dropped rows: %w", err)
	}
	defer rows.Close()
	out := map[string]Drops{}
	for rows.Next() {
		var feed, reason string
		var n, later int64
		if err := rows.Scan(&feed, &reason, &n, &later); err != nil {
			return nil, fmt.Errorf("count dropped rows: %w", err)
		}
		d := out[feed]
		if d.ByReason == nil {
			d.ByReason = map[string]int64{}
		}
		d.ByReason[reason] = n
		d.LaterRows += later
		out[feed] = d
	}
	return out, rows.Err()
}

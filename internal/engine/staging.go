package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// A run stages its feeds ahead of its transaction. DuckDB scans rows that
// an open transaction wrote on one thread, and keeps them in memory until
// the commit: at 1M generated users, a first run staged and processed in
// one transaction took 158.5 s and peaked at 10.9 GiB, against 128.3 s
// and 7.9 GiB staged this way.
//
// So a run first records a staging marker (the run and its first row id),
// then writes the feed tables, its dropped rows and its temp tables in
// statements that commit one by one (BeginStaging); then it runs every
// later stage in one transaction (Begin) that also clears the marker
// (Tx.ClearStaged) and commits. Until that commit the staged rows are
// reachable only through the store's private tables: the public views
// read what the later stages write, and dropped_rows shows recorded runs'
// rows only. A run that fails, is cancelled or is a dry run deletes what
// it staged (DropStaged); what a crash left is deleted the next time the
// store is opened for writing, or before the next run stages.

// Staged names what a run's staging committed ahead of the run: the run's
// rows in the feed tables (from FirstRow on) and its dropped rows.
type Staged struct {
	Run      int64 `json:"run"`
	FirstRow int64 `json:"first_row"`
}

// BeginStaging undoes any staging left by a run that never finished,
// records the marker for the next run and returns a Tx for its staging
// whose statements commit one by one: its Commit and Rollback only end it.
// With fullRefresh the rows of past runs do not count as ingested (the
// run's transaction deletes them: Tx.FullRefresh).
func (s *Store) BeginStaging(ctx context.Context, fullRefresh bool) (*Tx, Staged, error) {
	if err := s.dropLeftoverStaging(ctx); err != nil {
		return nil, Staged{}, err
	}
	t := s.autocommit()
	var st Staged
	var err error
	if st.Run, err = t.NextRunID(ctx); err != nil {
		return nil, st, err
	}
	if err := t.QueryRow(ctx, sqlfiles.Get("engine/max_row_id.sql")).Scan(&st.FirstRow); err != nil {
		return nil, st, fmt.Errorf("engine/max_row_id.sql: %w", err)
	}
	st.FirstRow++
	if !fullRefresh {
		t.past = st.FirstRow
	}
	mark, err := json.Marshal(st)
	if err != nil {
		return nil, st, err
	}
	if _, err := t.Exec(ctx, sqlfiles.Get("engine/staging_mark.sql"), string(mark)); err != nil {
		return nil, st, fmt.Errorf("engine/staging_mark.sql: %w", err)
	}
	return t, st, nil
}

// DropStaged deletes what a run staged ahead of its transaction, and the
// marker last, so that a crash midway leaves it to the next try. It runs
// even when ctx is cancelled.
func (s *Store) DropStaged(ctx context.Context, st Staged) error {
	if err := s.autocommit().ExecFile(context.WithoutCancel(ctx), "engine/staging_drop.sql.tmpl", st); err != nil {
		return fmt.Errorf("delete what run %d staged: %w", st.Run, err)
	}
	return nil
}

// autocommit is a Tx whose statements commit one by one.
func (s *Store) autocommit() *Tx {
	return &Tx{s: s, tables: map[string]bool{}, auto: true}
}

// ClearStaged clears the staging marker in the run's transaction: its
// commit keeps what the run staged, and the largest row id it used, which
// no later row takes (max_row_id.sql).
func (t *Tx) ClearStaged(ctx context.Context) error {
	return t.ExecFile(ctx, "engine/staging_clear.sql", nil)
}

// dropLeftoverStaging deletes what a run that never finished (the process
// was killed) staged, if anything.
func (s *Store) dropLeftoverStaging(ctx context.Context) error {
	var mark string
	err := s.conn.QueryRowContext(ctx, sqlfiles.Get("engine/staging_get.sql")).Scan(&mark)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store %s: engine/staging_get.sql: %w", s.path, err)
	}
	var st Staged
	if err := json.Unmarshal([]byte(mark), &st); err != nil {
		return fmt.Errorf("store %s: the staging marker %q does not parse: %w", s.path, mark, err)
	}
	s.log.Warn("deleting what an unfinished run staged (the process stopped before it committed)", "store", s.path, "run", st.Run)
	if err := s.DropStaged(ctx, st); err != nil {
		return fmt.Errorf("store %s: %w", s.path, err)
	}
	return nil
}

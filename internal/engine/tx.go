package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"syscall"
	"time"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Tx is a transaction on the store's single connection: a run's state,
// watermarks and run record commit in one Tx or not at all. Call order:
// Store.Begin, then any number of Exec, QueryRow and staging calls, then
// exactly one of Commit or Rollback. A run's staging Tx
// (Store.BeginStaging) has the same calls, but each statement commits on
// its own.
type Tx struct {
	s      *Store
	done   bool
	tables map[string]bool // temp tables staged into so far
	// auto: no transaction is open; each statement commits on its own.
	auto bool
	// past: feed rows below this row id are past runs' (batch/rows.sql's
	// already_ingested check); 0 when a full refresh forgets them.
	past int64
}

// Begin starts a transaction.
func (s *Store) Begin(ctx context.Context) (*Tx, error) {
	if _, err := s.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{s: s, tables: map[string]bool{}, past: math.MaxInt64}, nil
}

// Exec runs one statement and returns the rows it changed. Each statement
// is logged at debug level with its wall time and the process's CPU time
// meanwhile (DuckDB's threads are the process's: on a busy machine the CPU
// time is the steadier figure).
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	start, cpu := time.Now(), cpuTime()
	res, err := t.s.conn.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	t.s.log.Debug("sql", "rows", n, "ms", time.Since(start).Milliseconds(), "cpu_ms", (cpuTime() - cpu).Milliseconds(), "stmt", firstLine(query))
	return n, nil
}

// ExecUnordered is Exec for an INSERT ... SELECT into a table that other
// inserts of the run write too (a feed's kept rows, dropped rows), whose
// rows' order does not matter: it runs with DuckDB's
// preserve_insertion_order off. In DuckDB 1.5 an insert whose source keeps
// its order (a scan of a temp table, filtered or not) is a batch insert,
// and a batch insert that writes no row makes every later insert of a row
// group or more into the same table in the same transaction lose its rows
// (TestEmptyFeedBeforeLargeFeed); a plain insert has no such effect.
func (t *Tx) ExecUnordered(ctx context.Context, query string, args ...any) (int64, error) {
	if _, err := t.Exec(ctx, sqlfiles.Get("engine/unordered.sql")); err != nil {
		return 0, err
	}
	n, err := t.Exec(ctx, query, args...)
	if _, rerr := t.Exec(context.WithoutCancel(ctx), sqlfiles.Get("engine/ordered.sql")); err == nil {
		err = rerr
	}
	return n, err
}

// ExecFile runs every statement of the SQL file at name (a template is
// rendered with data), in order, each with args. This is the one way to
// run a file of several statements: an error names the file and the
// statement (sqlfiles.Statement.Wrap).
func (t *Tx) ExecFile(ctx context.Context, name string, data any, args ...any) error {
	stmts, err := sqlfiles.File(name, data)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := t.ExecStatement(ctx, s, args...); err != nil {
			return err
		}
	}
	return nil
}

// ExecFileUnordered is ExecFile with every statement run as ExecUnordered.
func (t *Tx) ExecFileUnordered(ctx context.Context, name string, data any, args ...any) error {
	stmts, err := sqlfiles.File(name, data)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := t.ExecUnordered(ctx, s.SQL, args...); err != nil {
			return s.Wrap(err)
		}
	}
	return nil
}

// LendMemory lowers DuckDB's memory limit to limit while Go needs the
// room: DuckDB writes what it holds beyond it (temp tables, cached blocks)
// to its spill file and frees it. The limit is the database's, so the
// store's readers (a server's APIs) run under it too meanwhile. When
// DuckDB cannot free enough, it logs and lends nothing: the run goes on
// as it would have. giveBack restores the store's limit, even once ctx
// is cancelled (a server keeps the store open for its next runs).
func (t *Tx) LendMemory(ctx context.Context, limit string) (giveBack func(context.Context) error) {
	if err := t.setMemoryLimit(ctx, limit); err != nil {
		t.s.log.Warn("could not lower DuckDB's memory limit", "store", t.s.path, "limit", limit, "err", err)
		return func(context.Context) error { return nil }
	}
	return func(ctx context.Context) error { return t.setMemoryLimit(context.WithoutCancel(ctx), t.s.memory) }
}

func (t *Tx) setMemoryLimit(ctx context.Context, limit string) error {
	set, err := sqlfiles.Render("engine/memory_limit.sql.tmpl", limit)
	if err != nil {
		return err
	}
	if _, err := t.Exec(ctx, set); err != nil {
		return fmt.Errorf("memory limit %q: %w", limit, err)
	}
	return nil
}

// ExecStatement runs one statement of a SQL file (for a caller that
// treats its statements apart, by name); an error names the statement.
func (t *Tx) ExecStatement(ctx context.Context, s sqlfiles.Statement, args ...any) (int64, error) {
	n, err := t.Exec(ctx, s.SQL, args...)
	if err != nil {
		return n, s.Wrap(err)
	}
	return n, nil
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// firstLine is a statement's first line that is not a comment, for logs.
func firstLine(q string) string {
	for _, line := range strings.Split(q, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") && !strings.HasPrefix(l, "{{") {
			return l
		}
	}
	return ""
}

// QueryRow runs a query expected to return one row.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.s.conn.QueryRowContext(ctx, query, args...)
}

// QueryContext runs a query inside the transaction (as *sql.DB's method,
// so that code reading a few rows serves both).
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.s.conn.QueryContext(ctx, query, args...)
}

// Commit commits the transaction.
func (t *Tx) Commit(ctx context.Context) error {
	if t.done {
		return errors.New("commit: transaction already ended")
	}
	t.done = true
	if t.auto {
		return nil
	}
	if _, err := t.s.conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// RollbackLogged is Rollback for a defer: a failure is logged, as the
// caller has already returned its own error or committed.
func (t *Tx) RollbackLogged(ctx context.Context) {
	if err := t.Rollback(ctx); err != nil {
		t.s.log.Warn("could not roll back", "store", t.s.path, "err", err)
	}
}

// Rollback abandons the transaction; after Commit it does nothing, so it
// can be deferred. It runs even when ctx is cancelled.
func (t *Tx) Rollback(ctx context.Context) error {
	if t.done {
		return nil
	}
	t.done = true
	if t.auto {
		return nil
	}
	if _, err := t.s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

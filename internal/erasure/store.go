package erasure

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/forget"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// errTaken is matched by errors.Is when a request's id was taken before.
var errTaken = errors.New("subject_request_id was already submitted")

// add keeps req, received at received, through db (the store's reading
// connections: DuckDB lets them append while a run's transaction is
// open on the store's own connection, so that a request is durable
// before its 201 without waiting for the run).
func add(ctx context.Context, db *sql.DB, req Request, received time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, sqlfiles.Get("erasure/exists.sql"), req.ID).Scan(&n); err != nil {
		return fmt.Errorf("erasure/exists.sql: %w", err)
	}
	if n > 0 {
		return errTaken
	}
	if _, err := tx.ExecContext(ctx, sqlfiles.Get("erasure/add_request.sql"), req.ID, req.Regulation, req.Submitted, received, req.Block); err != nil {
		return fmt.Errorf("erasure/add_request.sql: %w", err)
	}
	for i, id := range req.Identities {
		if _, err := tx.ExecContext(ctx, sqlfiles.Get("erasure/add_identity.sql"), req.ID, i, id.Sent, id.Type, id.Value); err != nil {
			return fmt.Errorf("erasure/add_identity.sql: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		// Another request with the same id may have committed first.
		if n, e := exists(ctx, db, req.ID); e == nil && n {
			return errTaken
		}
		return err
	}
	return nil
}

func exists(ctx context.Context, db *sql.DB, id string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, sqlfiles.Get("erasure/exists.sql"), id).Scan(&n)
	return n > 0, err
}

// outcome is what became of one identity of a request.
type outcome struct {
	Sent                                            string
	Outcome                                         sql.NullString
	ForgetID, Profiles, Rows, Dropped, Stats, Owing sql.NullInt64
	Message                                         sql.NullString
	Done                                            sql.NullTime
}

// state is a request as kept, with its identities' outcomes.
type state struct {
	Regulation string
	Received   time.Time
	Block      bool
	Identities []outcome
}

// status reads request id's state; ok is false when no request has it.
func status(ctx context.Context, db *sql.DB, id string) (st state, ok bool, err error) {
	rows, err := db.QueryContext(ctx, sqlfiles.Get("erasure/status.sql"), id)
	if err != nil {
		return st, false, fmt.Errorf("erasure/status.sql: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o outcome
		if err := rows.Scan(&st.Regulation, &st.Received, &st.Block, &o.Sent, &o.Outcome, &o.ForgetID, &o.Profiles,
			&o.Rows, &o.Dropped, &o.Stats, &o.Owing, &o.Message, &o.Done); err != nil {
			return st, false, fmt.Errorf("erasure/status.sql: %w", err)
		}
		st.Identities = append(st.Identities, o)
	}
	return st, len(st.Identities) > 0, rows.Err()
}

// waiting is one identity waiting to be erased.
type waiting struct {
	Request    string
	Position   int
	Type       string
	Value      string
	Regulation string
	Block      bool
}

// next returns the identity to erase next; ok is false when none waits.
func next(ctx context.Context, store *engine.Store) (w waiting, ok bool, err error) {
	err = store.Conn().QueryRowContext(ctx, sqlfiles.Get("erasure/next.sql")).Scan(&w.Request, &w.Position, &w.Type, &w.Value, &w.Regulation, &w.Block)
	if errors.Is(err, sql.ErrNoRows) {
		return w, false, nil
	}
	if err != nil {
		return w, false, fmt.Errorf("erasure/next.sql: %w", err)
	}
	return w, true, nil
}

// Outcomes of an identity.
const (
	Erased   = "erased"    // a profile held it: it went, with what named it
	Unheld   = "unheld"    // no profile held it; what named it elsewhere went
	NotFound = "not_found" // nothing named it (any more)
	Failed   = "failed"
)

// done records w's outcome in tx, dropping its value: res for what
// forget erased, msg for a failure.
func done(ctx context.Context, tx *engine.Tx, w waiting, what string, res forget.Result, msg string) error {
	var forgetID, message any
	if res.ForgetID != 0 {
		forgetID = res.ForgetID
	}
	if msg != "" {
		message = msg
	}
	n, err := tx.Exec(ctx, sqlfiles.Get("erasure/done.sql"), w.Request, w.Position, what, forgetID,
		res.Profiles, res.Rows, res.Dropped, res.Stats, res.Outputs, message, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("erasure/done.sql: %w", err)
	}
	if n != 1 {
		return fmt.Errorf("erasure/done.sql: request %s identity %d was not waiting", w.Request, w.Position)
	}
	return nil
}

// record records w's outcome in a transaction of its own.
func record(ctx context.Context, store *engine.Store, w waiting, what, msg string) error {
	tx, err := store.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := done(ctx, tx, w, what, forget.Result{}, msg); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

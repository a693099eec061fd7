// Package profiledocs keeps the Profile API's documents: each profile's
// answer as JSON text in _mosaic.profile_docs, and the identities it may
// be resolved by in _mosaic.profile_keys, so that a request reads one row
// by its key (DuckDB's index on the primary key) instead of aggregating
// four tables of the whole store.
//
// Only a pipeline that serves the Profile API keeps them (a run of one
// that does not deletes them: they would outlive what retention removes
// from the profiles they copy). A run calls Run
// as its last stage, in its transaction: it writes the documents of the
// profiles the run changed, or of every profile when they are not current
// (the first run, a run after --full-refresh or after runs that kept no
// documents, a change to the calculated attributes, the audiences or the
// resolve types). `mosaic serve` calls Ensure at start for a store whose
// last run kept none. `mosaic forget` deletes a profile's with it.
package profiledocs

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DB is what the stage needs of a run's transaction (*engine.Tx).
type DB interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	ExecStatement(ctx context.Context, s sqlfiles.Statement, args ...any) (int64, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	ScanArrow(ctx context.Context, fn func(arrow.RecordBatch) error, query string, args ...any) error
	DropTemp(ctx context.Context, table string)
}

// Stats are the stage's figures in runs.stats.
type Stats struct {
	// Written counts the documents written; All tells that every
	// profile's was.
	Written int64 `json:"written"`
	All     bool  `json:"all,omitempty"`
	// Changed lists, when not All, the MPIDs whose document the run
	// wrote or deleted: a server keeps its copies of the others'.
	Changed []int64 `json:"-"`
}

// Enabled reports whether p keeps the documents: it serves the Profile API.
func Enabled(p *config.Pipeline) bool { return p.Serve.ProfileAPI.ClientIDEnv != "" }

// DeviceTypes are the identity types of devices; the others are users'.
var DeviceTypes = config.IdentityTypes[slices.Index(config.IdentityTypes, "ios_idfa"):]

// state is meta's 'profile_docs': the run the documents are current as of,
// and a digest of the definitions they were written for.
type state struct {
	Run         int64  `json:"run"`
	Definitions string `json:"definitions"`
}

// definitions digests what a document depends on beside the data: the
// calculated attributes, the audiences, the resolve types, and this
// package's version of the document.
func definitions(p *config.Pipeline) string {
	b, _ := json.Marshal([]any{2, p.CalculatedAttributes, p.Audiences, p.Serve.ProfileAPI.ResolveTypes()})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// current reads whether the documents are current as of the last run that
// committed (the one before this run, inside a run).
func current(ctx context.Context, db DB, p *config.Pipeline) (bool, int64, error) {
	var raw sql.NullString
	var last int64
	if err := db.QueryRow(ctx, sqlfiles.Get("profiledocs/state.sql")).Scan(&raw, &last); err != nil {
		return false, 0, fmt.Errorf("profile documents: %w", err)
	}
	var st state
	if raw.Valid && json.Unmarshal([]byte(raw.String), &st) == nil {
		return st.Run == last && st.Definitions == definitions(p), last, nil
	}
	return false, last, nil
}

// Run is the stage: it writes the documents run runID (at its clock now)
// changed, or every document when they are not current.
func Run(ctx context.Context, db DB, p *config.Pipeline, runID int64, now time.Time) (Stats, error) {
	if !Enabled(p) {
		return Stats{}, drop(ctx, db)
	}
	ok, _, err := current(ctx, db, p)
	if err != nil {
		return Stats{}, err
	}
	return write(ctx, db, p, runID, !ok, now)
}

// drop deletes the documents, their keys and their state.
func drop(ctx context.Context, db DB) error {
	stmts, err := sqlfiles.File("profiledocs/drop.sql", nil)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := db.ExecStatement(ctx, s); err != nil {
			return fmt.Errorf("profile documents: dropping them: %w", err)
		}
	}
	return nil
}

// write writes the documents and keys of the run's changed profiles (or
// of all), and records them as current as of run.
func write(ctx context.Context, db DB, p *config.Pipeline, run int64, all bool, now time.Time) (Stats, error) {
	defer db.DropTemp(ctx, "_docs_dirty")
	defer db.DropTemp(ctx, "_docs_gone")
	defer db.DropTemp(ctx, "_docs_keys")
	st := Stats{All: all}
	var err error
	if all {
		_, err = db.Exec(ctx, sqlfiles.Get("profiledocs/dirty_all.sql"))
	} else {
		_, err = db.Exec(ctx, sqlfiles.Get("profiledocs/dirty.sql"), run, now)
	}
	if err != nil {
		return st, fmt.Errorf("profile documents: the changed profiles: %w", err)
	}
	stmts, err := sqlfiles.File("profiledocs/docs.sql", nil)
	if err != nil {
		return st, err
	}
	for _, s := range stmts {
		var args []any
		switch s.Name {
		case "write":
			args = []any{DeviceTypes}
		case "key_ids":
			args = []any{p.Serve.ProfileAPI.ResolveTypes()}
		}
		n, err := db.ExecStatement(ctx, s, args...)
		if err != nil {
			return st, fmt.Errorf("profile documents: %w", err)
		}
		if s.Name == "write" {
			st.Written = n
		}
	}
	if !all {
		st.Changed = []int64{}
		err := db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
			st.Changed = append(st.Changed, rec.Column(0).(*array.Int64).Int64Values()...)
			return nil
		}, sqlfiles.Get("profiledocs/changed.sql"))
		if err != nil {
			return st, fmt.Errorf("profile documents: the changed profiles: %w", err)
		}
	}
	b, _ := json.Marshal(state{Run: run, Definitions: definitions(p)})
	if _, err := db.Exec(ctx, sqlfiles.Get("profiledocs/put_state.sql"), string(b)); err != nil {
		return st, fmt.Errorf("profile documents: %w", err)
	}
	return st, nil
}

// Ensure makes the documents of the store current, in a transaction of
// its own, when p keeps them and the last run did not (a server started
// on a store its runs kept no documents in). It returns whether it wrote.
func Ensure(ctx context.Context, store *engine.Store, p *config.Pipeline) (bool, error) {
	if !Enabled(p) {
		return false, nil
	}
	tx, err := store.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.RollbackLogged(ctx)
	ok, last, err := current(ctx, tx, p)
	if err != nil || ok {
		return false, err
	}
	if _, err := write(ctx, tx, p, last, true, time.Now()); err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}

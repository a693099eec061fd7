package audience

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DB is what Run needs of the run's transaction (engine.Tx).
type DB interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// Stats is one audience's change in a run.
type Stats struct {
	Size    int64 `json:"size"`
	Entered int64 `json:"entered"`
	Exited  int64 `json:"exited"`
}

// Result is the audience stage's outcome: each audience's stats, and the
// members that left audiences the pipeline file no longer has.
type Result struct {
	Audiences map[string]Stats
	// Removed maps an audience that is no longer in the pipeline file to
	// how many members it had; they all exited in this run.
	Removed map[string]int64
}

// Run recomputes every audience's membership as of now, the run's clock,
// in dependency order, recording entries (a new audience_history row,
// run_id runID) and exits (exited_at set) in the run's transaction.
//
// Members of an audience that is no longer in the pipeline file exit too:
// audience_members then holds only what the file defines, and the history
// keeps the record. A profile merged away leaves its audiences (its MPID is
// no longer a profile); the survivor is evaluated like any profile.
func Run(ctx context.Context, db DB, p *config.Pipeline, runID int64, now time.Time) (Result, error) {
	res := Result{Audiences: map[string]Stats{}, Removed: map[string]int64{}}
	names := make([]string, 0, len(p.Audiences))
	for _, a := range p.Audiences {
		names = append(names, a.Name)
	}
	if err := removed(ctx, db, names, now, res.Removed); err != nil {
		return res, err
	}
	qs, err := Compile(p)
	if err != nil {
		return res, err
	}
	for _, q := range qs {
		st, err := evaluate(ctx, db, q, runID, now)
		if err != nil {
			return res, fmt.Errorf("audience %s: %w", q.Name, err)
		}
		res.Audiences[q.Name] = st
	}
	if _, err := db.Exec(ctx, sqlfiles.Get("audiences/drop.sql")); err != nil {
		return res, fmt.Errorf("audiences: %w", err)
	}
	return res, nil
}

func evaluate(ctx context.Context, db DB, q Query, runID int64, now time.Time) (Stats, error) {
	var st Stats
	members, err := sqlfiles.Render("audiences/members.sql.tmpl", map[string]string{"Query": q.SQL})
	if err != nil {
		return st, err
	}
	if _, err := db.Exec(ctx, members, sql.Named("now", now)); err != nil {
		return st, fmt.Errorf("evaluate: %w", err)
	}
	if err := db.QueryRow(ctx, sqlfiles.Get("audiences/size.sql")).Scan(&st.Size); err != nil {
		return st, fmt.Errorf("count members: %w", err)
	}
	if st.Exited, err = db.Exec(ctx, sqlfiles.Get("audiences/exit.sql"), q.Name, now); err != nil {
		return st, fmt.Errorf("record exits: %w", err)
	}
	if st.Entered, err = db.Exec(ctx, sqlfiles.Get("audiences/enter.sql"), q.Name, now, runID); err != nil {
		return st, fmt.Errorf("record entries: %w", err)
	}
	return st, nil
}

// removed closes the memberships of audiences not in names, counting them
// per audience into out.
func removed(ctx context.Context, db DB, names []string, now time.Time, out map[string]int64) error {
	var text string
	if err := db.QueryRow(ctx, sqlfiles.Get("audiences/removed.sql"), names).Scan(&text); err != nil {
		return fmt.Errorf("audiences: find removed audiences: %w", err)
	}
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return fmt.Errorf("audiences: find removed audiences: %w", err)
	}
	if len(out) == 0 {
		return nil
	}
	if _, err := db.Exec(ctx, sqlfiles.Get("audiences/exit_removed.sql"), names, now); err != nil {
		return fmt.Errorf("audiences: close removed audiences: %w", err)
	}
	return nil
}

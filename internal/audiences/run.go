package audiences

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
	ExecFile(ctx context.Context, name string, data any, args ...any) error
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
// in dependency order (the audiences of a dependency level together, see
// Level), recording entries (a new audience_history row,
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
	levels, err := Compile(p)
	if err != nil {
		return res, err
	}
	ids, err := register(ctx, db, names)
	if err != nil {
		return res, err
	}
	for _, level := range levels {
		if err := evaluate(ctx, db, level, ids, runID, now, res.Audiences); err != nil {
			return res, err
		}
	}
	if err := db.ExecFile(ctx, "audiences/drop.sql", nil); err != nil {
		return res, fmt.Errorf("audiences: %w", err)
	}
	return res, nil
}

// register numbers the audiences (names) the store does not know yet and
// returns every audience's number (_mosaic.audiences).
func register(ctx context.Context, db DB, names []string) (map[string]int32, error) {
	if _, err := db.Exec(ctx, sqlfiles.Get("audiences/register.sql"), names); err != nil {
		return nil, fmt.Errorf("audiences: number new audiences: %w", err)
	}
	ids := map[string]int32{}
	if err := queryJSON(ctx, db, &ids, sqlfiles.Get("audiences/ids.sql"), names); err != nil {
		return nil, fmt.Errorf("audiences: read their numbers: %w", err)
	}
	return ids, nil
}

// evaluate computes the members of one level's audiences (its leaves, then
// its members) and records their entries and exits under their numbers
// (ids), adding each audience's stats to out. On the level's first
// evaluation (none of its audiences has members) Level.First does it all.
func evaluate(ctx context.Context, db DB, level Level, ids map[string]int32, runID int64, now time.Time, out map[string]Stats) error {
	names := make([]string, len(level.Audiences))
	nums := make([]int32, len(level.Audiences))
	for i, a := range level.Audiences {
		names[i] = a.Name
		nums[i] = ids[a.Name]
		out[a.Name] = Stats{}
	}
	var has bool
	if err := db.QueryRow(ctx, sqlfiles.Get("audiences/has_members.sql"), nums).Scan(&has); err != nil {
		return fmt.Errorf("audiences %v: look for current members: %w", names, err)
	}
	if !has {
		// First evaluation: every member enters, in one statement.
		if _, err := db.Exec(ctx, level.First, sql.Named("now", now), sql.Named("run", runID), sql.Named("ids", nums)); err != nil {
			return fmt.Errorf("audiences %v: evaluate their criteria and record the members: %w", names, err)
		}
		_, err := levelStats(ctx, db, names, out, sqlfiles.Get("audiences/first_stats.sql"), names, nums)
		return err
	}
	if _, err := db.Exec(ctx, level.Leaves, sql.Named("now", now)); err != nil {
		return fmt.Errorf("audiences %v: evaluate their criteria: %w", names, err)
	}
	if _, err := db.Exec(ctx, level.Members); err != nil {
		return fmt.Errorf("audiences %v: select their members: %w", names, err)
	}
	if _, err := db.Exec(ctx, sqlfiles.Get("audiences/delta.sql"), nums); err != nil {
		return fmt.Errorf("audiences %v: compare with the current members: %w", names, err)
	}
	stats, err := levelStats(ctx, db, names, out, sqlfiles.Get("audiences/level_stats.sql"), names)
	if err != nil {
		return err
	}
	var entered, exited int64
	for _, st := range stats {
		entered += st.Entered
		exited += st.Exited
	}
	// No statement without rows to change: enter.sql reads a temp table,
	// so DuckDB 1.5 runs it as a batch insert, and one of zero rows makes a
	// later large insert into the same table in the same transaction lose
	// its rows (README, DuckDB note).
	if exited > 0 {
		if _, err := db.Exec(ctx, sqlfiles.Get("audiences/exit.sql"), now, nums); err != nil {
			return fmt.Errorf("audiences %v: record exits: %w", names, err)
		}
	}
	if entered > 0 {
		if _, err := db.Exec(ctx, sqlfiles.Get("audiences/enter.sql"), now, runID, nums); err != nil {
			return fmt.Errorf("audiences %v: record entries: %w", names, err)
		}
	}
	return nil
}

// levelStats runs query (with args), which returns the stats of the level
// of audiences names as one JSON object, and stores them into out.
func levelStats(ctx context.Context, db DB, names []string, out map[string]Stats, query string, args ...any) (map[string]Stats, error) {
	stats := map[string]Stats{}
	if err := queryJSON(ctx, db, &stats, query, args...); err != nil {
		return nil, fmt.Errorf("audiences %v: count members: %w", names, err)
	}
	for name, st := range stats {
		out[name] = st
	}
	return stats, nil
}

// queryJSON runs query (with args), which returns one JSON text, into v.
func queryJSON(ctx context.Context, db DB, v any, query string, args ...any) error {
	var text string
	if err := db.QueryRow(ctx, query, args...).Scan(&text); err != nil {
		return err
	}
	return json.Unmarshal([]byte(text), v)
}

// removed closes the memberships of audiences not in names, counting them
// per audience into out.
func removed(ctx context.Context, db DB, names []string, now time.Time, out map[string]int64) error {
	if err := queryJSON(ctx, db, &out, sqlfiles.Get("audiences/removed.sql"), names); err != nil {
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

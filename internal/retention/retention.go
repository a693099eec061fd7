// Package retention deletes what a pipeline's `retention:` no longer keeps,
// at the end of a run (after calculated attributes, which already read
// events only from the retention cutoff on):
//
//   - retention.events: events of the UTC days before
//     config.Retention.EventsCutoff, whole days at a time (see
//     sql/migrations/0002_event_days.sql for how days are laid out), and
//     their staged copies;
//   - retention.profiles: profiles whose last_seen_at is older than
//     config.Retention.ProfilesCutoff, with their identities, attributes,
//     audience memberships and history, events, aliases, the rows staged
//     for them and the record of which feed rows were theirs. The run's stats count them and list the
//     first MaxListed MPIDs;
//   - the shorter of the two windows (either when only one is set): the
//     dropped rows of the runs that started (runs.started_at) before the
//     run's clock less it, raw input that may hold events and profile data
//     alike, and those runs' stats lists that name people
//     (profiles.shared, profiles.largest), their counts kept
//     (sql/retention/dropped.sql).
package retention

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DB is what the stage needs of the run's transaction (engine.Tx). Call
// order: Exec and QueryRow, then DropTemp for each temp table.
type DB interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	ExecStatement(ctx context.Context, s sqlfiles.Statement, args ...any) (int64, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	DropTemp(ctx context.Context, table string)
}

// MaxListed bounds how many deleted profiles a run's stats list.
const MaxListed = 1000

// Stats is what retention deleted in a run.
type Stats struct {
	// EventsBefore is the first day whose events are kept ("" without
	// retention.events); EventsDeleted counts the events of earlier days.
	EventsBefore  string `json:"events_before,omitempty"`
	EventsDeleted int64  `json:"events_deleted"`
	// ProfilesDeleted counts profiles not seen since ProfilesUnseenSince;
	// Deleted lists the first MaxListed of their MPIDs, in order.
	ProfilesUnseenSince string  `json:"profiles_unseen_since,omitempty"`
	ProfilesDeleted     int64   `json:"profiles_deleted"`
	Deleted             []int64 `json:"deleted_mpids,omitempty"`
	// DroppedRowsDeleted counts the dropped rows deleted, those of the
	// runs that started before DroppedRunsBefore ("" without retention);
	// RunStatsCleared the runs among them whose stats lost their lists
	// that name people.
	DroppedRunsBefore  string `json:"dropped_runs_before,omitempty"`
	DroppedRowsDeleted int64  `json:"dropped_rows_deleted"`
	RunStatsCleared    int64  `json:"run_stats_cleared"`
}

// Run applies p's retention in a run at now.
func Run(ctx context.Context, db DB, r config.Retention, now time.Time) (Stats, error) {
	var st Stats
	if cut := r.ProfilesCutoff(now); !cut.IsZero() {
		for _, t := range []string{"_ret_gone", "_ret_ids", "_ret_rows", "_ret_values", "_ret_dict"} {
			defer db.DropTemp(ctx, t)
		}
		st.ProfilesUnseenSince = cut.Format(time.RFC3339)
		stmts, err := sqlfiles.File("retention/profiles.sql", nil)
		if err != nil {
			return st, err
		}
		for _, s := range stmts {
			var args []any
			if s.Name == "gone" {
				args = []any{cut}
			}
			if _, err := db.ExecStatement(ctx, s, args...); err != nil {
				return st, fmt.Errorf("retention: %w", err)
			}
			if s.Name == "ids" { // _ret_gone and _ret_ids are known: count them before the deletes
				var list string
				if err := db.QueryRow(ctx, sqlfiles.Get("retention/gone.sql"), MaxListed).Scan(&st.ProfilesDeleted, &list); err != nil {
					return st, fmt.Errorf("retention: profiles: %w", err)
				}
				if err := json.Unmarshal([]byte(list), &st.Deleted); err != nil {
					return st, fmt.Errorf("retention: profiles: %w", err)
				}
				if st.ProfilesDeleted == 0 {
					// Nothing to delete: the deletes' joins would still
					// build on store-sized tables (looking up the rows'
					// dictionary entries took 0.84 s of a 1M-user first
					// run that deleted nothing, before they were probed
					// from the rows' side).
					break
				}
			}
		}
	}
	if cut := r.EventsCutoff(now); !cut.IsZero() {
		st.EventsBefore = cut.Format(time.DateOnly)
		n, err := db.Exec(ctx, sqlfiles.Get("retention/events.sql"), cut.Format(time.DateOnly))
		if err != nil {
			return st, fmt.Errorf("retention: events: %w", err)
		}
		st.EventsDeleted = n
		// Their staged copies go with them: a day whose events were
		// deleted before has none left, so a run that deletes no event
		// skips the scan of every staged event's time.
		if n > 0 {
			if _, err := db.Exec(ctx, sqlfiles.Get("retention/staged_events.sql"), cut.Format(time.DateOnly)); err != nil {
				return st, fmt.Errorf("retention: retention/staged_events.sql: %w", err)
			}
		}
	}
	if err := dropped(ctx, db, r, now, &st); err != nil {
		return st, err
	}
	return st, nil
}

// dropped deletes what the runs older than the shorter window recorded of
// the rows they read (sql/retention/dropped.sql), counted into st.
func dropped(ctx context.Context, db DB, r config.Retention, now time.Time, st *Stats) error {
	window := r.Events
	if window == 0 || (r.Profiles != 0 && r.Profiles < window) {
		window = r.Profiles
	}
	if window == 0 {
		return nil
	}
	cut := now.UTC().Add(-time.Duration(window))
	st.DroppedRunsBefore = cut.Format(time.RFC3339)
	stmts, err := sqlfiles.File("retention/dropped.sql", nil)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		n, err := db.ExecStatement(ctx, s, cut)
		if err != nil {
			return fmt.Errorf("retention: dropped rows: %w", err)
		}
		switch s.Name {
		case "rows":
			st.DroppedRowsDeleted = n
		case "stats":
			st.RunStatsCleared = n
		}
	}
	return nil
}

// Package attributes merges user attributes into profiles (DESIGN.md §6):
// last write wins within the owning source type, and a key set by a
// higher-priority source type cannot be set by a lower one. All of it runs
// as SQL in sql/attributes/, after the identity stage.
//
// Order: the run's merges first (a profile merged away brings its
// attributes to the survivor), then the run's writes, on the profiles as
// they are after the run. Writes are sets: a NULL cell sets nothing.
// Deletions (deleted_user_attributes) arrive with batch JSON feeds.
package attributes

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DB is what the stage needs of the run's transaction (engine.Tx).
type DB interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	DropTemp(ctx context.Context, table string)
}

// Stats counts what the stage did in a run.
type Stats struct {
	Written int64 `json:"attribute_writes"`
	Ignored int64 `json:"attribute_writes_ignored"`
}

// Run merges run runID's attribute writes into the profiles.
func Run(ctx context.Context, db DB, p *config.Pipeline, runID int64) (Stats, error) {
	defer db.DropTemp(ctx, "_attr_writes")
	defer db.DropTemp(ctx, "_attr_result")
	var feedTypes []string
	for _, f := range p.Feeds {
		feedTypes = append(feedTypes, f.SourceType)
	}
	order := p.SourceOrder()
	if _, err := db.Exec(ctx, sqlfiles.Get("attributes/writes.sql"), runID, feedTypes); err != nil {
		return Stats{}, fmt.Errorf("attributes: writes: %w", err)
	}
	if _, err := db.Exec(ctx, sqlfiles.Get("attributes/merge.sql"), order); err != nil {
		return Stats{}, fmt.Errorf("attributes: merge: %w", err)
	}
	var st Stats
	if err := db.QueryRow(ctx, sqlfiles.Get("attributes/counts.sql"), order).Scan(&st.Written, &st.Ignored); err != nil {
		return st, fmt.Errorf("attributes: count: %w", err)
	}
	for _, q := range sqlfiles.Statements(sqlfiles.Get("attributes/apply.sql")) {
		if _, err := db.Exec(ctx, q); err != nil {
			return st, fmt.Errorf("attributes: apply: %w", err)
		}
	}
	return st, nil
}

// Package events stores a run's events with their profiles (docs/design.md,
// `events`): after identity resolution, each staged event takes its row's
// profile; only_read rows' events keep mpid NULL; when profiles merge,
// their events follow the survivor.
package events

import (
	"context"
	"fmt"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DB is what the stage needs of the run's transaction (engine.Tx).
type DB interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
}

// Run stores run runID's events and returns how many.
func Run(ctx context.Context, db DB, p *config.Pipeline, runID int64) (int64, error) {
	onlyRead, names := []int32{}, make([]string, len(p.Feeds))
	for i, f := range p.Feeds {
		names[i] = f.Name
		if f.Protection == config.OnlyRead {
			onlyRead = append(onlyRead, int32(i))
		}
	}
	n, err := db.Exec(ctx, sqlfiles.Get("events/store.sql"), runID, onlyRead, names)
	if err != nil {
		return 0, fmt.Errorf("events: store: %w", err)
	}
	if _, err := db.Exec(ctx, sqlfiles.Get("events/follow_merges.sql"), runID); err != nil {
		return n, fmt.Errorf("events: follow merges: %w", err)
	}
	return n, nil
}

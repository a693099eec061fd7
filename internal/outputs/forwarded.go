package outputs

import (
	"context"
	"database/sql"
	"errors"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// MarkForwarded runs in a full refresh's transaction, before the refresh
// deletes the rows staged before its own (from row id firstRow on). The
// refresh stores every feed's history again as its run's rows; each events
// output keeps a mark on those it forwarded before (up to its position),
// and forwards only the others: the batches it had not reached, and the
// new ones. An output that never finished a sync has no position: it
// starts with the run it first syncs after, this one, as a new output
// does, but for the batches a sync of it delivered.
func MarkForwarded(ctx context.Context, tx *engine.Tx, p *config.Pipeline, firstRow int64) error {
	for _, o := range p.Outputs {
		if o.Send != config.SendEvents {
			continue
		}
		var pos sql.NullInt64
		if err := tx.QueryRow(ctx, sqlfiles.Get("outputs/position.sql"), o.Name).Scan(&pos); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return storeErr("outputs/position.sql", err)
		}
		// Without a position (no sync finished), only what a sync
		// delivered counts as forwarded.
		if err := tx.ExecFile(ctx, "outputs/refresh_forwarded.sql", nil, firstRow, o.Name, pos.Int64); err != nil {
			return storeErr("outputs/refresh_forwarded.sql", err)
		}
	}
	return nil
}

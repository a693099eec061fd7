package identity

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Updated counts the profiles of st's run that existed before it and
// whose updated_at the run moved (the package comment's profile times):
// this stage moves it for an identity added or a profile merged in, the
// attribute stage after it for a value changed, so call it once, after
// attributes.Run, in the run's transaction. Profiles a row matched but
// did not change (Stats.Matched) are not counted. It drops the table Run
// left for it (a run that fails before rolls it back).
func Updated(ctx context.Context, db DB, st Stats) (int64, error) {
	defer db.DropTemp(ctx, "_id_before") // if Run got to write it
	if st.Matched == 0 {
		return 0, nil // Run wrote no profile that existed before
	}
	var n int64
	err := db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		if v := ints(rec, 0); len(v) > 0 {
			n = v[0]
		}
		return nil
	}, sqlfiles.Get("identity/updated.sql"))
	if err != nil {
		return 0, fmt.Errorf("identity: count updated profiles: %w", err)
	}
	return n, nil
}

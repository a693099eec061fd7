package forget

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DB is what DropBlocked needs of a run's transaction (engine.Tx).
type DB interface {
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	ExecFile(ctx context.Context, name string, data any, args ...any) error
	ExecFileUnordered(ctx context.Context, name string, data any, args ...any) error
}

// DropBlocked drops run runID's staged rows that carry a blocked identity
// or MPID (a forgotten one), recording each in dropped_rows as
// forgotten_identity without the identity, and strips the run's dropped
// rows that name one as forget finds it (staging dropped them first;
// sql/forget/spelled.sql, with pipeline p's fields as IdentityFields and
// MPIDFields) down to their reason and place. It does nothing while no
// identity is blocked.
func DropBlocked(ctx context.Context, db DB, p *config.Pipeline, runID int64) error {
	var n int64
	if err := db.QueryRow(ctx, sqlfiles.Get("forget/any_blocked.sql")).Scan(&n); err != nil {
		return fmt.Errorf("forget/any_blocked.sql: %w", err)
	}
	if n == 0 {
		return nil
	}
	// dropped_rows is written again by later stages: an insert of its own
	// runs unordered (docs/duckdb-notes.md).
	if err := db.ExecFileUnordered(ctx, "forget/blocked_rows.sql", nil, runID); err != nil {
		return err
	}
	if err := db.ExecFile(ctx, "forget/drop_blocked.sql", nil); err != nil {
		return err
	}
	if err := db.ExecFile(ctx, "forget/spelled.sql", nil); err != nil {
		return err
	}
	return db.ExecFile(ctx, "forget/redact_blocked.sql", nil, runID, config.IdentityTypes, fieldsArg(IdentityFields(p)), fieldsArg(MPIDFields(p)))
}

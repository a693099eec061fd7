package profiledocs

import (
	"context"
	"fmt"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Verify checks that the documents and keys the runs kept in the store
// equal a rebuild of them all, made in a transaction it rolls back: the
// runs' choice of changed profiles missed none. The golden cases call it
// after every run.
func Verify(ctx context.Context, store *engine.Store, p *config.Pipeline) error {
	tx, err := store.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.RollbackLogged(ctx)
	defer tx.DropTemp(ctx, "_docs_kept")
	defer tx.DropTemp(ctx, "_keys_kept")
	stmts, err := sqlfiles.File("profiledocs/verify.sql", nil)
	if err != nil {
		return err
	}
	differ := stmts[len(stmts)-1]
	for _, s := range stmts[:len(stmts)-1] {
		if _, err := tx.ExecStatement(ctx, s); err != nil {
			return err
		}
	}
	var last int64
	if _, last, err = current(ctx, tx, p); err != nil {
		return err
	}
	if _, err := write(ctx, tx, p, last, true, time.Time{}); err != nil {
		return err
	}
	var n int64
	var sample string
	if err := tx.QueryRow(ctx, differ.SQL).Scan(&n, &sample); err != nil {
		return differ.Wrap(err)
	}
	if n > 0 {
		return fmt.Errorf("profile documents: %d differ from a rebuild: %s", n, sample)
	}
	return nil
}

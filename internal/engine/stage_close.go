package engine

import (
	"context"
	"errors"
	"fmt"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// A feed's staging makes temp tables on the store's connection: the stage
// itself, Temp's tables, and tables a source's query makes as a side
// effect (DuckDB's read_csv keeps a file's malformed lines, raw, in its
// rejects tables). A store held open by `mosaic serve` would keep them,
// and the raw lines in them, for the life of the process: Close drops them
// all, whether the read and Finish succeeded or not.

// track runs a source's statement and adds the temp tables it made to
// those Close drops. The tables are listed even when ctx was cancelled
// meanwhile, and the statement's error is the one returned.
func (f *FeedStage) track(ctx context.Context, run func() error) error {
	before, err := f.tx.tempTables(ctx)
	if err != nil {
		return err
	}
	runErr := run()
	after, err := f.tx.tempTables(context.WithoutCancel(ctx))
	if err != nil {
		return errors.Join(runErr, err)
	}
	for name := range after {
		if !before[name] && name != f.table {
			f.temps = append(f.temps, name)
		}
	}
	return runErr
}

// Close drops what the feed's staging left on the connection; Finish
// calls it, and calling it again does nothing. It runs even when ctx is
// cancelled (a drop failing is logged: dropTemp).
func (f *FeedStage) Close(ctx context.Context) {
	for _, t := range f.temps {
		f.tx.dropTemp(ctx, t)
	}
	f.temps = nil
	if f.chunks > 0 {
		f.tx.dropTemp(ctx, "_bearlier")
		f.chunks = 0
	}
	if f.tx.tables[f.table] {
		f.tx.dropTemp(ctx, f.table)
	}
}

// tempTables names the connection's temp tables.
func (t *Tx) tempTables(ctx context.Context) (map[string]bool, error) {
	rows, err := t.s.conn.QueryContext(ctx, sqlfiles.Get("engine/temp_tables.sql"))
	if err != nil {
		return nil, fmt.Errorf("engine/temp_tables.sql: %w", err)
	}
	defer rows.Close()
	names := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("engine/temp_tables.sql: %w", err)
		}
		names[name] = true
	}
	return names, rows.Err()
}

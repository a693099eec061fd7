package engine

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"
)

// ErrWriteRefused is matched by errors.Is when a read-only query would
// change something.
var ErrWriteRefused = errors.New("read-only: statement refused")

var readStatements = map[duckdb.StmtType]bool{
	duckdb.STATEMENT_TYPE_SELECT:  true,
	duckdb.STATEMENT_TYPE_EXPLAIN: true,
	duckdb.STATEMENT_TYPE_PRAGMA:  true,
	duckdb.STATEMENT_TYPE_CALL:    true,
}

// CheckReadOnly prepares query and refuses anything but one reading
// statement (SELECT, EXPLAIN, PRAGMA, CALL). The store is also opened
// read-only, so this is the friendly message, not the only guard.
func (s *Store) CheckReadOnly(ctx context.Context, query string) error {
	return s.conn.Raw(func(dc any) error {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errors.New("driver cannot prepare")
		}
		st, err := prep.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		defer st.Close()
		ds, ok := st.(*duckdb.Stmt)
		if !ok {
			return errors.New("not a DuckDB statement")
		}
		t, err := ds.StatementType()
		if err != nil {
			return err
		}
		if !readStatements[t] {
			return fmt.Errorf("%w: only reading statements run here (SELECT, EXPLAIN, PRAGMA, CALL); the store changes only through `mosaic run`", ErrWriteRefused)
		}
		return nil
	})
}

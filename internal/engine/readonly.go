package engine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/duckdb/duckdb-go/v2"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
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
//
// A write to a view (`DELETE FROM runs`) fails to prepare, with a binder
// or catalog error, before its type is known; such a query is refused
// with the same message when DuckDB's parser alone takes it for a
// statement other than a SELECT and it does not start with a reading
// keyword.
func (s *Store) CheckReadOnly(ctx context.Context, query string) error {
	return CheckReadOnly(ctx, s.conn, query)
}

// CheckReadOnly is Store.CheckReadOnly on any connection to a store (a
// reader of `mosaic serve`'s).
func CheckReadOnly(ctx context.Context, conn *sql.Conn, query string) error {
	err := checkReadOnly(conn, query)
	if err == nil || errors.Is(err, ErrWriteRefused) {
		return err
	}
	var kind sql.NullString
	if qerr := conn.QueryRowContext(ctx, sqlfiles.Get("engine/parse_kind.sql"), query).Scan(&kind); qerr != nil {
		return err // the query's own error says more than this one
	}
	if kind.String == "not implemented" && !readKeywords[firstKeyword(query)] {
		return writeRefused()
	}
	return err
}

// readKeywords start the reading statements that are not SELECTs.
var readKeywords = map[string]bool{"EXPLAIN": true, "PRAGMA": true, "CALL": true, "DESCRIBE": true, "SHOW": true, "SUMMARIZE": true}

// firstKeyword is query's first word, upper-cased, past blanks, comments
// and opening parentheses.
func firstKeyword(query string) string {
	q := query
	for {
		q = strings.TrimLeft(q, " \t\r\n(")
		switch {
		case strings.HasPrefix(q, "--"):
			_, q, _ = strings.Cut(q, "\n")
		case strings.HasPrefix(q, "/*"):
			_, q, _ = strings.Cut(q, "*/")
		default:
			end := strings.IndexFunc(q, func(r rune) bool { return !unicode.IsLetter(r) })
			if end < 0 {
				end = len(q)
			}
			return strings.ToUpper(q[:end])
		}
	}
}

func writeRefused() error {
	return fmt.Errorf("%w: only reading statements run here (SELECT, EXPLAIN, PRAGMA, CALL); the store changes only through `mosaic run`", ErrWriteRefused)
}

func checkReadOnly(conn *sql.Conn, query string) error {
	return conn.Raw(func(dc any) error {
		// Prepare, not PrepareContext: duckdb-go's PrepareContext runs
		// every statement of a query but the last while preparing it, so
		// "DELETE ...; SELECT 1" would delete before its check. Prepare
		// runs nothing and takes one statement only.
		prep, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("driver cannot prepare")
		}
		st, err := prep.Prepare(query)
		if err != nil {
			if strings.Contains(err.Error(), "multi-statement query") {
				return fmt.Errorf("%w: send one statement at a time (a WITH clause instead of a temporary table)", ErrWriteRefused)
			}
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
			return writeRefused()
		}
		return nil
	})
}

package engine

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DuckDBVersion returns the version of the DuckDB library linked in and
// the source id it was built from, as an in-memory database reports them.
func DuckDBVersion(ctx context.Context) (version, sourceID string, err error) {
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return "", "", fmt.Errorf("open an in-memory DuckDB: %w", err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	if err := db.QueryRowContext(ctx, sqlfiles.Get("engine/duckdb_version.sql")).Scan(&version, &sourceID); err != nil {
		return "", "", fmt.Errorf("read DuckDB's version: %w", err)
	}
	return version, sourceID, nil
}

//go:build !duckdb_arrow

package engine

// mosaic stages data into DuckDB through Apache Arrow, which duckdb-go only
// compiles with the build tag duckdb_arrow. Build and test with
// `go build -tags duckdb_arrow ./...` and `go test -tags duckdb_arrow ./...`.
var _ = build_with_tag_duckdb_arrow

package engine

import (
	"fmt"
	"strings"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// column is a staged column and its DuckDB type; its methods render the SQL
// that reads it as text, as JSON or as a timestamp, whatever the source's
// type (VARCHAR from CSV, JSON from NDJSON, typed from Parquet or Arrow).
type column struct {
	Name string
	Type string
}

func (c column) ident() string { return sqlfiles.Ident(c.Name) }

// Text reads the column as text (JSON strings unquoted).
func (c column) Text() string {
	if c.Type == "JSON" {
		return c.ident() + "->>'$'"
	}
	return "CAST(" + c.ident() + " AS VARCHAR)"
}

// JSON reads the column as a JSON value, keeping its type.
func (c column) JSON() string {
	if c.Type == "JSON" {
		return fmt.Sprintf("CASE WHEN json_type(%s) = 'NULL' THEN NULL ELSE %s END", c.ident(), c.ident())
	}
	return "to_json(" + c.ident() + ")"
}

// List reads the column as a list of text: a native list, a JSON list, or
// text holding a JSON list. NULL when it is none of those.
func (c column) List() string {
	switch {
	case strings.HasSuffix(c.Type, "[]"):
		return "CAST(" + c.ident() + " AS VARCHAR[])"
	case c.Type == "JSON":
		return "TRY_CAST(" + c.ident() + " AS VARCHAR[])"
	}
	return "TRY_CAST(TRY_CAST(" + c.Text() + " AS JSON) AS VARCHAR[])"
}

// Timestamp reads the column as TIMESTAMPTZ: native timestamps and dates
// as they are; text as ISO 8601, or as epoch seconds or milliseconds when it
// is all digits. NULL when it does not parse.
func (c column) Timestamp() string {
	switch {
	case strings.HasPrefix(c.Type, "TIMESTAMP"), c.Type == "DATE":
		return "CAST(" + c.ident() + " AS TIMESTAMPTZ)"
	case isInteger(c.Type):
		return "epochTS(" + c.ident() + ")"
	}
	return "textTS(" + c.Text() + ")"
}

func isInteger(t string) bool {
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT":
		return true
	}
	return false
}

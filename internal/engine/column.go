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
	// Table, when set, is the alias the column is read from (s."col").
	Table string
}

func (c column) ident() string {
	if c.Table != "" {
		return c.Table + "." + sqlfiles.Ident(c.Name)
	}
	return sqlfiles.Ident(c.Name)
}

// in is the column read from table alias t.
func (c column) in(t string) column {
	c.Table = t
	return c
}

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

// Identity reads the column as an identity value (text, NULL when it is
// refused) and says why a value is refused (SQL giving a dropped_rows
// reason, or NULL), chosen from the column's type (sql/engine/macros.sql):
// text, integers and DECIMAL(p,0) as text, with no refusal (refusal is
// ""); a FLOAT, a DOUBLE or a DECIMAL with a scale as the digits of a
// whole number, refusing any other (identity_not_integer); a list, array,
// struct, map or union refused whole (identity_not_scalar); a JSON value
// by its JSON type, at each row.
func (c column) Identity() (value, refusal string) {
	id := c.ident()
	switch {
	case c.Type == "JSON":
		return "jsonIdent(" + id + ")", "jsonRefusal(" + id + ")"
	case c.Type == "DOUBLE":
		return "floatIdent(" + id + ", 9007199254740992)", "floatRefusal(" + id + ", 9007199254740992)"
	case c.Type == "FLOAT":
		return "floatIdent(" + id + ", 16777216)", "floatRefusal(" + id + ", 16777216)"
	case decimalScale(c.Type) > 0:
		return "decimalIdent(" + id + ")", "decimalRefusal(" + id + ")"
	case isNested(c.Type):
		return "NULL::VARCHAR", "nestedRefusal(" + id + ")"
	}
	return c.Text(), ""
}

// decimalScale is the scale of DuckDB type DECIMAL(p,s); 0 for any other.
func decimalScale(t string) int {
	var p, s int
	if _, err := fmt.Sscanf(t, "DECIMAL(%d,%d)", &p, &s); err != nil {
		return 0
	}
	return s
}

// isNested tells a DuckDB list (T[]), array (T[N]), struct, map or union.
func isNested(t string) bool {
	return strings.HasSuffix(t, "]") || strings.HasPrefix(t, "STRUCT(") || strings.HasPrefix(t, "MAP(") || strings.HasPrefix(t, "UNION(")
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

package webui

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// ErrRefused is matched by errors.Is when the SQL console refuses a query.
var ErrRefused = errors.New("query refused")

// allowedTableFunctions are the only table functions the console runs:
// none of them reads a file, the network or the catalog.
var allowedTableFunctions = []string{"range", "generate_series", "unnest"}

// cteName is what a CTE may be called: a plain identifier, so that no CTE
// can shadow a file name a replacement scan would otherwise read.
var cteName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// safeTableRefs are the table references that read nothing by themselves
// (their children are checked); BASE_TABLE and TABLE_FUNCTION are checked
// on their own, and any other kind (SHOW_REF of DESCRIBE, SHOW and
// SUMMARIZE among them) is refused.
var safeTableRefs = []string{"SUBQUERY", "JOIN", "EXPRESSION_LIST", "EMPTY"}

// allowed is what a console query may name: the public views and the
// functions DuckDB has loaded (lower-cased).
type allowed struct {
	views, functions map[string]bool
}

// loadAllowed reads the public views (those the migrations create in
// main) and the loaded functions through db.
func loadAllowed(ctx context.Context, db *sql.DB) (allowed, error) {
	a := allowed{views: map[string]bool{}, functions: map[string]bool{}}
	for file, set := range map[string]map[string]bool{"webui/views.sql": a.views, "webui/functions.sql": a.functions} {
		err := each(db.QueryContext(ctx, sqlfiles.Get(file)))(func(rows *sql.Rows) error {
			var name string
			err := rows.Scan(&name)
			set[name] = true
			return err
		})
		if err != nil {
			return allowed{}, fmt.Errorf("%s: %w", file, err)
		}
	}
	return a, nil
}

// checkSQL refuses query unless it is one SELECT that reads only the
// public views, CTEs it defines and the allowed table functions, and
// calls only functions DuckDB has loaded (so that none makes it download
// an extension). It parses with DuckDB's own parser (json_serialize_sql,
// which serialises SELECT statements only) through db and walks the
// syntax tree; nothing of query runs. A refusal wraps ErrRefused.
//
// The walk: every table reference must be a BASE_TABLE naming a public
// view (no catalog, schema empty or main, no AT clause) or a CTE in scope
// (a CTE sees those defined before it, and itself when recursive; CTE
// names must be plain identifiers, so none can stand for a file name); a
// TABLE_FUNCTION must be range, generate_series or unnest; SUBQUERY,
// JOIN, EXPRESSION_LIST and EMPTY are walked into; any other kind (such
// as the SHOW_REF of DESCRIBE, SHOW and SUMMARIZE) is refused. A file
// named as a table ('data.csv', a replacement scan) is a BASE_TABLE that
// names no view, so it is refused like a private table.
func checkSQL(ctx context.Context, db *sql.DB, query string, a allowed) error {
	var tree string
	if err := db.QueryRowContext(ctx, sqlfiles.Get("webui/parse.sql"), query).Scan(&tree); err != nil {
		return fmt.Errorf("parse the query: %w", err)
	}
	return checkTree(tree, a)
}

// parsed is json_serialize_sql's answer.
type parsed struct {
	Error        bool              `json:"error"`
	ErrorType    string            `json:"error_type"`
	ErrorMessage string            `json:"error_message"`
	Statements   []json.RawMessage `json:"statements"`
}

// checkTree checks the JSON syntax tree of a query (see checkSQL).
func checkTree(tree string, a allowed) error {
	var p parsed
	if err := json.Unmarshal([]byte(tree), &p); err != nil {
		return fmt.Errorf("%w: the parser's answer is not JSON: %v", ErrRefused, err)
	}
	switch {
	case p.Error && p.ErrorType == "not implemented":
		return fmt.Errorf("%w: only a SELECT runs here (no COPY, ATTACH, PRAGMA, SET, EXPLAIN, DESCRIBE or writes)", ErrRefused)
	case p.Error:
		return fmt.Errorf("%w: the query does not parse: %s", ErrRefused, p.ErrorMessage)
	case len(p.Statements) == 0:
		return fmt.Errorf("%w: the query is empty", ErrRefused)
	case len(p.Statements) > 1:
		return fmt.Errorf("%w: one statement at a time (this has %d)", ErrRefused, len(p.Statements))
	}
	var root any
	if err := json.Unmarshal(p.Statements[0], &root); err != nil {
		return fmt.Errorf("%w: the parser's answer is not JSON: %v", ErrRefused, err)
	}
	c := checker{allowed: a}
	return c.walk(root, nil)
}

type checker struct {
	allowed
}

// walk checks every node under v; ctes are the CTE names in scope
// (lower-cased).
func (c *checker) walk(v any, ctes []string) error {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if err := c.walk(e, ctes); err != nil {
				return err
			}
		}
	case map[string]any:
		return c.walkObject(v, ctes)
	}
	return nil
}

func (c *checker) walkObject(m map[string]any, ctes []string) error {
	if cm, ok := m["cte_map"].(map[string]any); ok {
		var err error
		if ctes, err = c.walkCTEs(cm, ctes); err != nil {
			return err
		}
	}
	typ, _ := m["type"].(string)
	_, isExpr := m["class"]
	_, hasAlias := m["alias"]
	if name, ok := m["function_name"].(string); ok && (m["class"] == "FUNCTION" || m["class"] == "WINDOW") {
		if err := c.function(m, name); err != nil {
			return err
		}
	}
	if hasAlias && !isExpr { // a table reference
		switch {
		case typ == "BASE_TABLE":
			if err := c.table(m, ctes); err != nil {
				return err
			}
		case typ == "TABLE_FUNCTION":
			if err := c.tableFunction(m); err != nil {
				return err
			}
		case !slices.Contains(safeTableRefs, typ):
			return fmt.Errorf("%w: %s is not supported here; select from the views", ErrRefused, describeRef(typ))
		}
	}
	for k, e := range m {
		if k == "cte_map" {
			continue
		}
		if err := c.walk(e, ctes); err != nil {
			return err
		}
	}
	return nil
}

// walkCTEs checks a WITH clause's CTEs, each seeing the ones before it
// (and itself when recursive), and returns the scope of the query they
// belong to.
func (c *checker) walkCTEs(cm map[string]any, ctes []string) ([]string, error) {
	entries, _ := cm["map"].([]any)
	scope := slices.Clone(ctes)
	for _, e := range entries {
		entry, _ := e.(map[string]any)
		name, _ := entry["key"].(string)
		if !cteName.MatchString(name) {
			return nil, fmt.Errorf("%w: a CTE name must be a plain identifier (letters, digits, _), not %q", ErrRefused, name)
		}
		body := entry["value"]
		inner := scope
		if isRecursive(body) {
			inner = append(slices.Clone(scope), strings.ToLower(name))
		}
		if err := c.walk(body, inner); err != nil {
			return nil, err
		}
		scope = append(scope, strings.ToLower(name))
	}
	return scope, nil
}

// isRecursive reports whether a CTE's body is a recursive CTE.
func isRecursive(body any) bool {
	b, _ := body.(map[string]any)
	q, _ := b["query"].(map[string]any)
	n, _ := q["node"].(map[string]any)
	return n["type"] == "RECURSIVE_CTE_NODE"
}

func (c *checker) table(m map[string]any, ctes []string) error {
	catalog, _ := m["catalog_name"].(string)
	schema, _ := m["schema_name"].(string)
	name, _ := m["table_name"].(string)
	full := strings.Trim(catalog+"."+schema+"."+name, ".")
	if m["at_clause"] != nil {
		return fmt.Errorf("%w: %s: AT (time travel) is not supported", ErrRefused, full)
	}
	lower := strings.ToLower(name)
	switch {
	case catalog != "":
		return fmt.Errorf("%w: %s: name views without a database", ErrRefused, full)
	case schema == "" && slices.Contains(ctes, lower):
		return nil
	case schema != "" && !strings.EqualFold(schema, "main"):
		return fmt.Errorf("%w: %s is not a public view; the views are %s", ErrRefused, full, c.viewList())
	case !c.views[lower]:
		return fmt.Errorf("%w: %s is not a public view (files and private tables are not readable here); the views are %s", ErrRefused, full, c.viewList())
	}
	return nil
}

func (c *checker) tableFunction(m map[string]any) error {
	f, _ := m["function"].(map[string]any)
	name, _ := f["function_name"].(string)
	schema, _ := f["schema"].(string)
	catalog, _ := f["catalog"].(string)
	if catalog != "" || (schema != "" && schema != "main") || !slices.Contains(allowedTableFunctions, strings.ToLower(name)) {
		return fmt.Errorf("%w: the table function %s is not allowed here (only %s)", ErrRefused, name, strings.Join(allowedTableFunctions, ", "))
	}
	return nil
}

// function checks a scalar, aggregate or window function call.
func (c *checker) function(m map[string]any, name string) error {
	schema, _ := m["schema"].(string)
	catalog, _ := m["catalog"].(string)
	switch {
	case catalog != "" && catalog != "system":
		return fmt.Errorf("%w: %s.%s: name functions without a database", ErrRefused, catalog, name)
	case schema != "" && schema != "main":
		return fmt.Errorf("%w: %s.%s is not a function here", ErrRefused, schema, name)
	case !c.functions[strings.ToLower(name)]:
		return fmt.Errorf("%w: unknown function %s (no extension is loaded for the console)", ErrRefused, name)
	}
	return nil
}

func (c *checker) viewList() string {
	names := make([]string, 0, len(c.views))
	for v := range c.views {
		names = append(names, v)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func describeRef(typ string) string {
	if typ == "SHOW_REF" {
		return "DESCRIBE, SHOW or SUMMARIZE"
	}
	return "a table reference of kind " + typ
}

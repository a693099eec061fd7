// Package sql holds every SQL statement mosaic runs, as files embedded
// with embed.FS. A file is plain SQL, or a text/template when its name ends
// in .sql.tmpl (identifiers and column lists only; values always go in as
// query parameters).
package sql

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"text/template"
)

//go:embed */*.sql */*.sql.tmpl
var files embed.FS

// FS exposes the embedded files (for tests and tooling).
func FS() embed.FS { return files }

// Get returns the SQL file at name ("engine/0001_init.sql"). A missing file
// is a programming error and panics.
func Get(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("sql: %v", err))
	}
	return string(b)
}

var (
	mu        sync.Mutex
	templates = map[string]*template.Template{}
)

// Render executes the template file at name ("files/read_csv.sql.tmpl")
// with data. Templates get the functions ident (quote an identifier) and
// lit (quote a string literal).
func Render(name string, data any) (string, error) {
	mu.Lock()
	t, ok := templates[name]
	if !ok {
		var err error
		t, err = template.New(name).Funcs(template.FuncMap{"ident": Ident, "lit": Literal}).Option("missingkey=error").Parse(Get(name))
		if err != nil {
			mu.Unlock()
			return "", fmt.Errorf("sql: parse %s: %w", name, err)
		}
		templates[name] = t
	}
	mu.Unlock()
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("sql: render %s: %w", name, err)
	}
	return b.String(), nil
}

// Ident quotes a SQL identifier for DuckDB.
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Literal quotes a SQL string literal for DuckDB. Use it only where DuckDB
// takes no parameter (table-function arguments such as file lists).
func Literal(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

// Statement is one statement of a SQL file. A statement is named by a
// `-- name: NAME` line of its own (callers pick statements by name, never
// by position); an unnamed one by its position ("2").
type Statement struct {
	File, Name, SQL string
}

// Wrap says which statement err comes from: "file, statement name: err".
func (s Statement) Wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s, statement %s: %w", s.File, s.Name, err)
}

// File returns the statements of the SQL file at name: a template (.tmpl)
// rendered with data, else the file as it is (data is unused). Statements
// end with ";" at the end of a line.
func File(name string, data any) ([]Statement, error) {
	text := ""
	if strings.HasSuffix(name, ".tmpl") {
		var err error
		if text, err = Render(name, data); err != nil {
			return nil, err
		}
	} else {
		text = Get(name)
	}
	return Split(name, text), nil
}

// Split splits text, the SQL of file, into its statements.
func Split(file, text string) []Statement {
	var out []Statement
	for _, s := range strings.Split(text, ";\n") {
		if strings.TrimSpace(stripComments(s)) == "" {
			continue
		}
		name := strconv.Itoa(len(out) + 1)
		for _, line := range strings.Split(s, "\n") {
			if n, ok := strings.CutPrefix(strings.TrimSpace(line), "-- name:"); ok {
				name = strings.TrimSpace(n)
				break
			}
		}
		out = append(out, Statement{File: file, Name: name, SQL: s})
	}
	return out
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

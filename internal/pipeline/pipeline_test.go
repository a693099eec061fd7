package pipeline

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// writeFile writes a test input under dir.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// loadPipeline writes pipeline.yaml into dir and loads it.
func loadPipeline(t *testing.T, dir, yaml string) *config.Pipeline {
	t.Helper()
	writeFile(t, dir, "pipeline.yaml", yaml)
	p, err := Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, p *config.Pipeline, opts Options) *Result {
	t.Helper()
	res, err := (&Runner{Registry: builtin.Registry()}).Run(context.Background(), p, opts)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return res
}

// query returns the first column of each row of q over p's store, as text.
func query(t *testing.T, p *config.Pipeline, q string) []string {
	t.Helper()
	return queryState(t, p.State, q)
}

// queryState opens the store read-only with plain database/sql.
func queryState(t *testing.T, state, q string) []string {
	t.Helper()
	db, err := sql.Open("duckdb", state+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s.String)
	}
	return out
}

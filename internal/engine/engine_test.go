package engine

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

func openStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenCreatesPublicViews(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	views := []string{"profiles", "profile_identities", "profile_attributes", "profile_aliases", "events",
		"audience_members", "audience_history", "runs", "dropped_rows"}
	for _, v := range views {
		var n int
		if err := s.Conn().QueryRowContext(context.Background(), "SELECT count(*) FROM "+v).Scan(&n); err != nil {
			t.Errorf("view %s: %v", v, err)
		}
	}
	var version int
	if err := s.Conn().QueryRowContext(context.Background(), sqlfiles.Get("engine/schema_version.sql")).Scan(&version); err != nil || version != SchemaVersion() {
		t.Fatalf("schema version = %d, %v; want %d", version, err, SchemaVersion())
	}
}

func TestSecondWriterIsRefusedNamingTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.duckdb")
	openStore(t, path)
	_, err := Open(context.Background(), path, Options{Command: "second"})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: err = %v, want ErrLocked", err)
	}
	for _, want := range []string{`"test"`, "pid ", "wait for it to finish"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestNewerStoreIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.duckdb")
	s := openStore(t, path)
	if _, err := s.Conn().ExecContext(context.Background(), sqlfiles.Get("engine/set_schema_version.sql"), "999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), path, Options{})
	if !errors.Is(err, ErrNewerStore) || !strings.Contains(err.Error(), "schema version 999") {
		t.Fatalf("err = %v, want ErrNewerStore naming version 999", err)
	}
}

func TestForeignDuckDBFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.duckdb")
	s := openStore(t, path)
	for _, q := range []string{"DROP SCHEMA _mosaic CASCADE", "CREATE TABLE mine (x INT)"} {
		if _, err := s.Conn().ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	_, err := Open(context.Background(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), "not a mosaic store") {
		t.Fatalf("err = %v, want 'not a mosaic store'", err)
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.duckdb")
	openStore(t, path).Close()
	s, err := Open(context.Background(), path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, q := range []string{"SELECT * FROM runs", "EXPLAIN SELECT 1", "PRAGMA show_tables"} {
		if err := s.CheckReadOnly(ctx, q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	for _, q := range []string{"DELETE FROM _mosaic.runs", "CREATE TABLE x (a INT)", "INSERT INTO _mosaic.meta VALUES ('a', 'b')", "DROP VIEW runs"} {
		if err := s.CheckReadOnly(ctx, q); !errors.Is(err, ErrWriteRefused) {
			t.Errorf("%s: err = %v, want ErrWriteRefused", q, err)
		}
	}
}

// A query of several statements is refused before any of them runs: the
// check must not run a write that a reading statement follows, on a
// store open for writing (`mosaic serve`'s readers share its handle).
func TestReadOnlyRefusesSeveralStatements(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	count := func() (n int) {
		if err := s.conn.QueryRowContext(ctx, "SELECT count(*) FROM _mosaic.meta").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	if before == 0 {
		t.Fatal("the test needs rows in _mosaic.meta")
	}
	for _, q := range []string{"DELETE FROM _mosaic.meta; SELECT 1", "SELECT 1; SELECT 2", "CREATE TEMP TABLE x AS SELECT 1 AS a; SELECT * FROM x"} {
		if err := s.CheckReadOnly(ctx, q); !errors.Is(err, ErrWriteRefused) || !strings.Contains(err.Error(), "one statement at a time") {
			t.Errorf("%s: err = %v, want ErrWriteRefused saying one statement at a time", q, err)
		}
	}
	if after := count(); after != before {
		t.Errorf("_mosaic.meta has %d rows after the checks, had %d: a checked statement ran", after, before)
	}
}

func TestRollbackLeavesNothing(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.RecordRun(ctx, Run{ID: 1, Pipeline: "p", Started: time.Now(), Finished: time.Now(), Status: StatusSucceeded}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	s.Conn().QueryRowContext(ctx, "SELECT count(*) FROM runs").Scan(&n)
	if n != 0 {
		t.Fatalf("runs after rollback = %d, want 0", n)
	}
}

// testPipeline parses a pipeline whose single feed maps the given YAML.
func testPipeline(t *testing.T, feed string) *config.Pipeline {
	t.Helper()
	src := "version: 1\nname: t\nidentity: {blocklist: {\"*\": [\"^anonymous$\"]}}\nfeeds:\n  - name: f\n    source: {kind: test}\n    source_type: csv\n" + feed
	p, err := config.Parse(filepath.Join(t.TempDir(), "p.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestStaleWALIsNamed: a store file replaced while its write-ahead log
// stays (a copy over a store that was not checkpointed) fails to open with
// an error about the log, not about a lock (DuckDB's stack trace mentions
// locks).
func TestStaleWALIsNamed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, other := filepath.Join(dir, "s.duckdb"), filepath.Join(dir, "other.duckdb")
	openStore(t, other).Close()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE TABLE t (x INT)", "CHECKPOINT", "PRAGMA disable_checkpoint_on_shutdown", "INSERT INTO t VALUES (1)"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if _, err := os.Stat(path + ".wal"); err != nil {
		t.Fatalf("no write-ahead log left to replay: %v", err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path, Options{Command: "test"})
	if !errors.Is(err, errWAL) || errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path+".wal") || strings.Contains(err.Error(), "Stack Trace") {
		t.Fatalf("err = %v, want the write-ahead log named, without DuckDB's stack trace", err)
	}
}

// TestNewStoreStorageVersion: a new store is written in StorageVersion,
// not in DuckDB's oldest format (see StorageVersion).
func TestNewStoreStorageVersion(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	var got string
	if err := s.Conn().QueryRowContext(context.Background(), sqlfiles.Get("engine/storage_version.sql")).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != StorageVersion+"+" {
		t.Errorf("storage version = %q, want %q", got, StorageVersion+"+")
	}
}

// TestMemoryLimitOption: Options.MemoryLimit sets DuckDB's memory limit,
// and the environment does not (the CLI reads MOSAIC_MEMORY_LIMIT).
func TestMemoryLimitOption(t *testing.T) {
	t.Setenv("MOSAIC_MEMORY_LIMIT", "3GB")
	for _, c := range []struct{ opt, want string }{{"", "7.4 GiB"}, {"1GB", "953.6 MiB"}} {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "s.duckdb"), Options{Command: "test", MemoryLimit: c.opt})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		err = s.Conn().QueryRowContext(context.Background(), "SELECT current_setting('memory_limit')").Scan(&got)
		s.Close()
		if err != nil || got != c.want {
			t.Errorf("MemoryLimit %q: memory_limit = %q, %v; want %q", c.opt, got, err, c.want)
		}
	}
}

// TestExecFileNamesTheFailingStatement: an error of ExecFile says which
// file and which statement failed.
func TestExecFileNamesTheFailingStatement(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	tx, err := s.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.RollbackLogged(context.Background())
	// The first statement of audiences/drop.sql runs; identity/reach.sql's
	// second reads a temp table that only the identity stage makes.
	if err := tx.ExecFile(context.Background(), "audiences/drop.sql", nil); err != nil {
		t.Fatal(err)
	}
	err = tx.ExecFile(context.Background(), "identity/reach.sql", nil, int64(1))
	if err == nil || !strings.HasPrefix(err.Error(), "identity/reach.sql, statement 2: Catalog Error") {
		t.Errorf("ExecFile error %v, want it to name identity/reach.sql, statement 2", err)
	}
}

package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// dsnEnv is the variable the tests' pipelines name in dsn_env: a copy of
// MOSAIC_POSTGRES_DSN with the test's own application_name, so that Break
// terminates only this test's sessions.
const dsnEnv = "MOSAIC_TEST_PG_DSN"

// server connects to the PostgreSQL that MOSAIC_POSTGRES_DSN names, or
// skips the test, saying how to run it.
func server(t testing.TB) *pgx.Conn {
	t.Helper()
	dsn := os.Getenv("MOSAIC_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("needs PostgreSQL: set MOSAIC_POSTGRES_DSN=postgres://user:pw@127.0.0.1:5432/db (`source .ci/postgres.sh` starts a throwaway server and sets it)")
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect to MOSAIC_POSTGRES_DSN: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func randomName(prefix string) string {
	b := make([]byte, 5)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// setDSN sets dsnEnv to the server's DSN with application_name app.
func setDSN(t testing.TB, app string) {
	t.Helper()
	dsn := os.Getenv("MOSAIC_POSTGRES_DSN")
	sep := " " // key=value form
	switch {
	case strings.Contains(dsn, "://") && strings.Contains(dsn, "?"):
		sep = "&"
	case strings.Contains(dsn, "://"):
		sep = "?"
	}
	t.Setenv(dsnEnv, dsn+sep+"application_name="+app)
}

// newSchema creates a schema for one test, dropped after it.
func newSchema(t testing.TB, conn *pgx.Conn) string {
	t.Helper()
	name := randomName("mosaic_test_")
	exec(t, conn, "CREATE SCHEMA "+name)
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE") })
	return name
}

func exec(t testing.TB, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// feedRequest loads a one-feed pipeline whose source block is block, in dir.
func feedRequest(t testing.TB, block string, columns []string, cursor, watermark string) connectors.ReadRequest {
	t.Helper()
	dir := t.TempDir()
	yaml := "version: 1\nname: t\nfeeds:\n  - name: f\n    source: " + block + "\n    source_type: warehouse\n    identities: { id: customerid }\n"
	path := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return connectors.ReadRequest{
		ValidateRequest: connectors.ValidateRequest{Feed: "f", Source: p.Feeds[0].Source, Resolve: p.Resolve},
		Columns:         columns, Cursor: cursor, Watermark: watermark,
	}
}

// capture is a Sink that keeps the record batches handed to it.
type capture struct {
	schema *arrow.Schema
	recs   []arrow.RecordBatch
}

func (c *capture) Arrow(ctx context.Context, r array.RecordReader) error {
	c.schema = r.Schema()
	for r.Next() {
		rec := r.RecordBatch()
		rec.Retain()
		c.recs = append(c.recs, rec)
	}
	return r.Err()
}

// column returns every value of the named column as ValueStr text.
func (c *capture) column(t testing.TB, name string) []string {
	t.Helper()
	idx := c.schema.FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("no column %q in %s", name, c.schema)
	}
	var out []string
	for _, r := range c.recs {
		col := r.Column(idx[0])
		for i := range col.Len() {
			if col.IsNull(i) {
				out = append(out, "NULL")
				continue
			}
			out = append(out, col.ValueStr(i))
		}
	}
	return out
}

func (c *capture) release() {
	for _, r := range c.recs {
		r.Release()
	}
}

func (c *capture) Query(context.Context, string) error   { panic("postgres source used Query") }
func (c *capture) Dropped(context.Context, string) error { panic("postgres source used Dropped") }
func (c *capture) DroppedRecords(context.Context, array.RecordReader) error {
	panic("postgres source used DroppedRecords")
}
func (c *capture) Temp(context.Context, string) (string, error) { panic("postgres source used Temp") }

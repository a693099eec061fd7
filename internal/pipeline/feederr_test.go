package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
)

// TestReadErrorNamesItsFeedOnce: a feed whose read fails fails the run
// with an error that names the feed once, whether the source named it
// (PostgreSQL, which nothing answers here) or not (a Parquet file that is
// not one).
func TestReadErrorNamesItsFeedOnce(t *testing.T) {
	t.Setenv("FEEDERR_PG", "postgres://u:secret-pw@127.0.0.1:1/db?connect_timeout=2")
	for _, c := range []struct{ feed, source, want string }{
		{"pg", `{ kind: postgres, dsn_env: FEEDERR_PG, table: users }`, "feed pg: "},
		{"pq", `{ kind: files, path: bad.parquet, format: parquet }`, "feed pq: "},
	} {
		t.Run(c.feed, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "bad.parquet", "not a parquet file\n")
			p := loadPipeline(t, dir, `version: 1
name: feederr
state: ./store.duckdb
feeds:
  - name: `+c.feed+`
    source: `+c.source+`
    source_type: warehouse
    identities: { id: customerid }
`)
			_, err := (&Runner{Registry: builtin.Registry()}).Run(context.Background(), p, Options{})
			if err == nil {
				t.Fatal("the run succeeded")
			}
			if msg := err.Error(); strings.Count(msg, c.want) != 1 || strings.Contains(msg, "secret-pw") {
				t.Errorf("the run's error names the feed %d times (want once, without the password): %s", strings.Count(msg, c.want), msg)
			}
		})
	}
}

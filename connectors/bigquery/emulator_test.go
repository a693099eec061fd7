package bigquery

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// The emulator's project and the dataset where tests make their tables
// (testdata/bigquery/emulator.yaml).
const (
	emuProject = "mosaic-demo"
	emuDataset = "conformance"
)

// emulator returns the REST endpoint of the BigQuery emulator named by
// MOSAIC_BIGQUERY_EMULATOR, or skips the test. CI always sets it.
func emulator(t testing.TB) string {
	t.Helper()
	v := os.Getenv("MOSAIC_BIGQUERY_EMULATOR")
	if v == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the BigQuery emulator tests: .ci/run sources .ci/bigquery-emulator.sh, which sets MOSAIC_BIGQUERY_EMULATOR")
		}
		t.Skip("needs the BigQuery emulator: `source .ci/bigquery-emulator.sh` (builds and starts it, sets MOSAIC_BIGQUERY_EMULATOR=host:port), then run the tests again")
	}
	u, err := endpointURL(v)
	if err != nil {
		t.Fatalf("MOSAIC_BIGQUERY_EMULATOR: %v", err)
	}
	return u
}

// emuClient is a client of the emulator for setting tables up.
func emuClient(t testing.TB) *bigquery.Client {
	t.Helper()
	c, err := bigquery.NewClient(context.Background(), emuProject, option.WithEndpoint(emulator(t)), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// tableName is a table name of the conformance dataset unique to key.
func tableName(prefix, key string) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	return fmt.Sprintf("%s_%x", prefix, h.Sum64())
}

// ensureTable creates the table with schema unless it exists.
func ensureTable(t testing.TB, c *bigquery.Client, table string, schema bigquery.Schema) *bigquery.Table {
	t.Helper()
	tb := c.Dataset(emuDataset).Table(table)
	err := tb.Create(context.Background(), &bigquery.TableMetadata{Schema: schema})
	var ge *googleapi.Error
	if err != nil && !(errors.As(err, &ge) && ge.Code == 409) {
		t.Fatalf("create table %s: %v", table, err)
	}
	return tb
}

// insert adds rows through insertAll (the REST streaming insert).
func insert(t testing.TB, tb *bigquery.Table, schema bigquery.Schema, rows [][]bigquery.Value) {
	t.Helper()
	savers := make([]*bigquery.ValuesSaver, len(rows))
	for i, r := range rows {
		savers[i] = &bigquery.ValuesSaver{Schema: schema, Row: r}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // the client retries 5xx answers
	defer cancel()
	for len(savers) > 0 {
		n := min(len(savers), 10000)
		if err := tb.Inserter().Put(ctx, savers[:n]); err != nil {
			t.Fatalf("insert rows: %v", err)
		}
		savers = savers[n:]
	}
}

// request loads a one-feed pipeline whose source is block and returns a
// read request for it.
func request(t testing.TB, block string, columns []string, cursor, watermark string) connectors.ReadRequest {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "pipeline.yaml")
	yaml := fmt.Sprintf("version: 1\nname: t\nfeeds:\n  - name: f\n    source: %s\n    source_type: warehouse\n    identities: { id: customerid }\n", block)
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := config.Load(path)
	if err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	return connectors.ReadRequest{
		ValidateRequest: connectors.ValidateRequest{Feed: "f", Source: p.Feeds[0].Source, Resolve: p.Resolve},
		Columns:         columns, Cursor: cursor, Watermark: watermark,
	}
}

func emuBlock(t testing.TB, table string) string {
	return fmt.Sprintf("{ kind: bigquery, project: %s, dataset: %s, table: %s, endpoint: %q }", emuProject, emuDataset, table, emulator(t))
}

// runDML runs a statement in the emulator.
func runDML(t testing.TB, c *bigquery.Client, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	job, err := c.Query(sql).Run(ctx)
	if err == nil {
		var st *bigquery.JobStatus
		if st, err = job.Wait(ctx); err == nil {
			err = st.Err()
		}
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
}

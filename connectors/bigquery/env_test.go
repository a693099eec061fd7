package bigquery_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/bigquery"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
)

// TestSourceCheckEnv: as an output's, a feed's endpoint_env variable may
// be unset (the real API) but when set is an endpoint, and its
// credentials file must be there; Validate reads neither.
func TestSourceCheckEnv(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	block := "      kind: bigquery\n      project: my-project\n      dataset: crm\n      table: t\n      endpoint_env: BQ_TEST_FEED_ENDPOINT\n      read_endpoint: 127.0.0.1:9060\n      credentials_file: "
	connectortest.RunSourceEnvCases(t, bigquery.New(), connectortest.ParseSource(t, dir, block+"key.json\n"), []connectortest.EnvCase{
		{Env: map[string]string{}},
		{Env: map[string]string{"BQ_TEST_FEED_ENDPOINT": "127.0.0.1:9050"}},
		{Env: map[string]string{"BQ_TEST_FEED_ENDPOINT": "ftp://tok-host"}, Want: "p.yaml:12:21: feeds[0].source.endpoint_env: environment variable BQ_TEST_FEED_ENDPOINT is set, but feed f cannot be read with it: it is not host:port or an http(s) URL; fix the variable or unset it to use the real BigQuery API"},
	})
	connectortest.RunSourceEnvCases(t, bigquery.New(), connectortest.ParseSource(t, dir, block+"gone.json\n"), []connectortest.EnvCase{
		{Env: map[string]string{"BQ_TEST_FEED_ENDPOINT": ""}, Want: "p.yaml:14:25: feeds[0].source.credentials_file: feed f cannot be read: cannot read the service-account key file " + filepath.Join(dir, "gone.json") + ": no such file or directory"},
	})
}

package pipeline

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
)

// useBigQueryEmulator points pipelines/bigquery.yaml (its endpoint_env) at
// the emulator .ci/run starts with testdata/bigquery/emulator.yaml, or
// skips the test.
func useBigQueryEmulator(t *testing.T) {
	t.Helper()
	addr := os.Getenv("MOSAIC_BIGQUERY_EMULATOR")
	if addr == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the BigQuery example: .ci/run sources .ci/bigquery-emulator.sh, which sets MOSAIC_BIGQUERY_EMULATOR")
		}
		t.Skip("needs the BigQuery emulator: `source .ci/bigquery-emulator.sh` (sets MOSAIC_BIGQUERY_EMULATOR), then run the tests again")
	}
	t.Setenv("BIGQUERY_EMULATOR_HOST", addr)
}

// TestBigQueryExampleMatchesFiles runs pipelines/bigquery.yaml against the
// emulator and testdata/bigquery/retail/files.yaml over files holding the
// same rows: the profiles, identities, attributes and events must be the
// same. A second run of the BigQuery pipeline reads nothing (the cursor is
// pushed down).
func TestBigQueryExampleMatchesFiles(t *testing.T) {
	useBigQueryEmulator(t)
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	bq, err := Load("../../pipelines/bigquery.yaml", builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	files, err := Load("../../testdata/bigquery/retail/files.yaml", builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	bq.State = filepath.Join(t.TempDir(), "bq.duckdb")
	files.State = filepath.Join(t.TempDir(), "files.duckdb")
	bqRes := run(t, bq, Options{Now: now})
	run(t, files, Options{Now: now})
	if bqRes.Stats.Profiles.Created == 0 {
		t.Fatalf("the BigQuery example created no profile: %+v", bqRes.Stats)
	}
	for _, q := range []string{
		`SELECT format('{} {} {}', mpid, created_at, updated_at) FROM profiles ORDER BY ALL`,
		`SELECT format('{} {} {} {}', mpid, identity_type, identity_value, feed) FROM profile_identities ORDER BY ALL`,
		// numbers compare as numbers: NDJSON keeps 310 as written, FLOAT64 gives 310.0
		`SELECT format('{} {} {} {} {} {}', mpid, key, CASE WHEN json_type(value) IN ('UBIGINT', 'BIGINT', 'DOUBLE') THEN 'number' ELSE json_type(value) END, coalesce(CAST(TRY_CAST(value AS DOUBLE) AS VARCHAR), CAST(value AS VARCHAR)), feed, updated_at) FROM profile_attributes ORDER BY ALL`,
		`SELECT format('{} {} {} {}', mpid, feed, event_name, occurred_at) FROM events ORDER BY ALL`,
		`SELECT format('{} {}', feed, reason) FROM dropped_rows ORDER BY ALL`,
	} {
		if diff := cmp.Diff(query(t, files, q), query(t, bq, q)); diff != "" {
			t.Errorf("%s\n(-files +bigquery):\n%s", q, diff)
		}
	}
	again := run(t, bq, Options{Now: now.Add(time.Hour)})
	for feed, st := range again.Stats.Feeds {
		if st.Read != 0 {
			t.Errorf("second run read %d rows of feed %s; want 0 (cursor > watermark pushed down)", st.Read, feed)
		}
	}
}

package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// everyTable reads every table of a store, public and private, sorted, as
// JSON text per row.
func everyTable(t *testing.T, state string) map[string][]string {
	t.Helper()
	db, err := sql.Open("duckdb", state+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 20 {
		t.Fatalf("only %d tables: %v", len(tables), tables)
	}
	return jsonRows(t, db, tables)
}

// jsonRows reads each of tables (or views), sorted, as JSON text per row.
func jsonRows(t *testing.T, db *sql.DB, tables []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Query("SELECT CAST(to_json(t) AS VARCHAR) FROM " + table + " t ORDER BY ALL")
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out[table] = append(out[table], s)
		}
		rows.Close()
	}
	return out
}

// smallStore runs smallDir's pipeline once and writes rows (CSV lines,
// the header aside) as its next file; it returns the folder, the pipeline
// file and the store.
func smallStore(t *testing.T, rows string) (dir, pipelineFile, state string) {
	t.Helper()
	dir = smallDir(t)
	pipelineFile, state = filepath.Join(dir, "pipeline.yaml"), filepath.Join(dir, "store.duckdb")
	if code, _, errOut := mosaic(t, "run", pipelineFile); code != ExitOK {
		t.Fatal(errOut)
	}
	writeFile(t, filepath.Join(dir, "in/b.csv"), "id,email,tier,ts\n"+rows)
	return dir, pipelineFile, state
}

// runStats runs mosaic with args and --format json and returns the
// stats it printed.
func runStats(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, out, errOut := mosaic(t, append(args, "--format", "json")...)
	if code != ExitOK {
		t.Fatalf("%v: %d %s", args, code, errOut)
	}
	var r struct {
		Stats map[string]any `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v printed %q: %v", args, out, err)
	}
	delete(r.Stats, "stages") // times differ from run to run
	return r.Stats
}

// TestDryRunChangesNothing: a dry run, with a feed promoted by --as, or
// failing, leaves every table of the store as it was; a real run then
// changes exactly what the dry run (without --as) reported.
func TestDryRunChangesNothing(t *testing.T) {
	dir, p, state := smallStore(t, "C1,a@x.com,platinum,2026-05-03T00:00:00Z\nC9,c@x.com,gold,2026-05-03T00:00:00Z\n,b@x.com,bronze,2026-05-03T00:00:00Z\n")
	before := everyTable(t, state)

	code, out, errOut := mosaic(t, "run", p, "--dry-run", "--as", "crm=only_update")
	if code != ExitOK || !strings.Contains(out, "dry run of small") || !strings.Contains(out, "unchanged") {
		t.Fatalf("dry run --as: %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "profiles: 0 created") {
		t.Errorf("only_update creates no profile, the dry run says:\n%s", out)
	}
	if !regexp.MustCompile(`\n  updated -?\d+: tier "gold" → "platinum"\n`).MatchString(out) {
		t.Errorf("the dry run shows no sample of C1's tier, gold before, platinum after:\n%s", out)
	}
	if !strings.Contains(out, "largest profiles: ") || !strings.Contains(out, " (2 identities, 1 rows)") {
		t.Errorf("the dry run names no largest profile (C1 and a@x.com, one row):\n%s", out)
	}
	if diff := cmp.Diff(before, everyTable(t, state)); diff != "" {
		t.Fatalf("the dry run changed the store (-before +after):\n%s", diff)
	}

	// A dry run that fails (its new file is not Parquet) records nothing.
	writeFile(t, filepath.Join(dir, "bad/x.parquet"), "not parquet")
	writeFile(t, filepath.Join(dir, "pipeline.yaml"), smallPipeline+"  - { name: bad, source: { kind: files, path: bad/*.parquet }, source_type: csv, identities: { id: customerid } }\n")
	if code, _, errOut := mosaic(t, "run", p, "--dry-run"); code != ExitFailed {
		t.Fatalf("a failing dry run: %d %s", code, errOut)
	}
	if diff := cmp.Diff(before, everyTable(t, state)); diff != "" {
		t.Fatalf("the failed dry run changed the store (-before +after):\n%s", diff)
	}
	writeFile(t, filepath.Join(dir, "pipeline.yaml"), smallPipeline)

	dry := runStats(t, "run", p, "--dry-run")
	if diff := cmp.Diff(before, everyTable(t, state)); diff != "" {
		t.Fatalf("the dry run changed the store (-before +after):\n%s", diff)
	}
	real := runStats(t, "run", p)
	if diff := cmp.Diff(dry, real); diff != "" {
		t.Errorf("the real run did other than the dry run said (-dry +real):\n%s", diff)
	}

	for _, bad := range [][]string{{"--as", "crm=only_read"}, {"--dry-run", "--as", "nope=only_read"}, {"--dry-run", "--as", "crm=read_only"}} {
		if code, _, errOut := mosaic(t, append([]string{"run", p}, bad...)...); code != ExitUsage {
			t.Errorf("%v: %d %s, want a usage error", bad, code, errOut)
		}
	}
}

// TestCancelledRunChangesNothing: a run cancelled as any of its steps
// begins (each feed's staging, each stage, the commit) leaves every table
// of the store as it was, but for the run it records as cancelled; a dry
// run records nothing at all.
func TestCancelledRunChangesNothing(t *testing.T) {
	_, path, state := smallStore(t, "C1,a@x.com,platinum,2026-05-03T00:00:00Z\nC9,c@x.com,gold,2026-05-03T00:00:00Z\n")
	p, err := pipeline.Load(path, builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	r := &pipeline.Runner{Registry: builtin.Registry(), Progress: func(s pipeline.Step) { steps = append(steps, s.Stage) }}
	if _, err := r.Run(context.Background(), p, pipeline.Options{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if len(steps) < 5 {
		t.Fatalf("steps %v", steps)
	}
	for _, dry := range []bool{true, false} {
		for at, stage := range steps {
			before := everyTable(t, state)
			ctx, cancel := context.WithCancel(context.Background())
			seen := 0
			r := &pipeline.Runner{Registry: builtin.Registry(), Progress: func(pipeline.Step) {
				if seen++; seen == at+1 {
					cancel()
				}
			}}
			_, err := r.Run(ctx, p, pipeline.Options{DryRun: dry})
			cancel()
			// A dry run's last step rolls back: cancelled then, it has
			// nothing left to stop and reports.
			if !errors.Is(err, context.Canceled) && !(dry && at == len(steps)-1 && err == nil) {
				t.Errorf("dry %v, cancelled at %s: err %v, want context.Canceled", dry, stage, err)
			}
			after := everyTable(t, state)
			if runs := after["_mosaic.runs"]; !dry {
				if n := len(runs); n != len(before["_mosaic.runs"])+1 || !strings.Contains(runs[n-1], `"status":"cancelled"`) {
					t.Errorf("cancelled at %s, the runs are %v; want one more, cancelled", stage, runs)
				}
				after["_mosaic.runs"] = before["_mosaic.runs"]
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Fatalf("dry %v, cancelled at %s: the store changed (-before +after):\n%s", dry, stage, diff)
			}
		}
	}
}

// TestDryRunCountsAttributeValues: the report says which values a run
// would set, overwrite (from which source type to which) and delete,
// before against after; a real run then counts the same.
func TestDryRunCountsAttributeValues(t *testing.T) {
	dir := smallDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	if code, _, errOut := mosaic(t, "run", p); code != ExitOK {
		t.Fatal(errOut)
	}
	// An sdk feed (ranked above warehouse) overwrites C1's tier and gives
	// it a city, and deletes C2's tier.
	writeFile(t, p, smallPipeline+"  - { name: app, source: { kind: files, path: app/*.ndjson, format: batch }, source_type: sdk }\n")
	writeFile(t, filepath.Join(dir, "app/1.ndjson"),
		`{"environment":"production","user_identities":{"customer_id":"C1"},"user_attributes":{"tier":"platinum","city":"Oslo"},"timestamp_unixtime_ms":1780228800000}`+"\n"+
			`{"environment":"production","user_identities":{"customer_id":"C2"},"deleted_user_attributes":["tier"],"timestamp_unixtime_ms":1780228800000}`+"\n")
	want := map[string]any{"attribute_values_set": 1.0, "attribute_values_overwritten": map[string]any{"warehouse → sdk": 1.0}, "attribute_values_deleted": 1.0}
	code, out, errOut := mosaic(t, "run", p, "--dry-run")
	if code != ExitOK || !strings.Contains(out, "attribute values: 1 set, 1 overwritten (warehouse → sdk 1), 1 deleted") {
		t.Errorf("dry run: %d\n%s\n%s", code, out, errOut)
	}
	for _, args := range [][]string{{"run", p, "--dry-run"}, {"run", p}} {
		attrs, _ := runStats(t, args...)["attributes"].(map[string]any)
		delete(attrs, "attribute_writes")
		delete(attrs, "attribute_writes_ignored")
		if diff := cmp.Diff(want, attrs); diff != "" {
			t.Errorf("%v: attribute values (-want +got):\n%s", args, diff)
		}
	}
}

// TestDryRunMatchesRealRunAtEveryLevel: on the quickstart, the CRM feed
// added to a store of web and app traffic at each protection level, and
// promoted from only_read by --as: a real run then does exactly what the
// dry run reported.
func TestDryRunMatchesRealRunAtEveryLevel(t *testing.T) {
	src, err := os.ReadFile("../../pipelines/quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := filepath.Abs("../../testdata/quickstart")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(src), "../testdata/quickstart/", data+"/")
	text = text[:strings.Index(text, "outputs:")] // its fields need the CRM's attributes
	const now = "--now=2026-06-01T00:00:00Z"      // retention's bounds follow the clock
	crm := text[strings.Index(text, "  - name: crm\n"):strings.Index(text, "  - name: web\n")]
	at := func(level string) string {
		return strings.Replace(text, crm, strings.Replace(crm, "protection: create_update", "protection: "+level, 1), 1)
	}
	for _, level := range []string{"create_update", "only_update", "only_read"} {
		for _, promote := range []bool{false, true} {
			if promote && level == "only_read" {
				continue
			}
			dir := t.TempDir()
			p := filepath.Join(dir, "quickstart.yaml")
			writeFile(t, p, strings.Replace(text, crm, "", 1))
			if code, _, errOut := mosaic(t, "run", p, now); code != ExitOK {
				t.Fatal(errOut)
			}
			var dry map[string]any
			if promote {
				writeFile(t, p, at("only_read"))
				dry = runStats(t, "run", p, now, "--dry-run", "--as", "crm="+level)
			} else {
				writeFile(t, p, at(level))
				dry = runStats(t, "run", p, now, "--dry-run")
			}
			writeFile(t, p, at(level))
			real := runStats(t, "run", p, now, "--no-sync")
			if diff := cmp.Diff(dry, real); diff != "" {
				t.Errorf("crm at %s (promoted: %v): the real run did other than the dry run said (-dry +real):\n%s", level, promote, diff)
			}
			if feeds, _ := real["feeds"].(map[string]any); feeds["crm"] == nil {
				t.Errorf("crm at %s: no stats for crm: %v", level, real)
			}
		}
	}
}

// TestDryRunReportsSharedValuesFirst: with identity.max_shared, the
// report opens with the values that would link nothing, before the feeds.
func TestDryRunReportsSharedValuesFirst(t *testing.T) {
	dir := t.TempDir()
	src := "../../testdata/identity/max_shared"
	copyTree(t, filepath.Join(src, "pipeline.yaml"), filepath.Join(dir, "pipeline.yaml"))
	copyTree(t, filepath.Join(src, "inputs/run1"), filepath.Join(dir, "data"))
	code, out, errOut := mosaic(t, "run", filepath.Join(dir, "pipeline.yaml"), "--dry-run")
	if code != ExitOK {
		t.Fatal(errOut)
	}
	lines := strings.Split(out, "\n")
	const want = "shared identity values that link nothing (identity.max_shared): other=LOYAL-1 on 5 records (max 2); recorded in dropped_rows as shared_identity"
	if len(lines) < 4 || lines[1] != want || !strings.HasPrefix(strings.TrimSpace(lines[2]), "feed") {
		t.Fatalf("the dry run's report does not open with the shared value:\n%s", out)
	}
	if !strings.HasSuffix(lines[3], "  1: shared_identity 1") {
		t.Errorf("the crm feed's line does not count its shared value among its dropped_rows: %q", lines[3])
	}
}

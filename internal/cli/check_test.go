package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden outputs under testdata/ (then check them by hand)")

// testdata is this package's testdata folder, found before tests change
// the working directory.
var testdata, _ = filepath.Abs("testdata")

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdata, name)
	if *update {
		writeFile(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it, then check it by hand)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// checkDir is smallDir with a second feed of NDJSON lines, made the
// working directory so that paths in the output are relative.
func checkDir(t *testing.T) string {
	t.Helper()
	dir := smallDir(t)
	writeFile(t, filepath.Join(dir, "pipeline.yaml"), smallPipeline+`  - name: web
    source: { kind: files, path: web/*.ndjson }
    source_type: sdk
    timestamp: ts
    cursor: ts
    identities: { id: customerid }
    attributes: { plan: plan }
`)
	writeFile(t, filepath.Join(dir, "web/a.ndjson"), `{"id":"C1","ts":"2026-05-01T00:00:00Z","plan":"pro"}`+"\n"+`{"id":"C2","ts":1777593600}`+"\nnot json\n")
	t.Chdir(dir)
	return dir
}

func TestCheckReady(t *testing.T) {
	checkDir(t)
	code, out, errOut := mosaic(t, "check", "pipeline.yaml")
	if code != ExitOK {
		t.Fatalf("check: code %d\n%s%s", code, out, errOut)
	}
	golden(t, "check/ready.txt", out)
	if _, err := os.Stat("store.duckdb"); err == nil {
		t.Error("check created the store")
	}
	code, out, _ = mosaic(t, "check", "--format", "json", "pipeline.yaml")
	var rep struct {
		Ready bool `json:"ready"`
		Feeds []struct {
			Feed string `json:"feed"`
			Rows int64  `json:"rows"`
		} `json:"feeds"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitOK || !rep.Ready || len(rep.Feeds) != 2 || rep.Feeds[0].Rows != 3 || rep.Feeds[1].Rows != 2 {
		t.Errorf("check --format json: code %d, %+v (%v)\n%s", code, rep, err, out)
	}
}

func TestCheckMissingColumn(t *testing.T) {
	checkDir(t)
	writeFile(t, "pipeline.yaml", strings.Replace(smallPipeline, "attributes: { tier: tier }", "attributes: { tier: tier, lifetime_value: ltv }", 1))
	code, out, _ := mosaic(t, "check", "pipeline.yaml")
	if code != ExitFailed {
		t.Errorf("check with a missing column: code %d, want %d", code, ExitFailed)
	}
	golden(t, "check/missing_column.txt", out)
}

func TestCheckMissingFile(t *testing.T) {
	checkDir(t)
	if err := os.Remove("web/a.ndjson"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := mosaic(t, "check", "pipeline.yaml")
	if code != ExitFailed {
		t.Errorf("check with a missing file: code %d, want %d\n%s", code, ExitFailed, errOut)
	}
	golden(t, "check/missing_file.txt", out)
}

// TestCheckStoreUntouched: with a store, check counts past its state and
// leaves it byte for byte as it was, with no lock file.
func TestCheckStoreUntouched(t *testing.T) {
	checkDir(t)
	if code, out, errOut := mosaic(t, "run", "pipeline.yaml", "--now", "2026-06-01T00:00:00Z"); code != ExitOK {
		t.Fatalf("run: %d\n%s%s", code, out, errOut)
	}
	os.Remove("store.duckdb.lock")
	before := storeBytes(t)
	writeFile(t, "in/b.csv", "id,email,tier,ts\nC9,z@x.com,gold,2026-05-09T00:00:00Z\n")
	code, out, errOut := mosaic(t, "check", "pipeline.yaml")
	if code != ExitOK {
		t.Fatalf("check: code %d\n%s%s", code, out, errOut)
	}
	golden(t, "check/after_run.txt", out)
	if diff := cmp.Diff(before, storeBytes(t)); diff != "" {
		t.Errorf("check changed the store's folder (-before +after):\n%s", diff)
	}
	code, out, _ = mosaic(t, "runs", "-p", "pipeline.yaml", "--format", "csv")
	if code != ExitOK || strings.Count(out, "\n") != 2 {
		t.Errorf("runs after check: code %d\n%s", code, out)
	}
}

// storeBytes returns the store's files (store.duckdb*) and their bytes.
func storeBytes(t *testing.T) map[string][]byte {
	t.Helper()
	paths, _ := filepath.Glob("store.duckdb*")
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = bytes.Clone(b)
	}
	if len(out) == 0 {
		t.Fatal("no store")
	}
	return out
}

func TestCheckUsage(t *testing.T) {
	checkDir(t)
	if code, _, errOut := mosaic(t, "check", "--format", "yaml", "pipeline.yaml"); code != ExitUsage || !strings.Contains(errOut, `unknown --format "yaml"`) {
		t.Errorf("bad --format: code %d, %q", code, errOut)
	}
	writeFile(t, "bad.yaml", strings.Replace(smallPipeline, "source_type:", "sourcetype:", 1))
	if code, _, errOut := mosaic(t, "check", "bad.yaml"); code != ExitUsage || !strings.Contains(errOut, "bad.yaml:7:5") {
		t.Errorf("invalid pipeline: code %d, %q", code, errOut)
	}
}

// TestCheckIdentityColumnTypes: identity columns whose values are not
// identities are problems at their mapping, each saying what a run does
// with them and how to fix it: a Parquet DOUBLE and FLOAT, a list and a
// struct, an NDJSON key holding fractions, arrays and objects. A DECIMAL
// (exact), integers and text are not.
func TestCheckIdentityColumnTypes(t *testing.T) {
	dir := t.TempDir()
	parquet, err := os.ReadFile(filepath.Join(testdata, "..", "..", "..", "testdata", "identity", "identity_value_types", "inputs", "run1", "pq", "1.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "pq/1.parquet"), string(parquet))
	writeFile(t, filepath.Join(dir, "nd/1.ndjson"), `{"cid":777.0,"email":"a@x.com","ts":"2026-05-01T00:00:00Z"}`+"\n"+
		`{"cid":"C2","email":["b@x.com"],"other":{"k":1},"ts":"2026-05-01T00:00:00Z"}`+"\n")
	writeFile(t, filepath.Join(dir, "pipeline.yaml"), `version: 1
name: typed
state: ./store.duckdb
feeds:
  - name: pq
    source: { kind: files, path: pq/*.parquet }
    source_type: warehouse
    timestamp: ts
    identities: { cid: customerid, acct: other, emails: email, contact: other_id_2, device: other_id_4, big: other_id_3 }
  - name: nd
    source: { kind: files, path: nd/*.ndjson }
    source_type: sdk
    timestamp: ts
    identities: { cid: customerid, email: email, other: other }
`)
	t.Chdir(dir)
	code, out, errOut := mosaic(t, "check", "pipeline.yaml")
	if code != ExitFailed {
		t.Errorf("check: code %d, want %d\n%s", code, ExitFailed, errOut)
	}
	golden(t, "check/identity_types.txt", out)
}

// TestCheckFloatIdentityIsANote: a float identity column alone leaves the
// feed ready (exit 0), with a note of what a run does with its values.
func TestCheckFloatIdentityIsANote(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "nd/1.ndjson"), `{"cid":777.0,"ts":"2026-05-01T00:00:00Z"}`+"\n")
	writeFile(t, filepath.Join(dir, "pipeline.yaml"), `version: 1
name: typed
state: ./store.duckdb
feeds:
  - name: nd
    source: { kind: files, path: nd/*.ndjson }
    source_type: sdk
    timestamp: ts
    identities: { cid: customerid }
`)
	t.Chdir(dir)
	code, out, errOut := mosaic(t, "check", "pipeline.yaml")
	if code != ExitOK || !strings.Contains(out, "nd    files   1     ready, 1 note\n") || !strings.Contains(out, "\n  note: pipeline.yaml:9:24: feed nd: identity column \"cid\"") {
		t.Errorf("check: code %d\n%s%s", code, out, errOut)
	}
}

package files_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/files"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// checkRequest loads a one-feed pipeline in dir reading block and returns
// a check request for the given columns.
func checkRequest(t *testing.T, dir, block string, columns []string, cursor, timestamp string, state json.RawMessage) connectors.CheckRequest {
	t.Helper()
	yaml := "version: 1\nname: v\nfeeds:\n  - name: f\n    source: " + block + "\n    source_type: csv\n"
	if !strings.Contains(block, "format: batch") {
		yaml += "    identities: { id: customerid }\n"
	}
	path := filepath.Join(dir, "p.yaml")
	write(t, path, yaml)
	p, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return connectors.CheckRequest{ReadRequest: connectors.ReadRequest{
		ValidateRequest: connectors.ValidateRequest{Feed: "f", Source: p.Feeds[0].Source, Resolve: p.Resolve},
		Columns:         columns, Cursor: cursor, State: state,
	}, Timestamp: timestamp}
}

func TestCheckFormats(t *testing.T) {
	rows := connectortest.Rows(0, 5)
	cols := []string{"email", "id", "tier"}
	cases := []struct {
		name, ext, block string
		content          string
		want             []connectors.CheckColumn
	}{
		{"csv", ".csv", "{ kind: files, path: in/*.csv }", csvText(rows), []connectors.CheckColumn{
			{Name: "email", SourceType: "text (CSV)", Staged: "VARCHAR"},
			{Name: "id", SourceType: "text (CSV)", Staged: "VARCHAR"},
			{Name: "tier", SourceType: "text (CSV)", Staged: "VARCHAR"},
			{Name: "ts", SourceType: "text (CSV)", Staged: "VARCHAR"},
		}},
		{"ndjson.gz", ".ndjson.gz", "{ kind: files, path: in/*.ndjson.gz }", gz(ndjsonText(rows)), []connectors.CheckColumn{
			{Name: "email", SourceType: "json VARCHAR", Staged: "JSON"},
			{Name: "id", SourceType: "json VARCHAR", Staged: "JSON"},
			{Name: "tier", SourceType: "json VARCHAR", Staged: "JSON"},
			{Name: "ts", SourceType: "json VARCHAR", Staged: "JSON"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "in", "a"+tc.ext), tc.content)
			res, err := files.New().Check(context.Background(), checkRequest(t, dir, tc.block, cols, "", "ts", nil))
			if err != nil {
				t.Fatal(err)
			}
			want := connectors.CheckResult{Rows: 5, Columns: tc.want}
			if diff := cmp.Diff(want, res); diff != "" {
				t.Errorf("check (-want +got):\n%s", diff)
			}
			res, err = files.New().Check(context.Background(), checkRequest(t, dir, tc.block, append(cols, "phone"), "", "ts", nil))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], `"phone"`) || !strings.HasPrefix(res.Problems[0], "feed f: ") {
				t.Errorf("check with an unmapped column: problems %q", res.Problems)
			}
		})
	}
}

func TestCheckParquetTypesAndState(t *testing.T) {
	fx := parquetFixture()
	dir := t.TempDir()
	block := fx.Write(t, dir, connectortest.Rows(0, 7))
	fx.Write(t, dir, connectortest.Rows(7, 3))
	req := checkRequest(t, dir, block, []string{"id", "unused"}, "", "ts", nil)
	res, err := files.New().Check(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := connectors.CheckResult{Rows: 10, Columns: []connectors.CheckColumn{
		{Name: "id", SourceType: "VARCHAR", Staged: "VARCHAR"},
		{Name: "ts", SourceType: "TIMESTAMP WITH TIME ZONE", Staged: "TIMESTAMP WITH TIME ZONE"},
		{Name: "unused", SourceType: "INTEGER", Staged: "INTEGER"},
	}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("check (-want +got):\n%s", diff)
	}

	// The first file read: only the second one counts.
	state := readState(t, req)
	var st struct {
		Files map[string]json.RawMessage `json:"files"`
	}
	if err := json.Unmarshal(state, &st); err != nil || len(st.Files) != 2 {
		t.Fatalf("state %s (%v), want 2 files", state, err)
	}
	delete(st.Files, lastFile(t, dir))
	partial, _ := json.Marshal(st)
	req.State = partial
	if res, err := files.New().Check(context.Background(), req); err != nil || res.Rows != 3 {
		t.Errorf("check after the first file was read: rows %d (%v), want 3", res.Rows, err)
	}
	req.State = state
	if res, err := files.New().Check(context.Background(), req); err != nil || res.Rows != 0 || len(res.Columns) != 3 {
		t.Errorf("check after every file was read: %+v (%v), want 0 rows and the columns of the last file", res, err)
	}

	// An integer cursor and a text timestamp are fine.
	req = checkRequest(t, dir, block, []string{"id"}, "unused", "id", nil)
	req.Columns = []string{"id", "unused"}
	res, err = files.New().Check(context.Background(), req)
	if err != nil || len(res.Problems) != 0 {
		t.Errorf("integer cursor, text timestamp: problems %q (%v), want none", res.Problems, err)
	}
}

// lastFile is the state key of the last Parquet file in dir/in.
func lastFile(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "in", "*.parquet"))
	return filepath.Join("in", filepath.Base(m[len(m)-1]))
}

// readState returns the state a read of every file commits.
func readState(t *testing.T, req connectors.CheckRequest) json.RawMessage {
	t.Helper()
	st, err := files.New().Read(context.Background(), req.ReadRequest, discard{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestCheckBatchAndBadFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "b", "a.ndjson"), `{"events":[]}`+"\n\n"+`not json`+"\n"+`{"x":1}`+"\n")
	res, err := files.New().Check(context.Background(), checkRequest(t, dir, "{ kind: files, path: b/*.ndjson, format: batch }", nil, "", "", nil))
	if err != nil || res.Rows != 2 || len(res.Problems) != 0 {
		t.Errorf("batch check: %+v (%v), want 2 rows (JSON objects)", res, err)
	}
	write(t, filepath.Join(dir, "p", "x.parquet"), "not parquet at all")
	res, err = files.New().Check(context.Background(), checkRequest(t, dir, "{ kind: files, path: p/*.parquet }", []string{"id"}, "", "", nil))
	if err != nil || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "p/x.parquet: not a Parquet file") {
		t.Errorf("check of a bad Parquet file: %+v (%v)", res, err)
	}
}

// discard is a Sink that stages nothing (for computing a read's state).
type discard struct{}

func (discard) Arrow(context.Context, array.RecordReader) error          { return nil }
func (discard) Query(context.Context, string) error                      { return nil }
func (discard) Dropped(context.Context, string) error                    { return nil }
func (discard) DroppedRecords(context.Context, array.RecordReader) error { return nil }
func (discard) Temp(context.Context, string) (string, error)             { return "t", nil }

// TestCheckNDJSONTimeTypes: a timestamp key holding booleans is a problem,
// one holding ISO text and epoch integers is not.
func TestCheckNDJSONTimeTypes(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "in", "a.ndjson"), `{"id":"a","ts":"2026-05-01T00:00:00Z","ok":1777593600,"b":true}`+"\n"+`{"id":"b","ts":1777593600,"b":null}`+"\n")
	block := "{ kind: files, path: in/*.ndjson }"
	res, err := files.New().Check(context.Background(), checkRequest(t, dir, block, []string{"id"}, "ok", "ts", nil))
	if err != nil || len(res.Problems) != 0 || res.Rows != 2 {
		t.Errorf("text and integer times: %+v (%v), want 2 rows and no problem", res, err)
	}
	res, err = files.New().Check(context.Background(), checkRequest(t, dir, block, []string{"id"}, "", "b", nil))
	want := []string{`feed f: the timestamp key "b" holds JSON BOOLEAN values in in/a.ndjson; it must hold times: ISO 8601 text or epoch integers`}
	if err != nil || !cmp.Equal(res.Problems, want) {
		t.Errorf("boolean timestamp: problems %q (%v), want %q", res.Problems, err, want)
	}
}

// TestCheckAppendedFile: of a line file that grew since it was read, check
// counts the rows of the new part only (a CSV's header still known), and
// none when nothing but an unfinished line was added.
func TestCheckAppendedFile(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, block, first, added, unfinished string }{
		{"a.csv", "{ kind: files, path: a.csv }", "id,ts\n1,x\n2,x\n", "3,x\n4,x\n5,x\n", "6,"},
		{"a.ndjson", "{ kind: files, path: a.ndjson }", `{"id":1}` + "\n", `{"id":2}` + "\n" + `{"id":3}` + "\n" + `{"id":4}` + "\n", `{"id":`},
		{"b.ndjson", "{ kind: files, path: b.ndjson, format: batch }", `{"events":[]}` + "\n", `{"x":1}` + "\n" + `{"x":2}` + "\n" + `{"x":3}` + "\n", `{"x"`},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name)
		write(t, path, c.first)
		var cols []string
		if !strings.Contains(c.block, "batch") {
			cols = []string{"id"}
		}
		req := checkRequest(t, dir, c.block, cols, "", "", nil)
		req.State = readState(t, req)
		write(t, path, c.first+c.added)
		if res, err := files.New().Check(context.Background(), req); err != nil || res.Rows != 3 || len(res.Problems) != 0 {
			t.Errorf("%s appended: %+v (%v), want 3 rows", c.name, res, err)
		}
		req.State = readState(t, req)
		write(t, path, c.first+c.added+c.unfinished)
		if res, err := files.New().Check(context.Background(), req); err != nil || res.Rows != 0 || len(res.Columns) != len(cols) || len(res.Problems) != 0 {
			t.Errorf("%s with an unfinished line: %+v (%v), want 0 rows and the columns", c.name, res, err)
		}
	}
}

package files_test

import (
	"bytes"
	"compress/gzip"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/files"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// seq numbers the files a fixture writes so each write is a new file.
var seq int

func csvText(rows []connectortest.Row) string {
	var b strings.Builder
	b.WriteString("id,email,tier,ts,unused\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s,%s,%s,x\n", r.ID, r.Email, r.Tier, r.TS.Format(time.RFC3339))
	}
	return b.String()
}

func ndjsonText(rows []connectortest.Row) string {
	var b strings.Builder
	for _, r := range rows {
		line, _ := json.Marshal(map[string]any{"id": r.ID, "email": r.Email, "tier": r.Tier, "ts": r.TS.Format(time.RFC3339), "n": 1})
		b.Write(append(line, '\n'))
	}
	return b.String()
}

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func write(t *testing.T, path, content string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// textFixture writes each batch of rows as a new file of one text format.
func textFixture(ext string, render func([]connectortest.Row) string, block string) connectortest.Fixture {
	return connectortest.Fixture{
		Incremental: true,
		Write: func(t *testing.T, dir string, rows []connectortest.Row) string {
			seq++
			write(t, filepath.Join(dir, "in", fmt.Sprintf("part-%04d%s", seq, ext)), render(rows))
			return block
		},
	}
}

// parquetFixture writes each batch as a Parquet file with typed columns.
func parquetFixture() connectortest.Fixture {
	return connectortest.Fixture{
		Incremental: true,
		Write: func(t *testing.T, dir string, rows []connectortest.Row) string {
			seq++
			csvPath := filepath.Join(t.TempDir(), "rows.csv")
			write(t, csvPath, csvText(rows))
			db, err := sql.Open("duckdb", "")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			out := filepath.Join(dir, "in", fmt.Sprintf("part-%04d.parquet", seq))
			os.MkdirAll(filepath.Dir(out), 0o755)
			q := fmt.Sprintf(`COPY (SELECT id, email, tier, CAST(ts AS TIMESTAMPTZ) AS ts, 42 AS unused
				FROM read_csv('%s', all_varchar = true)) TO '%s' (FORMAT parquet)`, csvPath, out)
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
			return "{ kind: files, path: in/*.parquet }"
		},
	}
}

func TestConformance(t *testing.T) {
	cases := map[string]connectortest.Fixture{
		"csv":       textFixture(".csv", csvText, "{ kind: files, path: in/*.csv }"),
		"csv.gz":    textFixture(".csv.gz", func(r []connectortest.Row) string { return gz(csvText(r)) }, "{ kind: files, path: in/*.csv.gz }"),
		"tsv":       textFixture(".txt", func(r []connectortest.Row) string { return strings.ReplaceAll(csvText(r), ",", "\t") }, "{ kind: files, path: in/*.txt, format: csv, delimiter: \"\\t\" }"),
		"ndjson":    textFixture(".ndjson", ndjsonText, "{ kind: files, path: in/*.ndjson }"),
		"ndjson.gz": textFixture(".jsonl.gz", func(r []connectortest.Row) string { return gz(ndjsonText(r)) }, "{ kind: files, path: in/*.jsonl.gz }"),
		"parquet":   parquetFixture(),
	}
	for name, fx := range cases {
		t.Run(name, func(t *testing.T) { connectortest.TestSource(t, files.New(), fx) })
	}
}

// validate runs the files source's Validate on a one-feed pipeline.
func validate(t *testing.T, dir, block string) error {
	t.Helper()
	yaml := "version: 1\nname: v\nfeeds:\n  - name: f\n    source: " + block + "\n    source_type: csv\n    identities: { id: customerid }\n"
	path := filepath.Join(dir, "p.yaml")
	write(t, path, yaml)
	p, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return files.New().Validate(connectors.ValidateRequest{Feed: "f", Source: p.Feeds[0].Source, Resolve: p.Resolve})
}

func TestValidateErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "data.bin"), "x")
	write(t, filepath.Join(dir, "a.csv"), "id\n1\n")
	cases := map[string]string{
		"{ kind: files }":                             `p.yaml:5:21: feeds[0].source.kind: a files source needs ` + "`path:`",
		"{ kind: files, path: nope/*.csv }":           `p.yaml:5:34: feeds[0].source.path: feed f: no file matches "nope/*.csv"`,
		"{ kind: files, path: data.bin }":             `p.yaml:5:34: feeds[0].source.path: cannot tell the format of "data.bin" from its extension`,
		"{ kind: files, path: a.csv, format: xls }":   `p.yaml:5:49: feeds[0].source.format: unknown format "xls" (expected one of: csv, ndjson, parquet, batch)`,
		"{ kind: files, path: a.csv, delimiter: ab }": `p.yaml:5:52: feeds[0].source.delimiter: delimiter must be one character`,
		"{ kind: files, path: a.csv, pth: x }":        `p.yaml:5:41: unknown key "pth", did you mean "path"?`,
	}
	for block, want := range cases {
		err := validate(t, dir, block)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant it to contain %q", block, err, want)
		}
	}
}

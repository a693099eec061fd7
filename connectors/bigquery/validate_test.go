package bigquery

import (
	"strings"
	"testing"

	"cloud.google.com/go/bigquery"
)

func TestValidate(t *testing.T) {
	cases := []struct{ block, want string }{
		{`{ kind: bigquery, project: p, dataset: d, table: t }`, ""},
		{`{ kind: bigquery, project: p, query: "SELECT 1 AS id" }`, ""},
		{`{ kind: bigquery, project: p, dataset: d, table: t, endpoint: "127.0.0.1:9050", read_endpoint: "127.0.0.1:9060", storage_read: false }`, ""},
		{`{ kind: bigquery, dataset: d, table: t }`, "needs `project:`"},
		{`{ kind: bigquery, project: p, dataset: d }`, "needs `table:` (with `dataset:`) or `query:`"},
		{`{ kind: bigquery, project: p, table: t }`, "`table: t` needs `dataset:`"},
		{`{ kind: bigquery, project: p, dataset: d, table: t, query: "SELECT 1" }`, "either `table:` (with `dataset:`) or `query:`, not both"},
		{`{ kind: bigquery, project: p, dataset: d, table: t, read_endpoint: "x:1" }`, "`read_endpoint:` goes with `endpoint:`"},
		{`{ kind: bigquery, project: p, dataset: d, table: t, endpoint_env: E, read_endpoint: "x:1" }`, ""},
		{`{ kind: bigquery, project: p, dataset: d, table: t, endpoint: "ftp://x" }`, `endpoint "ftp://x" is not host:port or an http(s) URL`},
		{`{ kind: bigquery, project: p, dataset: d, table: t, credentials_file: nowhere.json }`, ""}, // CheckEnv's (env_test.go)
		{`{ kind: bigquery, project: p, dataset: d, table: t, storage_read: maybe }`, "storage_read"},
		{`{ kind: bigquery, project: p, dataset: d, table: t, network_retries: -1 }`, "`network_retries: -1` must be 0 or more"},
		{`{ kind: bigquery, project: p, dataset: d, table: t, network_retries: 0 }`, ""},
	}
	for _, tc := range cases {
		err := New().Validate(request(t, tc.block, nil, "", "").ValidateRequest)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.block, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want it to say %q", tc.block, err, tc.want)
		case tc.want != "" && !strings.Contains(err.Error(), "pipeline.yaml:"):
			t.Errorf("%s: err = %v, want a file:line:col position", tc.block, err)
		}
	}
}

func TestBuildQuery(t *testing.T) {
	schema := bigquery.Schema{
		{Name: "Email", Type: bigquery.StringFieldType},
		{Name: "we`ird\\name", Type: bigquery.StringFieldType},
		{Name: "updated_at", Type: bigquery.TimestampFieldType},
	}
	c := Config{Project: "my-project", Dataset: "crm", Table: "customers"}
	sql, params, err := buildQuery(c, schema, []string{"email", "we`ird\\name"}, "updated_at", "2026-05-01 09:00:00+00")
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT `Email` AS `email`, `we\\`ird\\\\name`, `updated_at`\n" +
		"FROM `my-project`.`crm`.`customers`\n" +
		"WHERE `updated_at` > @watermark\n" +
		"ORDER BY `updated_at`"
	if strings.TrimSpace(sql) != want {
		t.Errorf("sql:\n%s\nwant:\n%s", sql, want)
	}
	if len(params) != 1 || params[0].Name != "watermark" || params[0].Value.(interface{ Unix() int64 }).Unix() != 1777626000 {
		t.Errorf("params = %+v, want @watermark = 2026-05-01T09:00:00Z as a TIMESTAMP", params)
	}
	c = Config{Project: "p", Query: "SELECT 1 AS Email, CURRENT_TIMESTAMP() AS updated_at -- note\n;\n"}
	sql, params, err = buildQuery(c, schema, []string{"Email"}, "", "")
	if err != nil || len(params) != 0 {
		t.Fatal(err, params)
	}
	want = "SELECT `Email`\nFROM (\nSELECT 1 AS Email, CURRENT_TIMESTAMP() AS updated_at -- note\n) AS src"
	if strings.TrimSpace(sql) != want {
		t.Errorf("sql:\n%s\nwant:\n%s", sql, want)
	}
}

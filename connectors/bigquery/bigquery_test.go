package bigquery

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
)

var conformanceSchema = bigquery.Schema{
	{Name: "id", Type: bigquery.StringFieldType},
	{Name: "email", Type: bigquery.StringFieldType},
	{Name: "tier", Type: bigquery.StringFieldType},
	{Name: "ts", Type: bigquery.TimestampFieldType},
	{Name: "unmapped", Type: bigquery.StringFieldType},
}

// TestConformance runs the connector suite against the emulator, through
// the REST path (the emulator's Storage Read API is not used: no
// read_endpoint). The source reaches the emulator through a proxy, which
// Break takes down after the first batch of a multi-page read: the read
// must fail promptly, not retry until its context ends.
func TestConformance(t *testing.T) {
	c := emuClient(t)
	px := newProxy(t, strings.TrimPrefix(emulator(t), "http://"))
	connectortest.TestSource(t, &Source{BatchRows: 100}, connectortest.Fixture{
		Write: func(t *testing.T, dir string, rows []connectortest.Row) string {
			table := tableName("conf", dir)
			tb := ensureTable(t, c, table, conformanceSchema)
			vals := make([][]bigquery.Value, len(rows))
			for i, r := range rows {
				vals[i] = []bigquery.Value{r.ID, r.Email, r.Tier, r.TS, "not read"}
			}
			insert(t, tb, conformanceSchema, vals)
			return fmt.Sprintf("{ kind: bigquery, project: %s, dataset: %s, table: %s, endpoint: %q, network_retries: 2 }", emuProject, emuDataset, table, px.addr)
		},
		Break:       func(*testing.T) { px.Break() },
		Restore:     func(*testing.T) { px.Restore() },
		FailWithin:  20 * time.Second,
		MidReadRows: 2000,
	})
}

// TestRESTTypes reads a table holding each type through REST and checks,
// type by type, that DuckDB gets what the Storage Read path gives it
// (typeCases, shared with TestStorageTypes).
func TestRESTTypes(t *testing.T) {
	c := emuClient(t)
	schema := bigquery.Schema{
		{Name: "int64_col", Type: bigquery.IntegerFieldType},
		{Name: "float64_col", Type: bigquery.FloatFieldType},
		{Name: "numeric_col", Type: bigquery.NumericFieldType},
		{Name: "bool_col", Type: bigquery.BooleanFieldType},
		{Name: "string_col", Type: bigquery.StringFieldType},
		{Name: "bytes_col", Type: bigquery.BytesFieldType},
		{Name: "date_col", Type: bigquery.DateFieldType},
		{Name: "datetime_col", Type: bigquery.DateTimeFieldType},
		{Name: "timestamp_col", Type: bigquery.TimestampFieldType},
		{Name: "time_col", Type: bigquery.TimeFieldType},
		{Name: "json_col", Type: bigquery.JSONFieldType},
		{Name: "geography_col", Type: bigquery.GeographyFieldType},
		{Name: "array_col", Type: bigquery.StringFieldType, Repeated: true},
		{Name: "struct_col", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{
			{Name: "n", Type: bigquery.IntegerFieldType},
			{Name: "s", Type: bigquery.StringFieldType},
			{Name: "j", Type: bigquery.JSONFieldType},
		}},
	}
	table := tableName("types", t.Name()+time.Now().String())
	ensureTable(t, c, table, schema)
	dml, err := os.ReadFile("../../testdata/bigquery/types.sql")
	if err != nil {
		t.Fatal(err)
	}
	runDML(t, c, strings.ReplaceAll(string(dml), "INSERT INTO TABLE", "INSERT INTO `"+emuProject+"."+emuDataset+"."+table+"`"))
	var cols []string
	for _, f := range schema {
		cols = append(cols, f.Name)
	}
	sink := newTableSink(t)
	state, err := New().Read(context.Background(), request(t, emuBlock(t, table), cols, "", ""), sink)
	if err != nil {
		t.Fatal(err)
	}
	var st State
	if err := json.Unmarshal(state, &st); err != nil || st != (State{Path: PathREST, Rows: 3}) {
		t.Fatalf("state %s (%v), want the REST path and 3 rows", state, err)
	}
	checkTypes(t, sink)
}

// TestIncremental: with a cursor and a watermark, only later rows are read,
// in cursor order, and only the mapped columns; the watermark goes in as a
// parameter, so text that would break a concatenated statement is just a
// value.
func TestIncremental(t *testing.T) {
	c := emuClient(t)
	schema := bigquery.Schema{
		{Name: "id", Type: bigquery.StringFieldType},
		{Name: "ts", Type: bigquery.TimestampFieldType},
		{Name: "n", Type: bigquery.IntegerFieldType},
		{Name: "s", Type: bigquery.StringFieldType},
		{Name: "secret", Type: bigquery.StringFieldType},
	}
	table := tableName("incr", t.Name()+time.Now().String())
	tb := ensureTable(t, c, table, schema)
	base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	var rows [][]bigquery.Value
	for _, i := range []int{3, 1, 4, 0, 2} { // stored out of cursor order
		rows = append(rows, []bigquery.Value{string(rune('a' + i)), base.Add(time.Duration(i) * time.Minute), int64(i * 10), string(rune('a'+i)) + "'x", "no"})
	}
	insert(t, tb, schema, rows)
	cases := []struct {
		name, cursor, watermark string
		want                    []string
	}{
		{"no watermark: all rows in cursor order", "ts", "", []string{"a", "b", "c", "d", "e"}},
		{"timestamp watermark as DuckDB writes it", "ts", "2026-05-01 00:02:00+00", []string{"d", "e"}},
		{"integer watermark", "n", "10", []string{"c", "d", "e"}},
		{"string watermark with a quote", "s", "b'x' OR TRUE --", []string{"c", "d", "e"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := newTableSink(t)
			_, err := New().Read(context.Background(), request(t, emuBlock(t, table), []string{"id"}, tc.cursor, tc.watermark), sink)
			if err != nil {
				t.Fatal(err)
			}
			_, got := sink.column(t, "id")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ids read (-want +got):\n%s", diff)
			}
			var n int
			if err := sink.tx.QueryRow(context.Background(), `SELECT count(*) FROM duckdb_columns() WHERE table_name = 'staged'`).Scan(&n); err != nil || n != 2 {
				t.Errorf("staged %d columns (%v), want 2: id and the cursor", n, err)
			}
		})
	}
}

// TestReadErrors: what a user sees when the mapping or the types are wrong.
func TestReadErrors(t *testing.T) {
	c := emuClient(t)
	schema := bigquery.Schema{{Name: "id", Type: bigquery.StringFieldType}, {Name: "big", Type: bigquery.BigNumericFieldType}}
	table := tableName("errs", t.Name())
	ensureTable(t, c, table, schema)
	for _, tc := range []struct {
		columns []string
		want    string
	}{
		{[]string{"id", "nope"}, `column "nope" is not in the source (it has: id, big)`},
		{[]string{"id", "big"}, "column \"big\" is BIGNUMERIC, which cannot cross into DuckDB through Arrow: read it with `query:` and CAST(`big` AS STRING)"},
	} {
		_, err := New().Read(context.Background(), request(t, emuBlock(t, table), tc.columns, "", ""), newTableSink(t))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("columns %v: err = %v, want it to say %q", tc.columns, err, tc.want)
		}
	}
}

// TestQuerySource reads a `query:`: the first read (no watermark) learns
// the cursor's type, which types the next read's watermark.
func TestQuerySource(t *testing.T) {
	c := emuClient(t)
	table := tableName("query", t.Name()+time.Now().String())
	tb := ensureTable(t, c, table, conformanceSchema)
	ts := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	insert(t, tb, conformanceSchema, [][]bigquery.Value{{"C1", "a@x", "gold", ts, "u"}, {"C2", "b@x", "silver", ts.Add(time.Hour), "u"}})
	q := "SELECT id, UPPER(tier) AS tier, ts FROM `" + emuProject + "." + emuDataset + "." + table + "` WHERE tier != 'none';"
	block := fmtBlock(emulator(t), q)
	sink := newTableSink(t)
	state, err := New().Read(context.Background(), request(t, block, []string{"id", "tier"}, "ts", ""), sink)
	if err != nil {
		t.Fatal(err)
	}
	if _, got := sink.column(t, "tier"); !cmp.Equal(got, []string{"GOLD", "SILVER"}) {
		t.Errorf("first read: tiers %q, want GOLD, SILVER", got)
	}
	var st State
	if err := json.Unmarshal(state, &st); err != nil || st.Cursor != "ts" || st.CursorType != "TIMESTAMP" {
		t.Fatalf("state %s (%v), want the cursor ts typed TIMESTAMP", state, err)
	}
	req := request(t, block, []string{"id", "tier"}, "ts", "2026-05-01 00:00:00+00")
	req.State = state
	sink = newTableSink(t)
	if _, err := New().Read(context.Background(), req, sink); err != nil {
		t.Fatal(err)
	}
	if _, got := sink.column(t, "tier"); !cmp.Equal(got, []string{"SILVER"}) {
		t.Errorf("read past the watermark: tiers %q, want SILVER", got)
	}
}

func fmtBlock(endpoint, query string) string {
	b, _ := json.Marshal(map[string]string{"kind": "bigquery", "project": emuProject, "endpoint": endpoint, "query": query})
	return string(b) // JSON is YAML flow syntax
}

// TestCredentialsNotLeaked: a service-account key that cannot get a token
// fails the read without its private key or key id in the error.
func TestCredentialsNotLeaked(t *testing.T) {
	dir := t.TempDir()
	key := map[string]string{
		"type": "service_account", "project_id": emuProject, "private_key_id": "0123456789abcdef0123456789abcdef01234567",
		"private_key":  "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7SECRETSECRET\n-----END PRIVATE KEY-----\n",
		"client_email": "mosaic@mosaic-demo.iam.gserviceaccount.com", "client_id": "1", "token_uri": "http://127.0.0.1:9/token",
	}
	b, _ := json.Marshal(key)
	if err := os.WriteFile(filepath.Join(dir, "key.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	block := `{ kind: bigquery, project: ` + emuProject + `, dataset: retail, table: customers, endpoint: "127.0.0.1:9", credentials_file: ` + filepath.Join(dir, "key.json") + ` }`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := New().Read(ctx, request(t, block, []string{"customer_id"}, "", ""), newTableSink(t))
	if err == nil {
		t.Fatal("a read with an unusable key succeeded")
	}
	for _, secret := range []string{"SECRETSECRET", "PRIVATE KEY", key["private_key_id"]} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows %q: %v", secret, err)
		}
	}
}

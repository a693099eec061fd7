package bigquery_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gbq "cloud.google.com/go/bigquery"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/bigquery"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
)

// The emulator's project and the dataset where tests make their tables
// (testdata/bigquery/emulator.yaml).
const (
	outProject  = "mosaic-demo"
	outDataset  = "conformance"
	emulatorEnv = "MOSAIC_BIGQUERY_EMULATOR"
)

// outClient is a client of the emulator named by MOSAIC_BIGQUERY_EMULATOR,
// or skips the test.
func outClient(t *testing.T) *gbq.Client {
	t.Helper()
	v := os.Getenv(emulatorEnv)
	if v == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the BigQuery emulator tests: .ci/run sources .ci/bigquery-emulator.sh, which sets MOSAIC_BIGQUERY_EMULATOR")
		}
		t.Skip("needs the BigQuery emulator: `source .ci/bigquery-emulator.sh` (builds and starts it, sets MOSAIC_BIGQUERY_EMULATOR=host:port), then run the tests again")
	}
	if !strings.Contains(v, "://") {
		v = "http://" + v
	}
	c, err := gbq.NewClient(context.Background(), outProject, option.WithEndpoint(v), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func randomTable(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// dml runs a statement with named parameters in the emulator.
func dml(t *testing.T, c *gbq.Client, sql string, params ...gbq.QueryParameter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := c.Query(sql)
	q.Parameters = params
	job, err := q.Run(ctx)
	if err == nil {
		var st *gbq.JobStatus
		if st, err = job.Wait(ctx); err == nil {
			err = st.Err()
		}
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
}

// held reads a table as key → JSON object of its other columns, nulls
// left out; JSON columns keep their JSON value.
func held(t *testing.T, c *gbq.Client, table string) map[string]string {
	t.Helper()
	ctx := context.Background()
	md, err := c.Dataset(outDataset).Table(table).Metadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	it := c.Dataset(outDataset).Table(table).Read(ctx)
	out := map[string]string{}
	for {
		var row []gbq.Value
		err := it.Next(&row)
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		obj := map[string]any{}
		var key string
		for i, f := range md.Schema {
			v := row[i]
			switch {
			case f.Name == "key":
				key, _ = v.(string)
			case v == nil:
			case f.Type == gbq.JSONFieldType:
				var x any
				if err := json.Unmarshal([]byte(v.(string)), &x); err != nil {
					t.Fatalf("column %s holds %q, not JSON: %v", f.Name, v, err)
				}
				obj[f.Name] = x
			default:
				obj[f.Name] = v
			}
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		out[key] = string(b)
	}
	return out
}

// refuser is an HTTP proxy in front of the emulator that answers the
// next left requests with 503 backendError, as BigQuery does when it
// fails.
type refuser struct {
	left atomic.Int64
	url  string
}

func newRefuser(t *testing.T) *refuser {
	t.Helper()
	target, err := url.Parse("http://" + strings.TrimPrefix(os.Getenv(emulatorEnv), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	r := &refuser{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.left.Add(-1) >= 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":{"code":503,"message":"refused by the test","errors":[{"reason":"backendError","message":"refused by the test"}]}}`)
			return
		}
		rp.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// TestDestinationConformance runs the destination suite against the
// BigQuery emulator, each output into a fresh table of the conformance
// dataset, through a proxy that can answer 503; a co-writer's rows sit in
// the same tables. Afterwards the staging tables must be empty.
//
// Tests here drop no table: the emulator leaks about 200 MB on every DROP
// TABLE and dies past 2 GB; it is thrown away after the tests.
func TestDestinationConformance(t *testing.T) {
	c := outClient(t)
	ctx := context.Background()
	proxy := newRefuser(t)
	tables := map[string]string{}
	var made []string
	connectortest.RunDestination(t, "bigquery", bigquery.NewDestination(), connectortest.DestinationFixture{
		Output: func(t *testing.T, dir, name string) string {
			tables[name] = randomTable("out_" + name + "_")
			made = append(made, tables[name])
			return "    kind: bigquery\n    project: " + outProject + "\n    dataset: " + outDataset + "\n    table: " + tables[name] + "\n    endpoint: " + proxy.url + "\n    timeout: 5s\n"
		},
		Held: func(t *testing.T, name string) map[string]string {
			return held(t, c, tables[name])
		},
		Foreign: func(t *testing.T, name, key string) {
			dml(t, c, "INSERT INTO `"+outProject+"`.`"+outDataset+"`.`"+tables[name]+"` (`key`) VALUES (@key)", gbq.QueryParameter{Name: "key", Value: key})
		},
		Fail: func(t *testing.T, n int) { proxy.left.Store(int64(n)) },
	})
	for _, m := range made {
		for _, out := range []string{"crm", "gold"} {
			stage := m + "_mosaic_stage_" + out
			if _, err := c.Dataset(outDataset).Table(stage).Metadata(ctx); err != nil {
				continue // not this output's table
			}
			if rows := held(t, c, stage); len(rows) > 0 {
				t.Errorf("staging table %s holds %d rows after its syncs, want none", stage, len(rows))
			}
		}
	}
}

// TestOutputTableMissingColumns: a table that exists without a field's
// column fails Open naming the column and the fix.
func TestOutputTableMissingColumns(t *testing.T) {
	c := outClient(t)
	ctx := context.Background()
	table := randomTable("out_cols_")
	tb := c.Dataset(outDataset).Table(table)
	if err := tb.Create(ctx, &gbq.TableMetadata{Schema: gbq.Schema{
		{Name: "key", Type: gbq.StringFieldType}, {Name: "email", Type: gbq.StringFieldType},
	}}); err != nil {
		t.Fatal(err)
	}
	o := connectortest.ParseOutput(t, "    kind: bigquery\n    project: "+outProject+"\n    dataset: "+outDataset+"\n    table: "+table+"\n    endpoint_env: "+emulatorEnv+"\n    send: profiles\n    key: email\n    fields: { email: identity.email, tier: attribute.tier }\n")
	w, err := bigquery.NewDestination().Open(ctx, connectors.OutputRequest{Output: o, Fields: []string{"email", "tier"}})
	if err == nil {
		w.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "without the columns tier") || !strings.Contains(err.Error(), "ADD COLUMN `tier` JSON") || strings.Contains(err.Error(), "output o") {
		t.Fatalf("Open: %v; want an error naming the missing column tier and the fix, and not the output (the engine names it)", err)
	}
}

// TestOutputValidate checks the output's keys, with positions, without
// reading the environment.
func TestOutputValidate(t *testing.T) {
	t.Setenv("MOSAIC_TEST_UNSET", "")
	cases := []struct{ lines, want string }{
		{"    project: my-project\n    dataset: crm\n    table: customers\n", ""},
		{"    project: my-project\n    dataset: crm\n    table: customers\n    endpoint_env: MOSAIC_TEST_UNSET\n    location: EU\n", ""},
		{"    dataset: crm\n    table: customers\n", "needs `project:`"},
		{"    project: my-project\n    table: customers\n", "needs `dataset:`"},
		{"    project: my-project\n    dataset: crm\n", "needs `table:`"},
		{"    project: my-project\n    dataset: crm.x\n    table: customers\n", "not a BigQuery dataset name"},
		{"    project: my-project\n    dataset: crm\n    table: crm.customers\n", "give the dataset in `dataset:`"},
		{"    project: my-project\n    dataset: crm\n    table: t\n    endpoint: ftp://x\n", "not host:port or an http(s) URL"},
		{"    project: my-project\n    dataset: crm\n    table: t\n    endpoint: x:1\n    endpoint_env: E\n", "either `endpoint:` or `endpoint_env:`"},
		{"    project: my-project\n    dataset: crm\n    table: t\n    tabel: x\n", "tabel"},
	}
	for _, tc := range cases {
		o := connectortest.ParseOutput(t, "    kind: bigquery\n"+tc.lines+"    send: profiles\n    key: email\n    fields: { email: identity.email }\n")
		err := bigquery.NewDestination().Validate(connectors.OutputRequest{Output: o})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.lines, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want it to say %q", tc.lines, err, tc.want)
		case tc.want != "" && !strings.Contains(err.Error(), "p.yaml:"):
			t.Errorf("%s: err = %v, want a file:line:col position", tc.lines, err)
		}
	}
}

// TestOutputCheckEnv: endpoint_env's variable may be unset (the real
// API) but when set is an endpoint; the credentials file must be there.
func TestOutputCheckEnv(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/key.json", []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	req := func(file string) connectors.OutputRequest {
		o := connectortest.ParseOutput(t, "    kind: bigquery\n    project: my-project\n    dataset: crm\n    table: t\n    endpoint_env: BQ_TEST_ENDPOINT\n    credentials_file: "+file+"\n"+
			"    send: profiles\n    key: email\n    fields: { email: identity.email }\n")
		return connectors.OutputRequest{Output: o, Resolve: func(p string) string { return dir + "/" + p }}
	}
	connectortest.RunEnvCases(t, bigquery.NewDestination(), req("key.json"), []connectortest.EnvCase{
		{Env: map[string]string{}},
		{Env: map[string]string{"BQ_TEST_ENDPOINT": "127.0.0.1:9050"}},
		{Env: map[string]string{"BQ_TEST_ENDPOINT": "ftp://tok-host"}, Want: "p.yaml:14:19: outputs[0].endpoint_env: environment variable BQ_TEST_ENDPOINT is set, but output o cannot sync with it: it is not host:port or an http(s) URL; fix the variable or unset it to use the real BigQuery API"},
	})
	connectortest.RunEnvCases(t, bigquery.NewDestination(), req("gone.json"), []connectortest.EnvCase{
		{Env: map[string]string{"BQ_TEST_ENDPOINT": ""}, Want: "p.yaml:15:23: outputs[0].credentials_file: output o cannot sync: cannot read the service-account key file " + dir + "/gone.json: no such file or directory"},
	})
}

// TestOutputWrites: under nulls: skip a field left out keeps the table's
// value, under nulls: send a null clears it; a profile time lands as a
// TIMESTAMP; a sync with fewer fields remakes the staging table; a remove of a key never
// delivered is harmless; a record whose value does not fit its column is
// rejected alone while the rest of its batch lands.
func TestOutputWrites(t *testing.T) {
	c := outClient(t)
	ctx := context.Background()
	table := randomTable("out_writes_")
	open := func(nulls, fields string, names ...string) connectors.Writer {
		t.Helper()
		o := connectortest.ParseOutput(t, "    kind: bigquery\n    project: "+outProject+"\n    dataset: "+outDataset+"\n    table: "+table+"\n    endpoint_env: "+emulatorEnv+
			"\n    send: profiles\n    key: email\n    nulls: "+nulls+"\n    fields: { "+fields+" }\n")
		w, err := bigquery.NewDestination().Open(ctx, connectors.OutputRequest{Output: o, Fields: names})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	write := func(w connectors.Writer, recs ...connectors.Record) []error {
		t.Helper()
		errs, err := w.Write(ctx, connectors.Batch{Output: "o", Records: recs})
		if err != nil {
			t.Fatal(err)
		}
		return errs
	}
	rec := func(op, key, fields string) connectors.Record {
		return connectors.Record{Op: op, Key: key, Fields: json.RawMessage(fields)}
	}
	check := func(step string, want map[string]string) {
		t.Helper()
		got := held(t, c, table)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s holds %s, want %s", step, k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: the table holds %v, want %v", step, got, want)
		}
	}

	w := open("skip", "email: identity.email, id: mpid, tier: attribute.tier, seen: profile.last_seen_at", "email", "id", "tier", "seen")
	errs := write(w,
		rec("upsert", "a", `{"email":"a","id":1,"tier":{"level":"gold","since":2024},"seen":"2026-06-01T10:00:00.000Z"}`),
		rec("upsert", "b", `{"email":"b","id":"two","tier":"x"}`),
		rec("remove", "nobody", `{}`))
	if errs[0] != nil || errs[2] != nil || errs[1] == nil || !strings.Contains(errs[1].Error(), `field id: "two" does not fit an INT64 column`) {
		t.Errorf("errs = %v, want only record b rejected, for its id", errs)
	}
	check("first batch", map[string]string{"a": `{"email":"a","id":1,"seen":"2026-06-01T10:00:00Z","tier":{"level":"gold","since":2024}}`})
	write(w, rec("upsert", "a", `{"email":"a"}`))
	check("nulls: skip", map[string]string{"a": `{"email":"a","id":1,"seen":"2026-06-01T10:00:00Z","tier":{"level":"gold","since":2024}}`})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// Fewer fields: the staging table is made again; seen is left alone.
	w = open("send", "email: identity.email, id: mpid, tier: attribute.tier", "email", "id", "tier")
	write(w, rec("upsert", "a", `{"email":"a","id":2,"tier":null}`), rec("upsert", "c", `{"email":"c","tier":[1,"x"]}`))
	check("nulls: send", map[string]string{"a": `{"email":"a","id":2,"seen":"2026-06-01T10:00:00Z"}`, "c": `{"email":"c","tier":[1,"x"]}`})
	// A number wider than a double is rounded: BigQuery's PARSE_JSON
	// refuses it unless wide_number_mode is 'round' (and with it the whole
	// batch). The emulator rounds either way, so this checks only that the
	// statement is accepted and the value lands.
	write(w, rec("remove", "a", `{}`), rec("upsert", "d", `{"email":"d","tier":12345678901234567890}`))
	check("remove", map[string]string{"c": `{"email":"c","tier":[1,"x"]}`, "d": `{"email":"d","tier":12345678901234567000}`})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

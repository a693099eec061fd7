package gen

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/batch"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

const testUsers = 2000

// generated writes testUsers users (seed 7) into a fresh t.TempDir().
func generated(t *testing.T) (string, Summary) {
	t.Helper()
	dir := t.TempDir()
	sum, err := Generate(t.Context(), Options{Users: testUsers, Out: dir, Seed: 7})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return dir, sum
}

// webColumns are the columns of web.ndjson's batches, spelled out so that
// read_json does not guess.
const webColumns = `{environment: 'VARCHAR', source_request_id: 'VARCHAR', timestamp_unixtime_ms: 'BIGINT',
	user_identities: 'STRUCT(customer_id VARCHAR, email VARCHAR)',
	device_info: 'STRUCT(device_application_stamp VARCHAR)',
	events: 'STRUCT(event_type VARCHAR, data STRUCT(event_name VARCHAR, custom_event_type VARCHAR,
		timestamp_unixtime_ms BIGINT, source_message_id VARCHAR))[]'}`

// webView flattens web.ndjson's batches (one event each) to the columns of
// a web event: event_id, device_application_stamp, customer_id, email,
// event_name and occurred_at (ISO 8601 text, to the second, like
// purchases.csv).
const webView = `
	SELECT source_request_id AS event_id,
	       device_info.device_application_stamp AS device_application_stamp,
	       user_identities.customer_id AS customer_id,
	       user_identities.email AS email,
	       events[1].data.event_name AS event_name,
	       strftime(make_timestamp(timestamp_unixtime_ms * 1000), '%%Y-%%m-%%dT%%H:%%M:%%SZ') AS occurred_at
	FROM read_json('%s', format = 'newline_delimited', columns = %s)`

// appColumns are the columns of app.ndjson's batches.
const appColumns = `{environment: 'VARCHAR', source_request_id: 'VARCHAR', timestamp_unixtime_ms: 'BIGINT',
	user_identities: 'STRUCT(customer_id VARCHAR)',
	device_info: 'STRUCT(ios_advertising_id VARCHAR, android_uuid VARCHAR)',
	events: 'STRUCT(event_type VARCHAR, data STRUCT(event_name VARCHAR, custom_event_type VARCHAR,
		timestamp_unixtime_ms BIGINT, source_message_id VARCHAR))[]'}`

// appView flattens app.ndjson's batches (one event each) to the columns of
// an app event: event_id, ios_idfa, android_uuid, customer_id, event_name
// and occurred_at.
const appView = `
	SELECT source_request_id AS event_id,
	       device_info.ios_advertising_id AS ios_idfa,
	       device_info.android_uuid AS android_uuid,
	       user_identities.customer_id AS customer_id,
	       events[1].data.event_name AS event_name,
	       make_timestamptz(timestamp_unixtime_ms * 1000) AS occurred_at
	FROM read_json('%s', format = 'newline_delimited', columns = %s)`

// query runs q against a fresh in-memory DuckDB with the data set's files
// as views web (flattened by webView), app, crm and purchases; CSV columns
// are read as text.
func query(t *testing.T, dir, q string, dest ...any) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	views := map[string]string{
		"web":       fmt.Sprintf("("+webView+")", filepath.Join(dir, WebFile), webColumns),
		"purchases": fmt.Sprintf("read_csv('%s', header = true, all_varchar = true)", filepath.Join(dir, PurchasesFile)),
		"app":       fmt.Sprintf("("+appView+")", filepath.Join(dir, AppFile), appColumns),
		"crm":       fmt.Sprintf("read_parquet('%s')", filepath.Join(dir, CRMFile)),
	}
	for name, src := range views {
		if _, err := conn.ExecContext(t.Context(), fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM %s", name, src)); err != nil {
			t.Fatalf("view %s: %v", name, err)
		}
	}
	if err := conn.QueryRowContext(t.Context(), q).Scan(dest...); err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
}

func between(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s = %.3f, want between %.3f and %.3f", what, got, lo, hi)
	}
}

func TestGenerateFilesAndRowCounts(t *testing.T) {
	dir, sum := generated(t)
	var paths []string
	rows := map[string]int64{}
	for _, f := range sum.Files {
		paths = append(paths, f.Path)
		rows[f.Path] = f.Rows
		st, err := os.Stat(filepath.Join(dir, f.Path))
		if err != nil {
			t.Errorf("%s: %v", f.Path, err)
			continue
		}
		if st.Size() != f.Bytes || f.Bytes == 0 {
			t.Errorf("%s: summary says %d bytes, file has %d", f.Path, f.Bytes, st.Size())
		}
	}
	want := []string{CRMFile, WebFile, AppFile, PurchasesFile, PipelineFile}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if sum.Elapsed <= 0 {
		t.Errorf("Elapsed = %v", sum.Elapsed)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	n := float64(testUsers)
	between(t, "crm rows per user", float64(rows[CRMFile])/n, 0.70, 0.76)
	between(t, "web rows per user", float64(rows[WebFile])/n, 5.5, 7)
	between(t, "app rows per user", float64(rows[AppFile])/n, 1.8, 2.3)
	between(t, "purchase rows per user", float64(rows[PurchasesFile])/n, 0.7, 0.9)

	// The summary's counts are the files' counts.
	var crm, web, app, purchases int64
	query(t, dir, `SELECT (SELECT count(*) FROM crm), (SELECT count(*) FROM web),
		(SELECT count(*) FROM app), (SELECT count(*) FROM purchases)`, &crm, &web, &app, &purchases)
	got := map[string]int64{CRMFile: crm, WebFile: web, AppFile: app, PurchasesFile: purchases, PipelineFile: 0}
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("summary rows vs file rows (-summary +files):\n%s", diff)
	}
}

func TestColumns(t *testing.T) {
	dir, _ := generated(t)
	want := map[string]string{
		CRMFile: "customer_id VARCHAR, email VARCHAR, mobile_number VARCHAR, tier VARCHAR, lifetime_value DOUBLE, updated_at TIMESTAMP WITH TIME ZONE",
		AppFile: "environment VARCHAR, source_request_id UUID, timestamp_unixtime_ms BIGINT, " +
			"user_identities STRUCT(customer_id VARCHAR), " +
			"device_info STRUCT(ios_advertising_id UUID, android_uuid UUID), " +
			"events STRUCT(event_type VARCHAR, \"data\" STRUCT(event_name VARCHAR, custom_event_type VARCHAR, timestamp_unixtime_ms BIGINT, source_message_id UUID))[]",
		PurchasesFile: "order_id,customer_id,email,amount,currency,occurred_at",
		// The keys of the batches, in order, as read_json guesses their
		// types (the 0000000 bait cookie is no UUID).
		WebFile: "environment VARCHAR, source_request_id UUID, timestamp_unixtime_ms BIGINT, " +
			"user_identities STRUCT(customer_id VARCHAR, email VARCHAR), " +
			"device_info STRUCT(device_application_stamp VARCHAR), " +
			"events STRUCT(event_type VARCHAR, \"data\" STRUCT(event_name VARCHAR, custom_event_type VARCHAR, timestamp_unixtime_ms BIGINT, source_message_id UUID))[]",
	}
	got := map[string]string{}
	for f, src := range map[string]string{CRMFile: "read_parquet('%s')", AppFile: "read_json('%s')", WebFile: "read_json('%s')"} {
		var s string
		query(t, dir, fmt.Sprintf(`SELECT string_agg(column_name || ' ' || column_type, ', ')
			FROM (DESCRIBE SELECT * FROM `+src+`)`, filepath.Join(dir, f)), &s)
		got[f] = s
	}
	b, err := os.ReadFile(filepath.Join(dir, PurchasesFile))
	if err != nil {
		t.Fatal(err)
	}
	got[PurchasesFile], _, _ = strings.Cut(string(b), "\n") // the CSV header
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
}

func TestCRM(t *testing.T) {
	dir, _ := generated(t)
	var customers, rows, late, lateOlder, lateAtEnd int64
	var noMobile, badID float64
	var tiers string
	query(t, dir, `
		WITH f AS (SELECT *, row_number() OVER () AS pos FROM crm),
		     firsts AS (SELECT customer_id, min(pos) AS pos FROM f GROUP BY 1),
		     lates AS (SELECT f.*, (SELECT g.updated_at FROM f g WHERE g.pos = firsts.pos) AS first_at
		               FROM f JOIN firsts USING (customer_id) WHERE f.pos > firsts.pos)
		SELECT (SELECT count(*) FROM firsts), (SELECT count(*) FROM f),
		       (SELECT count(*) FROM lates), (SELECT count(*) FROM lates WHERE updated_at < first_at),
		       (SELECT count(*) FROM lates WHERE pos > (SELECT max(pos) FROM firsts)),
		       (SELECT avg((mobile_number IS NULL)::INT) FROM f),
		       (SELECT avg((NOT regexp_full_match(customer_id, 'C[0-9]{7}'))::INT) FROM f),
		       (SELECT string_agg(DISTINCT tier, ',' ORDER BY tier) FROM f)`,
		&customers, &rows, &late, &lateOlder, &lateAtEnd, &noMobile, &badID, &tiers)
	between(t, "registered share of users", float64(customers)/testUsers, 0.69, 0.71)
	between(t, "late rows per customer", float64(late)/float64(customers), 0.03, 0.08)
	if lateOlder != late || lateAtEnd != late || rows != customers+late {
		t.Errorf("late rows: %d, of which %d carry an older updated_at and %d come after all first rows; rows %d = customers %d + late?",
			late, lateOlder, lateAtEnd, rows, customers)
	}
	between(t, "share of rows without mobile number", noMobile, 0.10, 0.30)
	if badID != 0 {
		t.Errorf("share of customer ids not like C0000123: %v", badID)
	}
	if tiers != "bronze,gold,platinum,silver" {
		t.Errorf("tiers = %q", tiers)
	}
}

func TestWeb(t *testing.T) {
	dir, _ := generated(t)
	var loggedIn, neverLoggedIn, messy, unknownCustomer, maxCookies float64
	query(t, dir, `
		WITH cookies AS (
			SELECT device_application_stamp, count(*) AS n,
			       count(customer_id) FILTER (WHERE customer_id LIKE 'C%') = 0 AS anonymous
			FROM web GROUP BY 1)
		SELECT (SELECT avg((customer_id IS NOT NULL AND email IS NOT NULL)::INT) FROM web),
		       (SELECT sum(n) FILTER (WHERE anonymous) / sum(n) FROM cookies),
		       (SELECT avg((email <> lower(trim(email)))::INT) FROM web WHERE email IS NOT NULL),
		       (SELECT count(*) FROM web WHERE customer_id LIKE 'C%' AND customer_id NOT IN (SELECT customer_id FROM crm)),
		       (SELECT max(n) FROM (SELECT customer_id, count(DISTINCT device_application_stamp) AS n
		                            FROM web WHERE customer_id LIKE 'C%' AND device_application_stamp <> '0000000' GROUP BY 1))`,
		&loggedIn, &neverLoggedIn, &messy, &unknownCustomer, &maxCookies)
	// 70% of rows from registered people, 40% of those logged in.
	between(t, "logged-in share of web rows", loggedIn, 0.23, 0.33)
	// 30% from people who never register, plus registered people's cookies
	// that happen never to log in.
	between(t, "share of web rows from never-logged-in cookies", neverLoggedIn, 0.30, 0.50)
	between(t, "share of emails needing normalisation", messy, 0.15, 0.45)
	if unknownCustomer != 0 {
		t.Errorf("%v web rows name a customer that is not in the CRM", unknownCustomer)
	}
	if maxCookies > 3 {
		t.Errorf("a customer logged in from %v cookies, want at most 3", maxCookies)
	}
}

// TestWebBatchesDecode reads every line of web.ndjson with the decoder of
// `format: batch` feeds: each is a valid batch of one custom event, the
// bait identities included (the pipeline's blocklist drops those values).
func TestWebBatchesDecode(t *testing.T) {
	dir, sum := generated(t)
	fh, err := os.Open(filepath.Join(dir, WebFile))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, batch.MaxBatchBytes+1)
	var lines int64
	bait := map[string]int{}
	for sc.Scan() {
		lines++
		b, err := batch.Decode(sc.Bytes(), fmt.Sprintf("%s:%d", WebFile, lines))
		if err != nil {
			t.Fatalf("line %d: %v\n%s", lines, err, sc.Bytes())
		}
		if len(b.Events) != 1 {
			t.Fatalf("line %d: %d events, want 1\n%s", lines, len(b.Events), sc.Bytes())
		}
		e := b.Events[0]
		var raw struct {
			Events []struct {
				Data struct {
					Type string `json:"custom_event_type"`
				} `json:"data"`
			} `json:"events"`
		}
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			t.Fatal(err)
		}
		data := raw.Events[0].Data
		if b.SourceRequestID == "" || e.ID != b.SourceRequestID || e.Type != "custom_event" || data.Type != "navigation" ||
			!e.Time.Equal(b.Time) || e.Time.Before(Anchor.Add(-Window)) || !e.Time.Before(Anchor) {
			t.Fatalf("line %d: request %q, event %q of type %s/%s at %v, batch at %v; want one custom navigation event "+
				"with the request's id and time, inside the window\n%s", lines, b.SourceRequestID, e.ID, e.Type, data.Type, e.Time, b.Time, sc.Bytes())
		}
		if b.Identity("device_application_stamp") == "" {
			t.Fatalf("line %d: no cookie\n%s", lines, sc.Bytes())
		}
		for _, id := range b.Identities {
			switch id.Type {
			case "customerid", "email", "device_application_stamp":
			default:
				t.Fatalf("line %d: identity type %s\n%s", lines, id.Type, sc.Bytes())
			}
			if v := id.Value; v == "anonymous" || v == "null" || v == "0000000" || v == "test@example.com" {
				bait[id.Type+" "+v]++
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var rows int64
	for _, f := range sum.Files {
		if f.Path == WebFile {
			rows = f.Rows
		}
	}
	if lines != rows || rows == 0 {
		t.Errorf("%s has %d lines, the summary says %d rows", WebFile, lines, rows)
	}
	if len(bait) < 3 {
		t.Errorf("decoded bait identities %v, want several kinds", bait)
	}
}

func TestApp(t *testing.T) {
	dir, _ := generated(t)
	var oneDevice, withCustomer, superNodes, maxPeople float64
	query(t, dir, `
		WITH devices AS (
			SELECT coalesce(ios_idfa, android_uuid) AS device, count(*) AS n, count(DISTINCT customer_id) AS customers
			FROM app WHERE coalesce(ios_idfa, android_uuid) NOT LIKE '00000000-%' GROUP BY 1)
		SELECT (SELECT avg(((ios_idfa IS NULL) <> (android_uuid IS NULL))::INT) FROM app),
		       (SELECT avg((customer_id IS NOT NULL)::INT) FROM app),
		       (SELECT count(*) FROM devices WHERE n >= 20 AND customers >= 5),
		       (SELECT max(n) FROM devices)`,
		&oneDevice, &withCustomer, &superNodes, &maxPeople)
	if oneDevice != 1 {
		t.Errorf("share of app rows with exactly one of ios_idfa and android_uuid = %v, want 1", oneDevice)
	}
	between(t, "share of app rows with customer_id", withCustomer, 0.28, 0.42)
	if superNodes < 1 || maxPeople > 200 {
		t.Errorf("shared devices: %v with 20+ rows and 5+ customers, busiest has %v rows; want at least 1 and at most 200 rows", superNodes, maxPeople)
	}
}

func TestPurchasesTimesAndBait(t *testing.T) {
	dir, _ := generated(t)
	var badAmount, unknownCustomer, badTime float64
	var bait string
	query(t, dir, `
		WITH times AS (
			SELECT occurred_at AS s FROM web UNION ALL SELECT occurred_at FROM purchases),
		ids AS (
			SELECT customer_id AS v FROM web UNION ALL SELECT email FROM web UNION ALL SELECT device_application_stamp FROM web
			UNION ALL SELECT email FROM purchases UNION ALL SELECT ios_idfa FROM app
			UNION ALL SELECT email FROM crm UNION ALL SELECT mobile_number FROM crm)
		SELECT (SELECT count(*) FROM purchases WHERE NOT regexp_full_match(amount, '[0-9]+\.[0-9]{2}')),
		       (SELECT count(*) FROM purchases WHERE customer_id NOT IN (SELECT customer_id FROM crm)),
		       (SELECT count(*) FROM times WHERE NOT regexp_full_match(s, '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ')
		            OR s::TIMESTAMPTZ < TIMESTAMPTZ '2026-03-03T00:00:00Z' OR s::TIMESTAMPTZ >= TIMESTAMPTZ '2026-06-01T00:00:00Z')
		          + (SELECT count(*) FROM app WHERE occurred_at NOT BETWEEN TIMESTAMPTZ '2026-03-03T00:00:00Z' AND TIMESTAMPTZ '2026-05-31T23:59:59Z')
		          + (SELECT count(*) FROM crm WHERE updated_at NOT BETWEEN TIMESTAMPTZ '2026-03-03T00:00:00Z' AND TIMESTAMPTZ '2026-05-31T23:59:59Z'),
		       (SELECT string_agg(DISTINCT kind, ',' ORDER BY kind)
		        FROM (SELECT CASE WHEN v LIKE '0000%' THEN 'zeros' ELSE v END AS kind
		              FROM ids WHERE regexp_matches(v, '^[0-]+$|^null$|^anonymous$|^test@')))`,
		&badAmount, &unknownCustomer, &badTime, &bait)
	if badAmount != 0 || unknownCustomer != 0 || badTime != 0 {
		t.Errorf("%v amounts without 2 decimals, %v purchases of unknown customers, %v times outside the window or not ISO 8601 with Z",
			badAmount, unknownCustomer, badTime)
	}
	if diff := cmp.Diff("anonymous,null,test@example.com,zeros", bait); diff != "" {
		t.Errorf("blocklist bait (-want +got):\n%s", diff)
	}
}

func TestPipelineLoads(t *testing.T) {
	dir, _ := generated(t)
	p, err := config.Load(filepath.Join(dir, PipelineFile))
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	var got []string
	for _, f := range p.Feeds {
		var src struct {
			Path   string `yaml:"path"`
			Format string `yaml:"format"`
		}
		if err := f.Source.Raw.Decode(&src); err != nil {
			t.Fatalf("feed %s source: %v", f.Name, err)
		}
		if _, err := os.Stat(p.Resolve(src.Path)); err != nil {
			t.Errorf("feed %s reads a file that is not there: %v", f.Name, err)
		}
		got = append(got, f.Name+" "+f.Source.Kind+" "+src.Path+" "+src.Format)
	}
	want := []string{"web files web.ndjson batch", "app files app.ndjson batch", "crm files crm.parquet parquet", "purchases files purchases.csv csv"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("feeds (-want +got):\n%s", diff)
	}
	if p.State != filepath.Join(dir, "mosaic.duckdb") {
		t.Errorf("state = %q", p.State)
	}
}

// digests maps each written file to its SHA-256.
func digests(t *testing.T, users int, seed int64) map[string]string {
	t.Helper()
	dir := t.TempDir()
	sum, err := Generate(t.Context(), Options{Users: users, Out: dir, Seed: seed})
	if err != nil {
		t.Fatalf("Generate(seed %d): %v", seed, err)
	}
	m := map[string]string{}
	for _, f := range sum.Files {
		b, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		m[f.Path] = fmt.Sprintf("%x", sha256.Sum256(b))
	}
	return m
}

func TestSameSeedSameBytes(t *testing.T) {
	a, b, c := digests(t, testUsers, 1), digests(t, testUsers, 1), digests(t, testUsers, 2)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different files (-first +second):\n%s", diff)
	}
	for _, f := range []string{CRMFile, WebFile, AppFile, PurchasesFile, PipelineFile} {
		if a[f] == c[f] {
			t.Errorf("seeds 1 and 2 wrote the same %s", f)
		}
	}
}

func TestRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{{Users: MinUsers - 1, Out: t.TempDir()}, {Users: 100}} {
		if _, err := Generate(t.Context(), o); err == nil {
			t.Errorf("Generate(%+v) succeeded, want an error", o)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	_, err := Generate(ctx, Options{Users: 1000, Out: dir, Seed: 1})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Generate with an expired context: %v, want context.DeadlineExceeded", err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) > 0 {
		t.Errorf("an expired context left files: %v", names)
	}
}

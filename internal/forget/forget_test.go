package forget_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
	"github.com/mosaic-cdp/mosaic/internal/cli"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// setup writes a pipeline with three outputs: webhooks crm (profiles keyed
// by e-mail, upsert: it never removes on its own), gold (the gold
// audience, mirror) and a files output of the batches (so that the runs
// keep them raw), and returns its folder and the receivers.
func setup(t *testing.T) (string, map[string]*webhooktest.Receiver) {
	dir := t.TempDir()
	t.Setenv("MOSAIC_TEST_HOOK_SECRET", secret)
	rcs := map[string]*webhooktest.Receiver{"crm": webhooktest.New(t, secret), "gold": webhooktest.New(t, secret)}
	yaml := `version: 1
name: forget
state: ./store.duckdb
identity: { priority: [customerid, email], unique: [customerid] }
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
audiences:
  - { name: gold, criteria: { attribute: { key: tier, op: eq, value: gold } } }
outputs:
  - { name: crm, kind: webhook, url: ` + rcs["crm"].URL + `, secret_env: MOSAIC_TEST_HOOK_SECRET, send: profiles, key: email, fields: { email: identity.email, tier: attribute.tier } }
  - { name: gold, kind: webhook, url: ` + rcs["gold"].URL + `, secret_env: MOSAIC_TEST_HOOK_SECRET, send: audience, audience: gold, identities: [email] }
  - { name: events, kind: files, path: ./forwarded, send: events }
serve:  # the runs keep the Profile API's documents, which forget erases too
  profile_api: { client_id_env: FORGET_TEST_ID, client_secret_env: FORGET_TEST_SECRET, resolve: [customerid, email] }
`
	if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, rcs
}

// run writes batch lines as the run's file and runs the pipeline at day.
func run(t *testing.T, dir string, day int, lines ...string) {
	t.Helper()
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "data", time.Duration(day).String()+".ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: time.Date(2026, 6, day, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatalf("run on day %d: %v", day, err)
	}
}

// pipelineDir is a folder for a forget test with its pipeline file: the
// identity rules (what goes between the braces of its identity line), a
// batch feed "users" reading data/*.ndjson, then more (further feeds'
// lines, each ending in a newline).
func pipelineDir(t *testing.T, identity, more string) string {
	dir := t.TempDir()
	write(t, dir, "pipeline.yaml", "version: 1\nname: forget\nstate: ./store.duckdb\nidentity: { "+identity+" }\nfeeds:\n"+
		`  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }`+"\n"+more)
	return dir
}

// write writes text as the file name of dir, making its folder.
func write(t *testing.T, dir, name, text string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runErr runs the pipeline at day on the files dir holds and returns the
// run's error (an output's sync may fail with the run committed).
func runErr(t *testing.T, dir string, day int) error {
	t.Helper()
	p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: time.Date(2026, 6, day, 0, 0, 0, 0, time.UTC)})
	return err
}

func mosaic(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &out)
	return code, out.String()
}

// query returns the store's answer to q as one text, rows on lines.
func query(t *testing.T, dir, q string) string {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(dir, "store.duckdb")+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s.String + "\n")
	}
	return b.String()
}

// everything is every table of the store (public and private) as text.
const everything = `SELECT string_agg(t, ' ') FROM (
	SELECT CAST(to_json(x) AS VARCHAR) AS t FROM _mosaic.identity_dict x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM _mosaic.feed_identities x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM _mosaic.feed_batches x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM _mosaic.feed_attributes x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM main.profile_identities x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM main.profile_attributes x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM main.dropped_rows x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM main.events x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM main.output_failures x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM _mosaic.output_pending x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM main.forgotten x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM _mosaic.profile_docs x UNION ALL
	SELECT CAST(to_json(x) AS VARCHAR) FROM _mosaic.profile_keys x)`

const (
	ann    = `{"environment": "production", "user_identities": {"email": "ann@x.com", "customer_id": "ann"}, "user_attributes": {"tier": "gold"}, "events": [{"event_type": "custom_event", "data": {"event_name": "order", "custom_event_type": "other"}}], "timestamp_unixtime_ms": 1780228800000}`
	bob    = `{"environment": "production", "user_identities": {"email": "bob@x.com", "customer_id": "B0B"}, "user_attributes": {"tier": "gold"}, "events": [{"event_type": "custom_event", "data": {"event_name": "order", "custom_event_type": "other"}}], "timestamp_unixtime_ms": 1780232400000}`
	bobBad = `{"environment": "production", "user_identities": {"email": "bob@x.com", "customer_id": "B0B", "other": "not a real id"}, "user_attributes": {"tier": 7}, "timestamp_unixtime_ms": 1780232400000}`
	bobAgn = `{"environment": "production", "user_identities": {"email": "bob@x.com"}, "user_attributes": {"tier": "silver"}, "timestamp_unixtime_ms": 1780315200000}`
)

func TestForget(t *testing.T) {
	dir, rcs := setup(t)
	pipe := filepath.Join(dir, "pipeline.yaml")
	// The broken line is dropped as invalid_json, its raw text kept: it
	// names bob too.
	run(t, dir, 1, ann, bob, `{"environment": "production", "user_identities": {"email": "bob@x.com"}, broken`)
	if got := query(t, dir, "SELECT count(*) FROM dropped_rows WHERE contains(CAST(\"row\" AS VARCHAR), 'bob@x.com')"); got != "1\n" {
		t.Fatalf("the broken line of bob's was not kept in dropped_rows: %s", got)
	}
	if _, ok := rcs["crm"].State()["bob@x.com"]; !ok {
		t.Fatalf("the crm receiver never got bob: %v", rcs["crm"].State())
	}

	code, out := mosaic(t, "forget", "-p", pipe, "--identity", "email= BOB@x.com ", "--reason", "ticket 4711")
	if code != 0 || !strings.Contains(out, "erased profile") || !strings.Contains(out, "outputs holding its records: 2") {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	// Gone from every view and table, but the other profile stays.
	if got := query(t, dir, everything); strings.Contains(got, "bob@x.com") || strings.Contains(got, "B0B") {
		t.Errorf("the store still holds bob's identities:\n%s", got)
	}
	if got := query(t, dir, "SELECT count(*) FROM profiles"); got != "1\n" {
		t.Errorf("profiles after forgetting bob: %s, want ann alone", got)
	}
	if got := query(t, dir, "SELECT identity_value FROM profile_identities ORDER BY 1"); got != "ann\nann@x.com\n" {
		t.Errorf("identities left: %q", got)
	}
	if got := query(t, dir, "SELECT count(*) FROM events"); got != "1\n" {
		t.Errorf("events left: %s, want ann's one", got)
	}
	forgotten := query(t, dir, "SELECT reason || ' ' || identity_hash || ' ' || profiles || ' ' || CAST(outputs AS VARCHAR) FROM forgotten")
	if !strings.HasPrefix(forgotten, "ticket 4711 ") || strings.Contains(forgotten, "bob") || !strings.Contains(forgotten, `"confirmed_at":null`) {
		t.Errorf("forgotten: %q", forgotten)
	}

	// The next sync removes bob's records from both outputs: the upsert
	// output too, with op forget.
	if code, out := mosaic(t, "sync", pipe); code != 0 {
		t.Fatalf("sync: exit %d\n%s", code, out)
	}
	for name, rc := range rcs {
		for key := range rc.State() {
			if strings.Contains(key, "bob") || (name == "gold" && len(rc.State()) != 1) {
				t.Errorf("%s still holds %v", name, rc.State())
			}
		}
		reqs := rc.Requests()
		last := reqs[len(reqs)-1].Payload.Records
		if len(last) != 1 || last[0].Op != "forget" {
			t.Errorf("%s's last request: %+v, want one forget record", name, last)
		}
	}
	if got := query(t, dir, "SELECT count(*) FROM forgotten, json_each(outputs) o WHERE o.value->>'confirmed_at' IS NOT NULL"); got != "2\n" {
		t.Errorf("confirmations: %s, want both outputs", got)
	}

	// Without --block, bob's identity makes a new profile.
	run(t, dir, 2, bobAgn)
	if got := query(t, dir, "SELECT count(*) FROM profile_identities WHERE identity_value = 'bob@x.com'"); got != "1\n" {
		t.Errorf("bob arriving again: %s profiles hold his e-mail, want a new one", got)
	}

	// With --block, he is erased again and kept out.
	if code, out := mosaic(t, "forget", "-p", pipe, "--identity", "email=bob@x.com", "--block"); code != 0 {
		t.Fatalf("forget --block: exit %d\n%s", code, out)
	}
	run(t, dir, 3, bobBad, ann)
	if got := query(t, dir, "SELECT count(*) FROM profile_identities WHERE identity_value IN ('bob@x.com', 'B0B', 'not a real id')"); got != "0\n" {
		t.Errorf("a blocked identity made a profile again: %s", got)
	}
	if got := query(t, dir, "SELECT reason || ' ' || CAST(\"row\" AS VARCHAR) FROM dropped_rows WHERE run_id = 3"); !strings.HasPrefix(got, "forgotten_identity ") || strings.Contains(got, "bob") {
		t.Errorf("run 3 dropped: %q, want bob's row as forgotten_identity without his identities", got)
	}
	if got := query(t, dir, everything); strings.Contains(got, "bob@x.com") || strings.Contains(got, "not a real id") {
		t.Errorf("the blocked row left traces:\n%s", got)
	}

	if code, out := mosaic(t, "forget", "-p", pipe, "--identity", "email=nobody@x.com"); code != 1 || !strings.Contains(out, "no such profile") {
		t.Errorf("forgetting nobody: exit %d\n%s", code, out)
	}
}

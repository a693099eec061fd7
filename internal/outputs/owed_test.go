package outputs_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
	"github.com/mosaic-cdp/mosaic/internal/cli"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// hookSetup is an events output to a webhook receiver on 127.0.0.1, fed
// by a batch feed; retention is the pipeline's retention line ("" for
// none).
func hookSetup(t *testing.T, retention string) (eventsDir, *webhooktest.Receiver) {
	d := eventsDir(t.TempDir())
	hook := webhooktest.New(t, "")
	t.Setenv("MOSAIC_TEST_HOOK_URL", hook.URL)
	d.write(t, "pipeline.yaml", `version: 1
name: owed
state: ./store.duckdb
`+retention+`identity: { priority: [customerid, email] }
feeds:
  - { name: web, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
outputs:
  - { name: hook, kind: webhook, url_env: MOSAIC_TEST_HOOK_URL, send: events }
`)
	return d, hook
}

// owedBatch is a batch of one event of person's, its source_request_id
// id, at ms.
func owedBatch(id, person string, ms int64) string {
	return fmt.Sprintf(`{"environment":"production","source_request_id":%q,"user_identities":{"email":"%s@x.com"},`+
		`"events":[{"event_type":"custom_event","data":{"event_name":"e","timestamp_unixtime_ms":%d}}]}`+"\n", id, person, ms)
}

// sent counts the batches, by source_request_id, of requests that the
// receiver took (ok) and refused.
func sent(t *testing.T, reqs []webhooktest.Request) (ok, refused map[string]int) {
	t.Helper()
	ok, refused = map[string]int{}, map[string]int{}
	for _, r := range reqs {
		for _, b := range r.Batches {
			var id struct {
				ID string `json:"source_request_id"`
			}
			if err := json.Unmarshal(b, &id); err != nil {
				t.Fatal(err)
			}
			if r.Status < 300 {
				ok[id.ID]++
			} else {
				refused[id.ID]++
			}
		}
	}
	return ok, refused
}

// owedState reads the output's position, the source_request_ids of the
// batches it owes ("gone" for a row no longer staged), and the attempts
// of each one's last failure.
func owedState(t *testing.T, d eventsDir) (pos int64, owed string, attempts string) {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(string(d), "store.duckdb")+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var o, a sql.NullString
	err = db.QueryRow(`SELECT (SELECT run_id FROM _mosaic.output_positions WHERE output = 'hook'),
		(SELECT string_agg(id, ',' ORDER BY id) FROM (SELECT coalesce(r.request_id, 'gone') AS id FROM _mosaic.output_owed w LEFT JOIN _mosaic.feed_rows r USING (row_id))),
		(SELECT string_agg(id || '=' || attempts, ',' ORDER BY id) FROM (
			SELECT payload->>'$.source_request_id' AS id, arg_max(attempts, sync_id) AS attempts FROM output_failures GROUP BY ALL))`).Scan(&pos, &o, &a)
	if err != nil {
		t.Fatal(err)
	}
	return pos, o.String, a.String
}

// TestEventsOutputOwesRefusedBatches: a receiver that always refuses one
// batch (400, which the deliverer isolates by halving) does not hold the
// events output back. The sync moves its position past the run and owes
// the batch: each later sync plans the new runs' batches and the owed one
// alone (not the runs since), delivers the new ones and tries the owed one
// again, with the same webhook-id, until the receiver takes it; then it is
// owed no more and never sent again.
func TestEventsOutputOwesRefusedBatches(t *testing.T) {
	d, hook := hookSetup(t, "")
	hook.Reject(400, "r2")
	d.write(t, "data/1.ndjson", owedBatch("r1", "ann", 1780000000000)+owedBatch("r2", "bob", 1780000000000)+owedBatch("r3", "cy", 1780000000000))
	err := d.runWith(t, 1, pipeline.Options{})
	if err == nil || !strings.Contains(err.Error(), "1 of 3 records failed; they are in output_failures and are sent again at the next sync") {
		t.Fatalf("run 1: %v, want r2's failure reported", err)
	}
	if pos, owed, attempts := owedState(t, d); pos != 1 || owed != "r2" || attempts != "r2=1" {
		t.Fatalf("after sync 1: position %d, owed %q, failures %q; want 1, r2, r2=1", pos, owed, attempts)
	}

	n := len(hook.Requests())
	d.write(t, "data/2.ndjson", owedBatch("r4", "dee", 1780100000000))
	err = d.runWith(t, 2, pipeline.Options{})
	if err == nil || !strings.Contains(err.Error(), "1 of 2 records failed") {
		t.Fatalf("run 2: %v, want r2's failure reported again", err)
	}
	ok, refused := sent(t, hook.Requests()[n:])
	if diff := cmp.Diff(map[string]int{"r4": 1}, ok); diff != "" {
		t.Errorf("sync 2 delivered (-want +got):\n%s", diff)
	}
	if refused["r2"] == 0 || refused["r1"]+refused["r3"]+ok["r1"]+ok["r3"] > 0 {
		t.Errorf("sync 2 sent refused %v and delivered %v: want r2 tried again, run 1's others not sent", refused, ok)
	}
	if pos, owed, attempts := owedState(t, d); pos != 2 || owed != "r2" || attempts != "r2=2" {
		t.Errorf("after sync 2: position %d, owed %q, failures %q; want 2, r2, r2=2", pos, owed, attempts)
	}

	hook.Reject(0, "r2")
	n = len(hook.Requests())
	d.write(t, "data/3.ndjson", owedBatch("r5", "eve", 1780200000000))
	if err := d.runWith(t, 3, pipeline.Options{}); err != nil {
		t.Fatalf("run 3: %v", err)
	}
	if ok, _ := sent(t, hook.Requests()[n:]); !cmp.Equal(map[string]int{"r2": 1, "r5": 1}, ok) {
		t.Errorf("sync 3 delivered %v, want r2 and r5", ok)
	}
	if pos, owed, _ := owedState(t, d); pos != 3 || owed != "" {
		t.Errorf("after sync 3: position %d, owed %q; want 3, nothing", pos, owed)
	}
	n = len(hook.Requests())
	d.run(t, 4)
	if reqs := hook.Requests()[n:]; len(reqs) != 0 {
		t.Errorf("a run with nothing new sent %d requests: r2 is still owed", len(reqs))
	}
	// Every request that carried r2 alone had the same webhook-id: the
	// delivery's idempotency key held from its first attempt.
	ids := map[string]bool{}
	for _, r := range hook.Requests() {
		if len(r.Batches) == 1 && strings.Contains(string(r.Body), `"source_request_id":"r2"`) {
			ids[r.ID()] = true
		}
	}
	if len(ids) != 1 {
		t.Errorf("r2 alone went with %d webhook-ids, want 1: %v", len(ids), ids)
	}
}

// TestEventsOutputSyncFailureKeepsPosition: a sync that fails whole (the
// receiver refuses every request as unauthorized: no record is to blame)
// moves neither the position nor what the output owes; the next sync
// sends the batch owed before, the failed sync's run's and its own, each
// once.
func TestEventsOutputSyncFailureKeepsPosition(t *testing.T) {
	d, hook := hookSetup(t, "")
	hook.Reject(400, "r2")
	d.write(t, "data/1.ndjson", owedBatch("r1", "ann", 1780000000000)+owedBatch("r2", "bob", 1780000000000))
	if err := d.runWith(t, 1, pipeline.Options{}); err == nil {
		t.Fatal("run 1: r2's failure was not reported")
	}
	hook.Reject(0, "r2")
	hook.FailNext(1000, 401)
	d.write(t, "data/2.ndjson", owedBatch("r3", "cy", 1780100000000))
	if err := d.runWith(t, 2, pipeline.Options{}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("run 2: %v, want the sync failed by the 401", err)
	}
	if pos, owed, _ := owedState(t, d); pos != 1 || owed != "r2" {
		t.Fatalf("after the failed sync 2: position %d, owed %q; want 1, r2", pos, owed)
	}
	hook.FailNext(0, 0)
	d.write(t, "data/3.ndjson", owedBatch("r4", "dee", 1780200000000))
	if err := d.runWith(t, 3, pipeline.Options{}); err != nil {
		t.Fatalf("run 3: %v", err)
	}
	ok, _ := sent(t, hook.Requests())
	if diff := cmp.Diff(map[string]int{"r1": 1, "r2": 1, "r3": 1, "r4": 1}, ok); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if pos, owed, _ := owedState(t, d); pos != 3 || owed != "" {
		t.Errorf("after sync 3: position %d, owed %q; want 3, nothing", pos, owed)
	}
}

// TestEventsOutputOwedGone: a batch an events output owes is not sent
// again once its staged row is gone: `mosaic forget` of its person erases
// the debt with the row, and so does retention deleting the row with its
// expired profile. A full refresh, which stages every batch again, sends
// the copy of an owed batch (it was never forwarded) and no other.
func TestEventsOutputOwedGone(t *testing.T) {
	// Day 1 at noon: bob's batch is refused; ann's goes.
	const day1 = 1780228800000
	setup := func(t *testing.T, retention string) (eventsDir, *webhooktest.Receiver) {
		d, hook := hookSetup(t, retention)
		hook.Reject(400, "r2")
		d.write(t, "data/1.ndjson", owedBatch("r1", "ann", day1)+owedBatch("r2", "bob", day1))
		if err := d.runWith(t, 1, pipeline.Options{}); err == nil {
			t.Fatal("run 1: r2's failure was not reported")
		}
		if _, owed, _ := owedState(t, d); owed != "r2" {
			t.Fatalf("after sync 1: owed %q, want r2", owed)
		}
		return d, hook
	}
	// after runs the next run at day with ann's batch id (and, with full,
	// a full refresh) and checks what it delivered: the refused r2 is not
	// tried again, whatever the receiver would answer.
	after := func(t *testing.T, d eventsDir, hook *webhooktest.Receiver, day int, id string, full bool, want map[string]int) {
		t.Helper()
		n := len(hook.Requests())
		d.write(t, fmt.Sprintf("data/%d.ndjson", day), owedBatch(id, "ann", day1+int64(day-1)*86400000))
		if err := d.runWith(t, day, pipeline.Options{FullRefresh: full}); err != nil {
			t.Fatalf("run %d: %v", day, err)
		}
		if ok, _ := sent(t, hook.Requests()[n:]); !cmp.Equal(want, ok) {
			t.Errorf("run %d delivered %v, want %v", day, ok, want)
		}
		if _, owed, _ := owedState(t, d); owed != "" {
			t.Errorf("after run %d: owed %q, want nothing", day, owed)
		}
	}
	t.Run("forget", func(t *testing.T) {
		d, hook := setup(t, "")
		var out strings.Builder
		if code := cli.Run(context.Background(), []string{"forget", "-p", filepath.Join(string(d), "pipeline.yaml"), "--identity", "email=bob@x.com"}, nil, &out, &out); code != 0 {
			t.Fatalf("forget: exit %d\n%s", code, out.String())
		}
		db, err := sql.Open("duckdb", filepath.Join(string(d), "store.duckdb")+"?access_mode=READ_ONLY")
		if err != nil {
			t.Fatal(err)
		}
		var owed int
		if err := db.QueryRow("SELECT count(*) FROM _mosaic.output_owed").Scan(&owed); err != nil || owed != 0 {
			t.Errorf("forget left %d rows owed (%v), want none", owed, err)
		}
		db.Close()
		after(t, d, hook, 2, "r3", false, map[string]int{"r3": 1})
	})
	t.Run("retention", func(t *testing.T) {
		// Bob is last seen on day 1, more than two days before day 6.
		d, hook := setup(t, "retention: { events: 30d, profiles: 2d }\n")
		after(t, d, hook, 6, "r3", false, map[string]int{"r3": 1})
	})
	t.Run("full refresh", func(t *testing.T) {
		d, hook := setup(t, "")
		hook.Reject(0, "r2")
		after(t, d, hook, 2, "r3", true, map[string]int{"r2": 1, "r3": 1})
		after(t, d, hook, 3, "r4", false, map[string]int{"r4": 1})
	})
}

// TestEventsOutputRefusingAllKeepsPosition: a receiver that refuses every
// batch with 400 (the deliverer isolates records until it gives up) is at
// fault, not the batches: the sync delivers nothing and moves neither the
// position nor what the output owes, and the next sync, once the receiver
// takes them, sends each batch once.
func TestEventsOutputRefusingAllKeepsPosition(t *testing.T) {
	d, hook := hookSetup(t, "")
	hook.FailNext(1000, 400)
	d.write(t, "data/1.ndjson", owedBatch("r1", "ann", 1780000000000)+owedBatch("r2", "bob", 1780000000000))
	if err := d.runWith(t, 1, pipeline.Options{}); err == nil {
		t.Fatal("run 1: the refusals were not reported")
	}
	if pos, owed, _ := owedState(t, d); pos != 0 || owed != "" {
		t.Fatalf("after sync 1: position %d, owed %q; want 0 (its start), nothing owed", pos, owed)
	}
	hook.FailNext(0, 0)
	n := len(hook.Requests())
	d.write(t, "data/2.ndjson", owedBatch("r3", "cy", 1780100000000))
	if err := d.runWith(t, 2, pipeline.Options{}); err != nil {
		t.Fatalf("run 2: %v", err)
	}
	if ok, _ := sent(t, hook.Requests()[n:]); !cmp.Equal(map[string]int{"r1": 1, "r2": 1, "r3": 1}, ok) {
		t.Errorf("sync 2 delivered %v, want r1, r2 and r3 once each", ok)
	}
	if pos, owed, _ := owedState(t, d); pos != 2 || owed != "" {
		t.Errorf("after sync 2: position %d, owed %q; want 2, nothing", pos, owed)
	}
}

// TestEventsOutputOwesColumnarRow: a columnar feed's row refused at the
// first sync is owed through several runs, each of which stages rows
// after it, and each sync builds it again from its staged identities,
// attributes and events (looked up by its id, not with the new runs'
// rows): once the receiver takes it, it is delivered once, as it was
// first sent, and never again.
func TestEventsOutputOwesColumnarRow(t *testing.T) {
	d := eventsDir(t.TempDir())
	hook := webhooktest.New(t, "")
	t.Setenv("MOSAIC_TEST_HOOK_URL", hook.URL)
	d.write(t, "pipeline.yaml", `version: 1
name: owed
state: ./store.duckdb
identity: { priority: [customerid, email] }
feeds:
  - { name: web, source: { kind: files, path: "data/web/*.ndjson", format: batch }, source_type: sdk }
  - name: app
    source: { kind: files, path: "data/app/*.ndjson" }
    source_type: sdk
    timestamp: ts
    event_name: event
    identities: { email: email, cid: customerid, idfa: ios_idfa }
    attributes: { plan: plan }
outputs:
  - { name: hook, kind: webhook, url_env: MOSAIC_TEST_HOOK_URL, send: events }
`)
	// Bob's app row is refused whatever its row id (run 1 stages three
	// rows); ann's batch goes.
	hook.Reject(400, "app:1", "app:2", "app:3")
	d.write(t, "data/web/1.ndjson", owedBatch("r1", "ann", 1780000000000))
	d.write(t, "data/app/1.ndjson", `{"ts":"2026-05-01T10:00:00Z","event":"signup","email":"bob@x.com","cid":"B1","idfa":"AAAA-1111","plan":"pro"}`+"\n")
	if err := d.runWith(t, 1, pipeline.Options{}); err == nil || !strings.Contains(err.Error(), "1 of 2 records failed") {
		t.Fatalf("run 1: %v, want bob's row's failure reported", err)
	}
	ok, refused := sent(t, hook.Requests())
	var key string
	for k := range refused {
		if strings.HasPrefix(k, "app:") {
			key = k
		}
	}
	if key == "" || ok[key] > 0 || ok["r1"] != 1 {
		t.Fatalf("sync 1 refused %v and delivered %v, want bob's app row refused and ann's batch delivered", refused, ok)
	}
	// first is bob's batch as sync 1 sent it.
	var first json.RawMessage
	for _, r := range hook.Requests() {
		for _, b := range r.Batches {
			if strings.Contains(string(b), `"source_request_id":"`+key+`"`) {
				first = b
			}
		}
	}
	for _, want := range []string{`"event_name":"signup"`, `"customer_id":"B1"`, `"ios_advertising_id":"AAAA-1111"`, `"plan":"pro"`} {
		if !strings.Contains(string(first), want) {
			t.Fatalf("sync 1 sent bob's row without %s: %s", want, first)
		}
	}
	// Runs 2 to 4 stage rows of other people in both feeds; the receiver
	// takes bob's row at sync 4.
	for day := 2; day <= 4; day++ {
		if day == 4 {
			hook.Reject(0, "app:1", "app:2", "app:3")
		}
		n := len(hook.Requests())
		var web, app strings.Builder
		for i := range 20 {
			person := fmt.Sprintf("p%d-%d", day, i)
			web.WriteString(owedBatch(person, person, 1780000000000+int64(day)*86400000))
			fmt.Fprintf(&app, `{"ts":"2026-05-0%dT10:00:00Z","event":"view","email":"%s@x.com","plan":"free"}`+"\n", day, person)
		}
		d.write(t, fmt.Sprintf("data/web/%d.ndjson", day), web.String())
		d.write(t, fmt.Sprintf("data/app/%d.ndjson", day), app.String())
		err := d.runWith(t, day, pipeline.Options{})
		ok, refused := sent(t, hook.Requests()[n:])
		if day < 4 {
			if err == nil || refused[key] == 0 || ok[key] > 0 || len(ok) != 40 {
				t.Fatalf("sync %d: %v; delivered %d batches, bob's row refused %d times: want the 40 new ones delivered and bob's row tried again", day, err, len(ok), refused[key])
			}
			continue
		}
		if err != nil || ok[key] != 1 || len(ok) != 41 {
			t.Fatalf("sync 4: %v; delivered %d batches, bob's row %d times: want the 40 new ones and bob's row once", err, len(ok), ok[key])
		}
	}
	var last json.RawMessage
	for _, r := range hook.Requests() {
		for _, b := range r.Batches {
			if r.Status < 300 && strings.Contains(string(b), `"source_request_id":"`+key+`"`) {
				last = b
			}
		}
	}
	if diff := cmp.Diff(decodeBatch(t, first), decodeBatch(t, last)); diff != "" {
		t.Errorf("bob's row delivered at sync 4 differs from the one sync 1 sent (-sync 1 +sync 4):\n%s", diff)
	}
	n := len(hook.Requests())
	d.run(t, 5)
	if reqs := hook.Requests()[n:]; len(reqs) != 0 {
		t.Errorf("a run with nothing new sent %d requests: bob's row is still owed", len(reqs))
	}
}

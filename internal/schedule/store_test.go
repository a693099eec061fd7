package schedule

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/files"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// gatedFiles is the files source, but each Read first says it has begun
// (on entered) and then waits for the gate to open or its context to end:
// a real source the test can hold in the middle of a real run, after the
// feeds before it were staged in the run's transaction.
type gatedFiles struct {
	files   *files.Source
	entered chan string
	mu      sync.Mutex
	gate    chan struct{}
}

func newGatedFiles() *gatedFiles {
	g := &gatedFiles{files: files.New(), entered: make(chan string, 10), gate: make(chan struct{})}
	close(g.gate)
	return g
}

func (g *gatedFiles) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate = make(chan struct{})
}

func (g *gatedFiles) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.gate:
	default:
		close(g.gate)
	}
}

func (g *gatedFiles) Validate(req connectors.ValidateRequest) error { return g.files.Validate(req) }

func (g *gatedFiles) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.Sink) (json.RawMessage, error) {
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	g.entered <- req.Feed
	select {
	case <-gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.files.Read(ctx, req, sink)
}

func (g *gatedFiles) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-g.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the run never reached the gated feed")
	}
}

func registry(g *gatedFiles) *connectors.Registry {
	r := connectors.NewRegistry()
	r.RegisterSource("files", files.New())
	r.RegisterSource("gated", g)
	return r
}

const storePipeline = `version: 1
name: %s
state: ./store.duckdb
schedule: "@every 1h"
feeds:
  - name: crm_%[1]s
    source: { kind: files, path: crm/*.csv }
    source_type: warehouse
    timestamp: ts
    identities: { id: customerid, email: email }
    attributes: { tier: tier }
`

const gatedFeed = `  - name: web
    source: { kind: gated, path: web/*.csv }
    source_type: sdk
    timestamp: ts
    identities: { cookie: device_application_stamp, email: email }
    attributes: { plan: plan }
`

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// storeDir writes pipeline a (crm, then the gated web feed) over a store
// that one committed run has filled, and returns it.
func storeDir(t *testing.T, g *gatedFiles) *config.Pipeline {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.yaml"), fmt.Sprintf(storePipeline, "a")+gatedFeed)
	write(t, filepath.Join(dir, "crm/1.csv"), "id,email,tier,ts\nC1,a@x.com,gold,2026-05-01T00:00:00Z\nC2,b@x.com,silver,2026-05-02T00:00:00Z\n")
	write(t, filepath.Join(dir, "web/1.csv"), "cookie,email,plan,ts\nk1,a@x.com,pro,2026-05-01T01:00:00Z\n")
	p, err := pipeline.Load(filepath.Join(dir, "a.yaml"), registry(g))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := (Pipelines{Registry: registry(g)}).Run(context.Background(), p); err != nil || out.Status != "succeeded" {
		t.Fatalf("first run: %+v, %v", out, err)
	}
	<-g.entered // the first run's
	// New rows for the next run in both feeds.
	write(t, filepath.Join(dir, "crm/2.csv"), "id,email,tier,ts\nC3,c@x.com,gold,2026-05-03T00:00:00Z\nC1,a@x.com,platinum,2026-05-03T00:00:00Z\n")
	write(t, filepath.Join(dir, "web/2.csv"), "cookie,email,plan,ts\nk2,c@x.com,free,2026-05-03T01:00:00Z\n")
	return p
}

// storeRows reads a store's public views and private state, sorted, as
// JSON text; the runs view separately.
func storeRows(t *testing.T, state string) (data map[string][]string, runs []string) {
	t.Helper()
	db, err := sql.Open("duckdb", state+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	read := func(q string) []string {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	data = map[string][]string{}
	for _, v := range []string{"profiles", "profile_identities", "profile_attributes", "profile_aliases", "events",
		"audience_members", "audience_history", "dropped_rows", "_mosaic.feed_rows", "_mosaic.source_state"} {
		data[v] = read("SELECT CAST(to_json(t) AS VARCHAR) FROM " + v + " t ORDER BY ALL")
	}
	runs = read("SELECT run_id || ' ' || pipeline || ' ' || status FROM runs ORDER BY run_id")
	return data, runs
}

// TestShutdownMidRunLeavesStoreAsBefore stops the scheduler while a real
// run is held after staging its first feed: past the grace period the run
// is cancelled, its transaction rolls back and the store reads as before
// but for the cancelled run's record; the next run commits everything.
func TestShutdownMidRunLeavesStoreAsBefore(t *testing.T) {
	g := newGatedFiles()
	p := storeDir(t, g)
	before, runs := storeRows(t, p.State)
	if diff := cmp.Diff([]string{"1 a succeeded"}, runs); diff != "" {
		t.Fatalf("runs after the first run:\n%s", diff)
	}
	g.hold()
	logs, log := newLog()
	s := &Scheduler{Runner: Pipelines{Registry: registry(g), Log: log}, Log: log, RunNow: true, Grace: 200 * time.Millisecond}
	stop := start(t, s, Job{Pipeline: p, Trigger: make(manual)})
	g.waitEntered(t) // crm_a is staged in the run's transaction
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if logs.count(`msg="run finished"`, "run=2", "status=cancelled") != 1 || logs.count("run committed") != 0 {
		t.Fatalf("the run was not cancelled:\n%s", logs)
	}
	after, runs := storeRows(t, p.State)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("the cancelled run changed the store (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1 a succeeded", "2 a cancelled"}, runs); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}

	g.open()
	if out, err := (Pipelines{Registry: registry(g)}).Run(context.Background(), p); err != nil || out.RunID != 3 || out.Rows != 3 {
		t.Fatalf("the run after the shutdown: %+v, %v; want run 3 reading the 3 new rows", out, err)
	}
	after, _ = storeRows(t, p.State)
	if len(after["profiles"]) != 3 {
		t.Errorf("profiles after the next run: %q, want 3", after["profiles"])
	}
}

// TestShutdownWaitsForARunWithinGrace stops the scheduler while a real run
// is held, then lets the run go on within the grace period: it commits.
func TestShutdownWaitsForARunWithinGrace(t *testing.T) {
	g := newGatedFiles()
	p := storeDir(t, g)
	g.hold()
	logs, log := newLog()
	s := &Scheduler{Runner: Pipelines{Registry: registry(g), Log: log}, Log: log, RunNow: true, Grace: time.Minute}
	stop := start(t, s, Job{Pipeline: p, Trigger: make(manual)})
	g.waitEntered(t)
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	waitFor(t, "shutdown to begin", func() bool { return logs.count("stopping: waiting for running runs to finish") == 1 })
	g.open()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if logs.count(`msg="run finished"`, "run=2", "status=succeeded", "rows=3") != 1 || logs.count("grace period over") != 0 {
		t.Errorf("the run did not finish within grace:\n%s", logs)
	}
	data, runs := storeRows(t, p.State)
	if diff := cmp.Diff([]string{"1 a succeeded", "2 a succeeded"}, runs); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	if len(data["profiles"]) != 3 {
		t.Errorf("profiles: %q, want 3", data["profiles"])
	}
}

// TestTwoPipelinesOnOneStore runs b while a holds their shared store: b
// fails fast on the store's lock and is logged; at its next tick it is
// refused, logged, as the store is a's (pipeline.CheckOwner), and neither
// failure takes a run id.
func TestTwoPipelinesOnOneStore(t *testing.T) {
	g := newGatedFiles()
	a := storeDir(t, g)
	write(t, filepath.Join(a.Dir, "b.yaml"), fmt.Sprintf(storePipeline, "b"))
	b, err := pipeline.Load(filepath.Join(a.Dir, "b.yaml"), registry(g))
	if err != nil {
		t.Fatal(err)
	}
	g.hold()
	logs, log := newLog()
	ta, tb := make(manual), make(manual)
	stop := start(t, &Scheduler{Runner: Pipelines{Registry: registry(g), Log: log}, Log: log, Grace: time.Minute},
		Job{Pipeline: a, Trigger: ta}, Job{Pipeline: b, Trigger: tb})
	ta.fire(t)
	g.waitEntered(t)
	tb.fire(t)
	waitFor(t, "b's failure", func() bool {
		return logs.count("level=ERROR", `msg="run finished"`, "pipeline=b", "status=failed", "store is in use") == 1
	})
	g.open()
	waitFor(t, "a's run", func() bool { return logs.count(`msg="run finished"`, "pipeline=a", "run=2", "status=succeeded") == 1 })
	tb.fire(t)
	waitFor(t, "b's retry", func() bool {
		return logs.count("level=ERROR", `msg="run finished"`, "pipeline=b", "status=failed", `belongs to pipeline \"a\"`) == 1
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	_, runs := storeRows(t, a.State)
	if diff := cmp.Diff([]string{"1 a succeeded", "2 a succeeded"}, runs); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	if logs.count("pipeline=b", "status=failed", " run=") != 0 {
		t.Errorf("b's refused run took a run id:\n%s", logs)
	}
}

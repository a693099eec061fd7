package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/files"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/forget"
	"github.com/mosaic-cdp/mosaic/internal/outputs"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// DestinationFixture lets the suite see what a destination holds.
type DestinationFixture struct {
	// Output returns the kind-specific lines of the output named name, as
	// YAML indented by four spaces ("    kind: postgres\n    table: t\n"),
	// for a pipeline file in dir. The same name may be asked for in
	// several tests: give each call a fresh place (table, folder).
	Output func(t *testing.T, dir, name string) string
	// Held returns what the destination holds for the output: record key
	// → the record's fields as a JSON object (fields that are null may be
	// left out).
	Held func(t *testing.T, name string) map[string]string
	// Foreign, when set, writes a record that mosaic did not deliver (a
	// co-writer's) under key into the output's place, after the first
	// run. Held must return it too.
	Foreign func(t *testing.T, name, key string)
	// Fail, when set, makes the destination refuse the next n requests
	// (e.g. a server answering 500): the suite expects the sync to fail and
	// the next one to deliver.
	Fail func(t *testing.T, n int)
}

// The suite's three runs: users enter and leave the profiles (ann's e-mail
// profile merges into her customerid one, bob is deleted by retention),
// change attributes, and enter and leave the gold audience.
var destinationRuns = [][]string{{
	`{"environment": "production", "source_request_id": "r1", "events": [{"event_type": "custom_event", "data": {"event_name": "visit", "custom_event_type": "other"}}], "user_identities": {"email": "ann@x.com"}, "user_attributes": {"tier": "gold"}, "timestamp_unixtime_ms": 1780228800000}`,
	`{"environment": "production", "source_request_id": "r2", "events": [{"event_type": "custom_event", "data": {"event_name": "visit", "custom_event_type": "other"}}], "user_identities": {"customer_id": "ann"}, "user_attributes": {"city": "Paris"}, "timestamp_unixtime_ms": 1780232400000}`,
	`{"environment": "production", "source_request_id": "r3", "events": [{"event_type": "custom_event", "data": {"event_name": "visit", "custom_event_type": "other"}}], "user_identities": {"email": "bob@x.com"}, "user_attributes": {"tier": "silver"}, "timestamp_unixtime_ms": 1780142400000}`,
	`{"environment": "production", "source_request_id": "r4", "events": [{"event_type": "custom_event", "data": {"event_name": "visit", "custom_event_type": "other"}}], "user_identities": {"email": "cat@x.com"}, "user_attributes": {"tier": "bronze", "score": 7}, "timestamp_unixtime_ms": 1780221600000}`,
}, {
	`{"environment": "production", "source_request_id": "r5", "events": [{"event_type": "custom_event", "data": {"event_name": "visit", "custom_event_type": "other"}}], "user_identities": {"customer_id": "ann", "email": "ann@x.com"}, "timestamp_unixtime_ms": 1780315200000}`,
	`{"environment": "production", "source_request_id": "r6", "events": [{"event_type": "custom_event", "data": {"event_name": "visit", "custom_event_type": "other"}}], "user_identities": {"email": "cat@x.com"}, "user_attributes": {"tier": "gold"}, "timestamp_unixtime_ms": 1780308000000}`,
}, {
	`{"environment": "production", "source_request_id": "r7", "events": [{"event_type": "custom_event", "data": {"event_name": "visit", "custom_event_type": "other"}}], "user_identities": {"email": "cat@x.com"}, "deleted_user_attributes": ["tier"], "timestamp_unixtime_ms": 1780394400000}`,
	`{"environment": "production", "source_request_id": "r8", "events": [{"event_type": "custom_event", "data": {"event_name": "visit", "custom_event_type": "other"}}], "user_identities": {"email": "dan@x.com"}, "user_attributes": {"tier": "silver", "score": 3.5}, "timestamp_unixtime_ms": 1780398000000}`,
}}

// destHarness is a pipeline with two mirror outputs of the destination
// under test: crm (profiles keyed by e-mail) and gold (the gold audience).
type destHarness struct {
	t   *testing.T
	dir string
	reg *connectors.Registry
	p   *pipeline.Runner
	run int
}

func newDestHarness(t *testing.T, kind string, d connectors.Destination, f DestinationFixture) *destHarness {
	return newDestHarnessOf(t, kind, d, f.Output, "crm", "gold")
}

// newDestHarnessOf is the suite's pipeline with only the outputs names (crm,
// gold or both), whose kind-specific lines output gives.
func newDestHarnessOf(t *testing.T, kind string, d connectors.Destination, output func(t *testing.T, dir, name string) string, names ...string) *destHarness {
	dir := t.TempDir()
	reg := connectors.NewRegistry()
	reg.RegisterSource("files", files.New())
	reg.RegisterDestination(kind, d)
	yaml := `version: 1
name: destination
state: ./store.duckdb
retention: { profiles: 2d }
identity: { priority: [customerid, email], unique: [customerid] }
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
audiences:
  - { name: gold, criteria: { attribute: { key: tier, op: eq, value: gold } } }
outputs:
`
	for _, name := range names {
		yaml += "  - name: " + name + "\n" + output(t, dir, name) + SuiteOutputs[name]
	}
	if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return &destHarness{t: t, dir: dir, reg: reg, p: &pipeline.Runner{Registry: reg}}
}

// next writes the next run's batches and runs the pipeline (which syncs);
// it returns the run's error.
func (h *destHarness) next(ctx context.Context) (*pipeline.Result, error) {
	h.t.Helper()
	lines := destinationRuns[h.run]
	h.run++
	if err := os.MkdirAll(filepath.Join(h.dir, "data"), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.dir, "data", fmt.Sprintf("%d.ndjson", h.run)), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		h.t.Fatal(err)
	}
	p, err := pipeline.Load(filepath.Join(h.dir, "pipeline.yaml"), h.reg)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.p.Run(ctx, p, pipeline.Options{Now: time.Date(2026, 6, h.run, 0, 0, 0, 0, time.UTC)})
}

// sync syncs the outputs again from the committed store.
func (h *destHarness) sync(ctx context.Context) error {
	h.t.Helper()
	p, err := pipeline.Load(filepath.Join(h.dir, "pipeline.yaml"), h.reg)
	if err != nil {
		h.t.Fatal(err)
	}
	store, err := engine.Open(ctx, p.State, engine.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	defer store.Close()
	_, err = (&outputs.Syncer{Registry: h.reg}).Sync(ctx, store, p, outputs.Options{})
	return err
}

// oracle is what each of the suite's outputs should hold, computed from
// the public views independently of the outputs' own SQL.
var oracle = map[string]string{
	"crm": `SELECT e.identity_value, CAST(json_object('email', e.identity_value, 'customer', c.identity_value,
			'tier', t.value, 'score', s.value, 'gold', m.mpid IS NOT NULL) AS VARCHAR)
		FROM profile_identities e
		LEFT JOIN profile_identities c ON c.mpid = e.mpid AND c.identity_type = 'customerid'
		LEFT JOIN profile_attributes t ON t.mpid = e.mpid AND t.key = 'tier'
		LEFT JOIN profile_attributes s ON s.mpid = e.mpid AND s.key = 'score'
		LEFT JOIN audience_members m ON m.mpid = e.mpid AND m.audience = 'gold'
		WHERE e.identity_type = 'email'`,
	"gold": `SELECT 'gold:' || m.mpid, CAST(json_object('audience', 'gold', 'mpid', m.mpid, 'identities', json_object('email',
			(SELECT coalesce(list(identity_value ORDER BY identity_value), []) FROM profile_identities i
			 WHERE i.mpid = m.mpid AND i.identity_type = 'email'))) AS VARCHAR)
		FROM audience_members m WHERE m.audience = 'gold'`,
}

// forget erases the profile holding email with mosaic forget's engine and
// syncs: the outputs must lose its records.
func (h *destHarness) forget(email string) {
	h.t.Helper()
	store, err := engine.Open(context.Background(), filepath.Join(h.dir, "store.duckdb"), engine.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	_, err = forget.Forget(context.Background(), store, forget.Request{IdentityType: "email", Identity: email, Reason: "conformance"})
	store.Close()
	if err != nil {
		h.t.Fatalf("forget %s: %v", email, err)
	}
	if err := h.sync(context.Background()); err != nil {
		h.t.Fatalf("the sync after forgetting %s: %v", email, err)
	}
	if n := query(h.t, filepath.Join(h.dir, "store.duckdb"), "SELECT output, CAST(confirmed_at AS VARCHAR) FROM _mosaic.forget_outputs WHERE confirmed_at IS NULL"); len(n) > 0 {
		h.t.Errorf("outputs that did not confirm forgetting %s: %v", email, n)
	}
}

// desired returns what output name should hold by the oracle (null fields
// left out), and checks that its delivery state (output_records) says the
// same.
func (h *destHarness) desired(name string) map[string]string {
	h.t.Helper()
	return Desired(h.t, filepath.Join(h.dir, "store.duckdb"), name)
}

// SuiteOutputs are the suite's two outputs' common keys, as YAML indented
// by four spaces: crm sends profiles keyed by e-mail, gold the gold
// audience (a profile whose tier is gold). A pipeline that has them (and
// that audience) can check its destinations with Desired.
var SuiteOutputs = map[string]string{
	"crm": `    send: profiles
    key: email
    mode: mirror
    nulls: send
    fields: { email: identity.email, customer: identity.customerid, tier: attribute.tier, score: attribute.score, gold: audience.gold }
`,
	"gold": `    send: audience
    audience: gold
    identities: [email]
`,
	"events": `    send: events
`,
}

// Desired returns what the suite's output name (crm or gold) should hold
// by the oracle, with null fields left out, from the store at path; it
// also checks that the output's delivery state (output_records) says the
// same.
func Desired(t *testing.T, path, name string) map[string]string {
	t.Helper()
	want := query(t, path, oracle[name])
	if diff := cmp.Diff(want, query(t, path, "SELECT key, CAST(payload AS VARCHAR) FROM output_records WHERE output = '"+name+"'")); diff != "" {
		t.Errorf("output %s: output_records differs from the records it should hold (-want +output_records):\n%s", name, diff)
	}
	return want
}

// query reads (key, JSON object) rows from the store at path.
func query(t *testing.T, path, q string) map[string]string {
	t.Helper()
	store, err := engine.Open(context.Background(), path, engine.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rows, err := store.Conn().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = NormalJSON(t, v)
	}
	return out
}

// NormalJSON re-encodes a JSON object with sorted keys and without null
// fields, so that payloads compare by content.
func NormalJSON(t *testing.T, s string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not a JSON object: %s: %v", s, err)
	}
	maps.DeleteFunc(m, func(_ string, v any) bool { return v == nil })
	b, _ := json.Marshal(m)
	return string(b)
}

// held is the fixture's view with payloads normalised and foreign keys
// split off.
func (h *destHarness) held(f DestinationFixture, name string, foreign []string) map[string]string {
	h.t.Helper()
	out := map[string]string{}
	for k, v := range f.Held(h.t, name) {
		out[k] = NormalJSON(h.t, v)
	}
	for _, k := range foreign {
		if _, ok := out[k]; !ok {
			h.t.Errorf("%s: the co-writer's record %q is gone: a mirror output may remove only what it delivered", name, k)
		}
		delete(out, k)
	}
	return out
}

// RunDestination runs the conformance suite on destination d of kind.
func RunDestination(t *testing.T, kind string, d connectors.Destination, f DestinationFixture) {
	t.Run("converges", func(t *testing.T) {
		h := newDestHarness(t, kind, d, f)
		var foreign map[string][]string
		for range destinationRuns {
			if _, err := h.next(context.Background()); err != nil {
				t.Fatalf("run %d: %v", h.run, err)
			}
			if f.Foreign != nil && foreign == nil {
				// After the first run, where the destination has a place.
				foreign = map[string][]string{"crm": {"someone@else.com"}, "gold": {"gold:42"}}
				for name, keys := range foreign {
					f.Foreign(t, name, keys[0])
				}
			}
			for _, name := range []string{"crm", "gold"} {
				want := h.desired(name)
				if len(want) == 0 {
					t.Fatalf("run %d: output %s holds nothing: the suite's data must give it records", h.run, name)
				}
				if diff := cmp.Diff(want, h.held(f, name, foreign[name])); diff != "" {
					t.Errorf("run %d: output %s: the destination holds (-output_records +destination):\n%s", h.run, name, diff)
				}
			}
			if h.run == 2 {
				h.forget("cat@x.com")
				for _, name := range []string{"crm", "gold"} {
					if diff := cmp.Diff(h.desired(name), h.held(f, name, foreign[name])); diff != "" {
						t.Errorf("after forgetting cat: output %s: the destination holds (-output_records +destination):\n%s", name, diff)
					}
				}
			}
		}
	})
	if f.Fail != nil {
		t.Run("failures are retried", func(t *testing.T) {
			h := newDestHarness(t, kind, d, f)
			if _, err := h.next(context.Background()); err != nil {
				t.Fatal(err)
			}
			f.Fail(t, 1000)
			res, err := h.next(context.Background())
			if err == nil {
				t.Fatal("run 2 succeeded while the destination refused every request")
			}
			wantNamedOnce(t, res, err)
			f.Fail(t, 0)
			if err := h.sync(context.Background()); err != nil {
				t.Fatalf("the sync after the failure: %v", err)
			}
			for _, name := range []string{"crm", "gold"} {
				if diff := cmp.Diff(h.desired(name), h.held(f, name, nil)); diff != "" {
					t.Errorf("output %s after the retry (-output_records +destination):\n%s", name, diff)
				}
			}
		})
	}
	t.Run("killed mid-sync, the next sync converges", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		interfered(t, kind, d, f, ctx, func() error { cancel(); return nil })
	})
	t.Run("a lost acknowledgement is sent again harmlessly", func(t *testing.T) {
		interfered(t, kind, d, f, context.Background(), func() error { return errors.New("the acknowledgement was lost") })
	})
}

// interfered runs the first run with after called once each delivery to
// the destination returns (the error it returns replaces the delivery's
// result), expects that run's sync to fail, and checks that a plain sync
// then converges.
func interfered(t *testing.T, kind string, d connectors.Destination, f DestinationFixture, ctx context.Context, after func() error) {
	h := newDestHarness(t, kind, d, f)
	h.setDestination(kind, interfering{Destination: d, after: after})
	if _, err := h.next(ctx); err == nil {
		t.Fatal("the run's sync succeeded although its deliveries were interfered with")
	}
	h.setDestination(kind, d)
	if err := h.sync(context.Background()); err != nil {
		t.Fatalf("the sync after: %v", err)
	}
	for _, name := range []string{"crm", "gold"} {
		want := h.desired(name)
		if len(want) == 0 {
			t.Fatalf("output %s holds nothing", name)
		}
		if diff := cmp.Diff(want, h.held(f, name, nil)); diff != "" {
			t.Errorf("output %s (-output_records +destination):\n%s", name, diff)
		}
	}
}

func (h *destHarness) setDestination(kind string, d connectors.Destination) {
	h.reg = connectors.NewRegistry()
	h.reg.RegisterSource("files", files.New())
	h.reg.RegisterDestination(kind, d)
	h.p.Registry = h.reg
}

// interfering is a destination whose writers call after once each
// delivery returns.
type interfering struct {
	connectors.Destination
	after func() error
}

func (c interfering) Open(ctx context.Context, req connectors.OutputRequest) (connectors.Writer, error) {
	w, err := c.Destination.Open(ctx, req)
	if err != nil {
		return nil, err
	}
	if cp, ok := w.(connectors.Copier); ok {
		return interferingCopier{interferingWriter{w, c.after}, cp}, nil
	}
	return interferingWriter{w, c.after}, nil
}

type interferingWriter struct {
	connectors.Writer
	after func() error
}

func (w interferingWriter) Write(ctx context.Context, b connectors.Batch) ([]error, error) {
	errs, err := w.Writer.Write(ctx, b)
	if aerr := w.after(); aerr != nil {
		return nil, aerr
	}
	return errs, err
}

type interferingCopier struct {
	interferingWriter
	cp connectors.Copier
}

func (w interferingCopier) Copy(ctx context.Context, c connectors.CopyRequest) error {
	err := w.cp.Copy(ctx, c)
	if aerr := w.after(); aerr != nil {
		return aerr
	}
	return err
}

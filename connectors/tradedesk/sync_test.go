package tradedesk

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/files"
	"github.com/mosaic-cdp/mosaic/connectors/uid2/uid2test"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/forget"
	"github.com/mosaic-cdp/mosaic/internal/outputs"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// syncHarness is a pipeline whose gold audience goes to a
// uid2_trade_desk output (ttl 2d: refreshed after 1d), synced by the
// engine with a fixed clock.
type syncHarness struct {
	t   *testing.T
	dir string
	reg *connectors.Registry
	s   servers
	t0  time.Time
	n   int
}

func newSyncHarness(t *testing.T) *syncHarness {
	setEnv(t)
	h := &syncHarness{t: t, dir: t.TempDir(), reg: connectors.NewRegistry(), s: newServers(t), t0: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	h.reg.RegisterSource("files", files.New())
	h.reg.RegisterDestination(Kind, New())
	keys := strings.Replace(h.s.keys(), "ttl: 7d", "ttl: 2d", 1)
	yaml := connectortest.GoldPipeline("ttd", "  - name: gold\n"+keys+`    send: audience
    audience: gold
    identities: [email]
`)
	if err := os.WriteFile(filepath.Join(h.dir, "pipeline.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(h.dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	return h
}

// step runs the pipeline with emails entering gold (when there are any),
// then syncs, at t0+at by the engine's and TTD's clocks.
func (h *syncHarness) step(at time.Duration, emails ...string) outputs.Result {
	h.t.Helper()
	now := h.t0.Add(at)
	h.s.ttd.Now = func() time.Time { return now }
	p, err := pipeline.Load(filepath.Join(h.dir, "pipeline.yaml"), h.reg)
	if err != nil {
		h.t.Fatal(err)
	}
	if len(emails) > 0 {
		h.n++
		var lines []string
		for _, e := range emails {
			lines = append(lines, connectortest.GoldUser(e, "gold"))
		}
		if err := os.WriteFile(filepath.Join(h.dir, "data", strings.Repeat("r", h.n)+".ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			h.t.Fatal(err)
		}
		if _, err := (&pipeline.Runner{Registry: h.reg}).Run(context.Background(), p, pipeline.Options{Now: now, NoSync: true}); err != nil {
			h.t.Fatal(err)
		}
	}
	store, err := engine.Open(context.Background(), p.State, engine.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	defer store.Close()
	res, err := (&outputs.Syncer{Registry: h.reg}).Sync(context.Background(), store, p, outputs.Options{Now: now})
	if err != nil {
		h.t.Fatalf("sync at +%s: %v", at, err)
	}
	return res[0]
}

// mapped returns how many hashes the identity map requests since the
// request numbered from asked for, and how many bucket checks were made.
func (h *syncHarness) mapped(from int) (hashes, checks, next int) {
	reqs := h.s.uid2.Requests()
	for _, r := range reqs[from:] {
		switch r.Path {
		case "/v2/identity/map":
			hashes += r.Identities
		case "/v2/identity/buckets":
			checks++
		}
	}
	return hashes, checks, len(reqs)
}

func hashOf(t *testing.T, email string) string {
	h, err := adnorm.UID2(adnorm.UID2KindEmail, email)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestSyncsKeepMembersLive: over syncs spanning more than the ttl (2d),
// members that never change are refreshed after ttl/2 and TTD holds every
// one of them with a live TTL at each sync; one held for less is not sent
// again.
func TestSyncsKeepMembersLive(t *testing.T) {
	h := newSyncHarness(t)
	emails := []string{"a@example.com", "b@example.com"}
	want := func(at time.Duration, es ...string) {
		t.Helper()
		var uids []string
		for _, e := range es {
			uids = append(uids, uid2test.FakeUID2(hashOf(t, e)))
		}
		slices.Sort(uids)
		if got := h.s.ttd.Live(segment, h.t0.Add(at)); !slices.Equal(got, uids) {
			t.Errorf("at +%s TTD holds %d live members, want %d (%v)", at, len(got), len(uids), es)
		}
	}
	for _, st := range []struct {
		at               time.Duration
		enter            []string
		added, refreshed int64
		live             []string
	}{
		{0, emails, 2, 0, emails},
		{12 * time.Hour, []string{"c@example.com"}, 1, 0, append(emails, "c@example.com")},
		{30 * time.Hour, nil, 0, 2, append(emails, "c@example.com")}, // a, b held 30h; c 18h
		{40 * time.Hour, nil, 0, 1, append(emails, "c@example.com")}, // c held 28h
		{60 * time.Hour, nil, 0, 2, append(emails, "c@example.com")}, // past the first ttl
		{75 * time.Hour, nil, 0, 1, append(emails, "c@example.com")},
		{110 * time.Hour, nil, 0, 3, append(emails, "c@example.com")},
	} {
		r := h.step(st.at, st.enter...)
		if r.Added != st.added || r.Refreshed != st.refreshed || r.Failed != 0 {
			t.Errorf("sync at +%s: added %d, refreshed %d, failed %d; want %d, %d, 0 (%v)", st.at, r.Added, r.Refreshed, r.Failed, st.added, st.refreshed, r.Err)
		}
		want(st.at, st.live...)
	}
	// Without the refreshes a and b, last sent at +0, would have lapsed at
	// +48h: the check above can fail.
	want(109*time.Hour, append(emails, "c@example.com")...)
}

// TestMappingsKept: a sync maps only the hashes it has not mapped before;
// after UID2 rotates a bucket, the writer drops that mapping, maps the
// hash again and the new UID2 reaches TTD; `mosaic forget` deletes the
// forgotten profile's mapping alone (all of them without StateKeys).
func TestMappingsKept(t *testing.T) {
	h := newSyncHarness(t)
	h.step(0, "a@example.com", "b@example.com")
	hashes, checks, from := h.mapped(0)
	if hashes != 2 || checks != 0 {
		t.Errorf("first sync: %d hashes mapped, %d bucket checks; want 2, 0 (nothing kept to check)", hashes, checks)
	}
	h.step(12*time.Hour, "c@example.com")
	if hashes, checks, from = h.mapped(from); hashes != 1 || checks != 1 {
		t.Errorf("second sync: %d hashes mapped, %d bucket checks; want c's alone, 1", hashes, checks)
	}
	// a's bucket rotates; at +30h a and b are refreshed: a is mapped again
	// and TTD gets its new UID2, b's mapping is kept.
	ha := hashOf(t, "a@example.com")
	old := uid2test.FakeUID2(ha)
	h.s.uid2.Rotate(ha)
	if h.s.uid2.UID2Of(ha) == old {
		t.Fatal("the rotation did not change a's UID2")
	}
	if r := h.step(30 * time.Hour); r.Refreshed != 2 {
		t.Fatalf("sync at +30h refreshed %d, want 2", r.Refreshed)
	}
	if hashes, checks, from = h.mapped(from); hashes != 1 || checks != 1 {
		t.Errorf("sync after the rotation: %d hashes mapped, %d bucket checks; want a's alone, 1", hashes, checks)
	}
	if ttl := h.s.ttd.TTL(segment, h.s.uid2.UID2Of(ha)); ttl != 2*24*60 {
		t.Errorf("a's new UID2 holds TTL %d in TTD, want %d", ttl, 2*24*60)
	}
	// A sync with nothing due sends nothing and maps nothing.
	if r := h.step(31 * time.Hour); r.Added+r.Refreshed != 0 {
		t.Errorf("sync at +31h: %+v, want nothing sent", r)
	}
	if hashes, _, _ = h.mapped(from); hashes != 0 {
		t.Errorf("sync at +31h mapped %d hashes", hashes)
	}
	if n := h.kept(); n != 3 {
		t.Errorf("%d mappings kept, want 3", n)
	}
	p, err := pipeline.Load(filepath.Join(h.dir, "pipeline.yaml"), h.reg)
	if err != nil {
		t.Fatal(err)
	}
	h.forget(forget.Request{IdentityType: "email", Identity: "b@example.com", Reason: "test", StateKeys: forget.OutputStateKeys(p, h.reg)})
	if n := h.kept(); n != 2 || h.keeps("b@example.com") {
		t.Errorf("after forgetting b, %d mappings are kept (b's: %v); want a's and c's alone", n, h.keeps("b@example.com"))
	}
	h.forget(forget.Request{IdentityType: "email", Identity: "c@example.com", Reason: "test"})
	if n := h.kept(); n != 0 {
		t.Errorf("after forgetting c without StateKeys, %d mappings are kept; want none", n)
	}
	h.step(32 * time.Hour)
	if members := h.s.ttd.Members(segment); slices.Contains(members, uid2test.FakeUID2(hashOf(t, "b@example.com"))) {
		t.Errorf("b is still a TTD member after forget")
	}
}

// kept counts the mappings the output's state holds.
// forget runs `mosaic forget` as req asks, on the closed store.
func (h *syncHarness) forget(req forget.Request) {
	h.t.Helper()
	store, err := engine.Open(context.Background(), filepath.Join(h.dir, "store.duckdb"), engine.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	defer store.Close()
	if _, err := forget.Forget(context.Background(), store, req); err != nil {
		h.t.Fatal(err)
	}
}

// keeps tells whether the output keeps the mapping of an e-mail's hash.
func (h *syncHarness) keeps(email string) bool {
	h.t.Helper()
	return h.countKV("key = ?", "map:email:"+hashOf(h.t, email)) > 0
}

// kept counts the mappings the output keeps.
func (h *syncHarness) kept() int {
	h.t.Helper()
	return h.countKV("key LIKE 'map:%'")
}

// countKV counts the output state's entries that where selects.
func (h *syncHarness) countKV(where string, args ...any) int {
	h.t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(h.dir, "store.duckdb")+"?access_mode=read_only")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM _mosaic.output_kv WHERE "+where, args...).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

package outputs_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
	"github.com/mosaic-cdp/mosaic/internal/cli"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestMain lets a test run this binary as mosaic itself (to kill it).
func TestMain(m *testing.M) {
	if os.Getenv("MOSAIC_OUTPUTS_SUBPROCESS") == "1" {
		os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// faultSetup is a pipeline whose two webhook outputs (the conformance
// suite's crm and gold) reach their receivers through chaos proxies; the
// receivers also hold a record each that someone else wrote.
type faultSetup struct {
	dir       string
	receivers map[string]*webhooktest.Receiver
	proxies   map[string]*chaos
	rnd       *rand.Rand
	run       int
}

func newFaultSetup(t *testing.T) *faultSetup {
	f := &faultSetup{dir: t.TempDir(), receivers: map[string]*webhooktest.Receiver{}, proxies: map[string]*chaos{}, rnd: rand.New(rand.NewPCG(7, 7))}
	t.Setenv("MOSAIC_TEST_HOOK_SECRET", secret)
	yaml := `version: 1
name: faults
state: ./store.duckdb
identity: { priority: [customerid, email], unique: [customerid] }
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
audiences:
  - { name: gold, criteria: { attribute: { key: tier, op: eq, value: gold } } }
outputs:
`
	for i, name := range []string{"crm", "gold"} {
		f.receivers[name] = webhooktest.New(t, secret)
		f.proxies[name] = newChaos(t, f.receivers[name], uint64(i+1), 1500*time.Millisecond)
		t.Setenv("MOSAIC_TEST_HOOK_"+strings.ToUpper(name), f.proxies[name].srv.URL)
		yaml += "  - name: " + name + "\n    kind: webhook\n    url_env: MOSAIC_TEST_HOOK_" + strings.ToUpper(name) +
			"\n    secret_env: MOSAIC_TEST_HOOK_SECRET\n    batch_size: 4\n    timeout: 1s\n" + connectortest.SuiteOutputs[name]
	}
	f.receivers["crm"].Put("someone@else.com", []byte(`{"by":"someone else"}`))
	f.receivers["gold"].Put("gold:42", []byte(`{"by":"someone else"}`))
	if err := os.WriteFile(filepath.Join(f.dir, "pipeline.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// nextData writes the next run's batches: 40 changes to 60 users (a tier,
// a score, a deleted tier, a customer id that merges profiles).
func (f *faultSetup) nextData(t *testing.T) {
	f.run++
	var b strings.Builder
	base := time.Date(2026, 6, f.run, 0, 0, 0, 0, time.UTC).Add(-12 * time.Hour)
	for k := range 40 {
		u := f.rnd.IntN(60)
		ms := base.Add(time.Duration(k) * time.Minute).UnixMilli()
		ids := fmt.Sprintf(`"email": "u%d@x.com"`, u)
		body := ""
		switch f.rnd.IntN(4) {
		case 0:
			body = fmt.Sprintf(`"user_attributes": {"tier": %q}`, []string{"bronze", "silver", "gold", "gold"}[f.rnd.IntN(4)])
		case 1:
			body = fmt.Sprintf(`"user_attributes": {"score": %d}`, f.rnd.IntN(100))
		case 2:
			body = `"deleted_user_attributes": ["tier"]`
		case 3:
			ids += fmt.Sprintf(`, "customer_id": "c%d"`, u)
			body = `"user_attributes": {"tier": "gold"}`
		}
		fmt.Fprintf(&b, `{"environment": "production", "user_identities": {%s}, %s, "timestamp_unixtime_ms": %d}`+"\n", ids, body, ms)
	}
	os.MkdirAll(filepath.Join(f.dir, "data"), 0o755)
	if err := os.WriteFile(filepath.Join(f.dir, "data", fmt.Sprintf("%d.ndjson", f.run)), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *faultSetup) setRate(r float64, kinds ...string) {
	for _, c := range f.proxies {
		c.setRate(r, kinds...)
	}
}

// runOnce runs the pipeline in this process; a failed sync is expected
// under faults, a failed run is not.
func (f *faultSetup) runOnce(t *testing.T) {
	p, err := pipeline.Load(filepath.Join(f.dir, "pipeline.yaml"), builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: time.Date(2026, 6, f.run, 0, 0, 0, 0, time.UTC)})
	var oe *pipeline.OutputsError
	if err != nil && !errors.As(err, &oe) {
		t.Fatalf("run %d: %v", f.run, err)
	}
	if err != nil {
		t.Logf("run %d: %v", f.run, err)
	}
}

// check compares each receiver, less the co-writer's record, with what
// its output should hold, and reports the proxies' findings.
func (f *faultSetup) check(t *testing.T) {
	for name, rc := range f.receivers {
		held := map[string]string{}
		for k, v := range rc.State() {
			held[k] = connectortest.NormalJSON(t, string(v))
		}
		for _, foreign := range []string{"someone@else.com", "gold:42"} {
			if name == "crm" && foreign == "someone@else.com" || name == "gold" && foreign == "gold:42" {
				if _, ok := held[foreign]; !ok {
					t.Errorf("%s: the co-writer's record %s was removed", name, foreign)
				}
				delete(held, foreign)
			}
		}
		want := connectortest.Desired(t, filepath.Join(f.dir, "store.duckdb"), name)
		if diff := cmp.Diff(want, held); diff != "" {
			t.Errorf("%s: the receiver holds (-desired +receiver):\n%s", name, diff)
		}
		f.proxies[name].report(t, name)
	}
}

// TestFaults syncs over five runs of changing data through receivers that
// fail at random (500, 429 with Retry-After, 413, answers past the
// timeout, reset connections), then a run without faults: the receivers
// end holding exactly what the outputs should, no acknowledged record is
// sent again, every resend of a record carries its idempotency key, and
// only records mosaic delivered are removed. Then a run is killed (SIGKILL)
// in the middle of its sync, and the next sync converges just the same.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("about a minute of retries; not with -short")
	}
	f := newFaultSetup(t)
	for range 5 {
		f.nextData(t)
		f.setRate(0.3)
		f.runOnce(t)
	}
	f.nextData(t)
	f.setRate(0)
	f.runOnce(t)
	f.check(t)
	for _, kind := range []string{"500", "429", "413", "slow", "reset", "reset after"} {
		if f.proxies["crm"].faults[kind]+f.proxies["gold"].faults[kind] == 0 {
			t.Errorf("no request was answered with fault %q: the test proves less than it says", kind)
		}
	}
	if t.Failed() {
		return
	}

	// A run killed mid-sync: the proxy kills it on its third request, and
	// drops that request. Faults go on but for 413: a batch split in
	// halves is acknowledged once all halves are, so a kill between them
	// resends the first half (with its idempotency key), which the check
	// would count against it.
	f.nextData(t)
	f.setRate(0.3, "500", "429", "slow", "reset", "reset after")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "run", filepath.Join(f.dir, "pipeline.yaml"), "--now", time.Date(2026, 6, f.run, 0, 0, 0, 0, time.UTC).Format(time.RFC3339))
	cmd.Env = append(os.Environ(), "MOSAIC_OUTPUTS_SUBPROCESS=1")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	var once sync.Once
	start := f.proxies["crm"].requests
	f.proxies["crm"].mu.Lock()
	killed := false
	f.proxies["crm"].onRequest = func(n int) bool {
		if n >= start+3 {
			once.Do(func() { cmd.Process.Kill(); killed = true })
		}
		return killed
	}
	f.proxies["crm"].mu.Unlock()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("mosaic run was not killed mid-sync: %v\n%s", err, out.String())
	}
	f.proxies["crm"].mu.Lock()
	f.proxies["crm"].onRequest = nil
	f.proxies["crm"].mu.Unlock()
	f.setRate(0)
	if code := cli.Run(context.Background(), []string{"sync", filepath.Join(f.dir, "pipeline.yaml")}, nil, &out, &out); code != 0 {
		t.Fatalf("mosaic sync after the kill: exit %d\n%s", code, out.String())
	}
	f.check(t)
}

package outputs_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/connectors/mparticle/mparticletest"
	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
	"github.com/mosaic-cdp/mosaic/internal/batch"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// eventsDir is a pipeline directory for the events output tests: write
// puts a pipeline file or a data file in it, run runs the pipeline (and
// syncs) at midnight of a June 2026 day: a failed sync fails the test,
// which goes on.
type eventsDir string

func (d eventsDir) write(t *testing.T, name, content string) {
	t.Helper()
	path := filepath.Join(string(d), name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (d eventsDir) run(t *testing.T, day int) {
	t.Helper()
	err := d.runWith(t, day, pipeline.Options{})
	var oe *pipeline.OutputsError
	switch {
	case errors.As(err, &oe):
		t.Errorf("run %d: %v", day, err)
	case err != nil:
		t.Fatalf("run %d: %v", day, err)
	}
}

// runWith runs the pipeline with opts at midnight of a June 2026 day and
// returns the run's error, a failed sync's included.
func (d eventsDir) runWith(t *testing.T, day int, opts pipeline.Options) error {
	t.Helper()
	p, err := pipeline.Load(filepath.Join(string(d), "pipeline.yaml"), builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	opts.Now = time.Date(2026, 6, day, 0, 0, 0, 0, time.UTC)
	_, err = (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, opts)
	return err
}

// forwarded reads the batches the files output of d wrote under out/.
func (d eventsDir) forwarded(t *testing.T) []json.RawMessage {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(string(d), "out", "*"))
	var batches []json.RawMessage
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var rec struct {
				Batch json.RawMessage `json:"batch"`
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			batches = append(batches, rec.Batch)
		}
	}
	return batches
}

// decodeBatch decodes a forwarded batch, numbers as json.Number.
func decodeBatch(t *testing.T, b json.RawMessage) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not a batch: %s: %v", b, err)
	}
	return m
}

// TestEventsForwardKeepsNulls: a batch's null fields (device_info's
// push_token, a null nested in context) and the profile's null-valued
// attribute reach a webhook and an Events API endpoint as they reach the
// files output: `nulls:` is about profile and audience records, and a
// forwarded batch goes with every field it had.
func TestEventsForwardKeepsNulls(t *testing.T) {
	d := eventsDir(t.TempDir())
	hook := webhooktest.New(t, "")
	mp := mparticletest.New(t, "mp-key", "mp-secret")
	t.Setenv("MOSAIC_TEST_HOOK_URL", hook.URL)
	t.Setenv("MOSAIC_TEST_MP_URL", mp.URL)
	t.Setenv("MOSAIC_TEST_MP_KEY", "mp-key")
	t.Setenv("MOSAIC_TEST_MP_SECRET", "mp-secret")
	d.write(t, "pipeline.yaml", `version: 1
name: nulls
state: ./store.duckdb
identity: { priority: [customerid, email] }
feeds:
  - { name: web, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
outputs:
  - { name: hook, kind: webhook, url_env: MOSAIC_TEST_HOOK_URL, send: events }
  - { name: mp, kind: mparticle, url_env: MOSAIC_TEST_MP_URL, key_env: MOSAIC_TEST_MP_KEY, secret_env: MOSAIC_TEST_MP_SECRET, send: events }
  - { name: file, kind: files, path: out, send: events }
`)
	d.write(t, "data/1.ndjson", `{"environment":"production","source_request_id":"r1","user_identities":{"email":"a@x.com"},`+
		`"user_attributes":{"plan":null,"tier":"gold"},"device_info":{"platform":"iOS","push_token":null},`+
		`"context":{"data_plan":{"plan_id":"p","plan_version":null}},`+
		`"events":[{"event_type":"custom_event","data":{"event_name":"e","timestamp_unixtime_ms":1780000000000}}]}`+"\n")
	d.run(t, 1)
	var hooked []json.RawMessage
	for _, r := range hook.Requests() {
		hooked = append(hooked, r.Batches...)
	}
	got := map[string][]json.RawMessage{"file": d.forwarded(t), "hook": hooked, "mp": mp.Batches()}
	for name, batches := range got {
		if len(batches) != 1 {
			t.Fatalf("%s got %d batches, want 1", name, len(batches))
		}
		b := decodeBatch(t, batches[0])
		for _, path := range [][]string{{"device_info", "push_token"}, {"context", "data_plan", "plan_version"}, {"user_attributes", "plan"}} {
			v, ok := any(b), true
			for _, k := range path {
				m, _ := v.(map[string]any)
				if v, ok = m[k]; !ok {
					break
				}
			}
			if !ok || v != nil {
				t.Errorf("%s: %s is missing or not null (%v) in %s", name, strings.Join(path, "."), v, batches[0])
			}
		}
	}
	if diff := cmp.Diff(decodeBatch(t, got["file"][0]), decodeBatch(t, got["hook"][0])); diff != "" {
		t.Errorf("the webhook's batch differs from the files output's (-file +hook):\n%s", diff)
	}
	if diff := cmp.Diff(decodeBatch(t, got["file"][0]), decodeBatch(t, got["mp"][0])); diff != "" {
		t.Errorf("the Events API endpoint's batch differs from the files output's (-file +mp):\n%s", diff)
	}
}

// TestEventsColumnarDeviceIdentities: a columnar feed's row becomes an
// Events API batch with its user identities in user_identities and its
// device identities in device_info, under the Events API's names (those
// mosaic's own batch decoder reads), whether it is forwarded as it came
// (only_read) or enriched: an Events API endpoint that refuses unknown
// user identity types, as mParticle does, takes every batch, and the
// output's position moves on.
func TestEventsColumnarDeviceIdentities(t *testing.T) {
	d := eventsDir(t.TempDir())
	mp := mparticletest.New(t, "mp-key", "mp-secret")
	t.Setenv("MOSAIC_TEST_MP_URL", mp.URL)
	t.Setenv("MOSAIC_TEST_MP_KEY", "mp-key")
	t.Setenv("MOSAIC_TEST_MP_SECRET", "mp-secret")
	feed := func(name, protection string) string {
		return `  - name: ` + name + `
    source: { kind: files, path: "data/` + name + `/*.ndjson" }
    source_type: sdk
    protection: ` + protection + `
    timestamp: ts
    event_name: event
    identities: { cookie: device_application_stamp, idfa: ios_idfa, email: email, cid: customerid }
`
	}
	d.write(t, "pipeline.yaml", `version: 1
name: devices
state: ./store.duckdb
identity: { priority: [customerid, email, device_application_stamp] }
feeds:
`+feed("web", "create_update")+feed("partner", "only_read")+`outputs:
  - { name: mp, kind: mparticle, url_env: MOSAIC_TEST_MP_URL, key_env: MOSAIC_TEST_MP_KEY, secret_env: MOSAIC_TEST_MP_SECRET, send: events }
  - { name: file, kind: files, path: out, send: events }
`)
	row := `{"ts":"2026-05-01T10:00:00Z","event":"page_view","cookie":"ck-1","idfa":"AAAA-1111","email":"a@x.com","cid":"C1"}` + "\n"
	d.write(t, "data/web/1.ndjson", row)
	d.write(t, "data/partner/1.ndjson", row)
	d.run(t, 1)
	got := map[string][]json.RawMessage{"file": d.forwarded(t), "mp": mp.Batches()}
	for name, batches := range got {
		if len(batches) != 2 {
			t.Fatalf("%s got %d batches, want 2: %s", name, len(batches), batches)
		}
		for _, raw := range batches {
			if _, err := batch.Decode(raw, ""); err != nil {
				t.Errorf("%s: not an Events API batch: %v: %s", name, err, raw)
			}
			b := decodeBatch(t, raw)
			devices := map[string]any{"device_application_stamp": "ck-1", "ios_advertising_id": "AAAA-1111"}
			if diff := cmp.Diff(devices, b["device_info"]); diff != "" {
				t.Errorf("%s: device_info (-want +got):\n%s\nin %s", name, diff, raw)
			}
			users := map[string]any{"customer_id": "C1", "email": "a@x.com"}
			if diff := cmp.Diff(users, b["user_identities"]); diff != "" {
				t.Errorf("%s: user_identities (-want +got):\n%s\nin %s", name, diff, raw)
			}
		}
	}
	// A second run stores nothing new: nothing is pending, nothing sent.
	before := mp.Requests()
	d.run(t, 2)
	if n := mp.Requests() - before; n != 0 {
		t.Errorf("the next sync sent %d requests: the position did not move past the forwarded batches", n)
	}
}

package outputs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestIdempotencyKeyPerDelivery: a record's tier goes gold, silver, gold,
// silver, one run a day, to a profiles output and to the gold audience's
// mirror output (add, remove, add, remove), both webhooks on 127.0.0.1.
// Each delivery carries an idempotency key, and a webhook-id, of its own,
// though the third is equal to the first and the fourth to the second: a
// receiver that drops what it has seen must not drop a value coming back.
// A delivery the receiver refuses is sent again by the next sync with the
// key and webhook-id of its first attempt: that is a repeat.
func TestIdempotencyKeyPerDelivery(t *testing.T) {
	dir := t.TempDir()
	crm, gold := webhooktest.New(t, ""), webhooktest.New(t, "")
	yaml := `version: 1
name: idem
state: ./store.duckdb
identity: { priority: [customerid, email] }
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
audiences:
  - { name: gold, criteria: { attribute: { key: tier, op: eq, value: gold } } }
outputs:
  - { name: crm, kind: webhook, url: ` + crm.URL + `, send: profiles, key: email, fields: { email: identity.email, tier: attribute.tier } }
  - { name: gold, kind: webhook, url: ` + gold.URL + `, send: audience, audience: gold, identities: [email], allow_empty: true }
`
	if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	// run runs day's data (none when tier is "") and syncs; a failed sync
	// is returned, a failed run fails the test.
	run := func(day int, tier string) error {
		t.Helper()
		now := time.Date(2026, 6, day, 0, 0, 0, 0, time.UTC)
		if tier != "" {
			line := fmt.Sprintf(`{"environment":"production","user_identities":{"email":"ann@x.com"},"user_attributes":{"tier":%q},"timestamp_unixtime_ms":%d}`+"\n",
				tier, now.Add(-time.Hour).UnixMilli())
			if err := os.WriteFile(filepath.Join(dir, "data", fmt.Sprintf("%d.ndjson", day)), []byte(line), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
		if err != nil {
			t.Fatal(err)
		}
		_, err = (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: now})
		var oe *pipeline.OutputsError
		if err != nil && !errors.As(err, &oe) {
			t.Fatalf("run %d: %v", day, err)
		}
		return err
	}
	for day, tier := range []string{"gold", "silver", "gold", "silver"} {
		if err := run(day+1, tier); err != nil {
			t.Fatal(err)
		}
	}
	// The receiver refuses the fifth delivery (gold again) once: the next
	// sync sends it again.
	crm.FailNext(1, 403)
	gold.FailNext(1, 403)
	if err := run(5, "gold"); err == nil {
		t.Fatal("run 5 synced, though the receivers refused its records")
	}
	if err := run(6, ""); err != nil {
		t.Fatal(err)
	}

	for name, rc := range map[string]*webhooktest.Receiver{"crm": crm, "gold": gold} {
		reqs := rc.Requests()
		if len(reqs) != 6 {
			t.Fatalf("%s got %d requests, want 6", name, len(reqs))
		}
		seen := map[string]int{}
		for i, r := range reqs {
			if len(r.Payload.Records) != 1 {
				t.Fatalf("%s: request %d carries %d records, want 1", name, i+1, len(r.Payload.Records))
			}
			rec := r.Payload.Records[0]
			t.Logf("%s: request %d (%d): %s %s %s key %s, webhook-id %s", name, i+1, r.Status, rec.Op, rec.Key, rec.Fields, rec.IdempotencyKey, r.ID())
			if i == 5 {
				// The resend of the refused fifth delivery.
				first := reqs[4]
				if rec.IdempotencyKey != first.Payload.Records[0].IdempotencyKey || r.ID() != first.ID() {
					t.Errorf("%s: the refused delivery was sent again with key %s and webhook-id %s, first %s and %s",
						name, rec.IdempotencyKey, r.ID(), first.Payload.Records[0].IdempotencyKey, first.ID())
				}
				continue
			}
			if j, ok := seen[rec.IdempotencyKey]; ok {
				t.Errorf("%s: delivery %d (%s %s) carries delivery %d's idempotency key: a receiver that drops repeats drops it",
					name, i+1, rec.Op, rec.Fields, j)
			}
			seen[rec.IdempotencyKey] = i + 1
			if j, ok := seen[r.ID()]; ok {
				t.Errorf("%s: delivery %d carries delivery %d's webhook-id", name, i+1, j)
			}
			seen[r.ID()] = i + 1
		}
		if got := rc.State(); len(got) != 1 {
			t.Errorf("%s holds %d records, want ann's", name, len(got))
		}
	}
}

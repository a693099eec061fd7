package calculated_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/calculated"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// oraclePipeline has every kind, with and without windows and predicates,
// reading attributes of every JSON type.
const oraclePipeline = `version: 1
name: oracle
retention: { events: 6d }
feeds:
  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }
calculated_attributes:
  - { name: c_all, calculation: count, event: buy }
  - { name: c_2d, calculation: count, event: view, within: 2d }
  - { name: s_all, calculation: sum, event: buy, attribute: amount }
  - { name: s_eur, calculation: sum, event: buy, attribute: amount, within: 3d, where: [{ key: currency, op: eq, value: EUR }] }
  - { name: mn, calculation: min, event: buy, attribute: amount }
  - { name: mx, calculation: max, event: buy, attribute: amount, where: [{ key: flag, op: eq, value: true }] }
  - { name: av, calculation: average, event: buy, attribute: amount, within: 4d }
  - { name: mf, calculation: most_frequent, event: view, attribute: sku }
  - { name: mf_amt, calculation: most_frequent, event: buy, attribute: amount, within: 2d }
  - { name: uc, calculation: unique_count, event: view, attribute: sku, within: 3d }
  - { name: fv, calculation: first_value, event: buy, attribute: sku }
  - { name: lv, calculation: last_value, event: buy, attribute: amount, where: [{ key: amount, op: gt, value: 10 }] }
  - { name: ft, calculation: first_timestamp, event: view }
  - { name: lt, calculation: last_timestamp, event: buy, within: 1d, where: [{ key: sku, op: in, value: [A, B, 3] }] }
  - { name: uv, calculation: unique_values, event: view, attribute: sku, within: 5d }
  - { name: uv_amt, calculation: unique_values, event: buy, attribute: amount, where: [{ key: currency, op: ne, value: USD }] }
`

// oracleEvents inserts $1 random events of $2 profiles over the 7 days
// before $3 and a few hours after, on whole minutes (ties in time are
// frequent), whose amount, sku, currency and flag take every JSON type,
// numeric text, junk, null or nothing. $4 seeds the hash.
const oracleEvents = `INSERT INTO _mosaic.events (event_id, mpid, feed, event_type, event_name, occurred_at, attributes, batch_id, occurred_day, run_id)
SELECT 'e' || i, 1 + hash(i, $4, 'p') % $2, 'f', 'custom_event', ['buy', 'view', 'other'][CAST(1 + hash(i, $4, 'n') % 3 AS INTEGER)], t,
    CAST('{' || concat_ws(', ',
        CASE hash(i, $4, 'a') % 9
            WHEN 0 THEN '"amount": ' || (hash(i, $4, 'v') % 5000) / 100
            WHEN 1 THEN '"amount": "' || (hash(i, $4, 'v') % 5000) / 100 || '0"'
            WHEN 2 THEN '"amount": "n/a"' WHEN 3 THEN '"amount": null' WHEN 4 THEN '"amount": 12345678901.25'
            WHEN 5 THEN '"amount": true' WHEN 6 THEN '"amount": ' || hash(i, $4, 'v') % 20
            WHEN 7 THEN '"amount": -0.0000000004' END,
        CASE hash(i, $4, 's') % 8
            WHEN 0 THEN '"sku": null' WHEN 1 THEN '"sku": 3' WHEN 2 THEN '"sku": ["A", "B"]'
            WHEN 3 THEN NULL ELSE '"sku": "' || chr(65 + CAST(hash(i, $4, 'k') % 6 AS INTEGER)) || '"' END,
        CASE hash(i, $4, 'c') % 3 WHEN 0 THEN '"currency": "EUR"' WHEN 1 THEN '"currency": "USD"' END,
        CASE hash(i, $4, 'f') % 4 WHEN 0 THEN '"flag": true' WHEN 1 THEN '"flag": "true"' WHEN 2 THEN '"flag": false' END
    ) || '}' AS JSON),
    NULL, CAST(timezone('UTC', t) AS DATE), 1
FROM (SELECT i, $3::TIMESTAMPTZ - to_minutes(CAST(hash(i, $4, 't') % (8 * 24 * 60) AS BIGINT) - 6 * 60) AS t FROM range($1) r(i))
ORDER BY t`

// TestFreshEqualsPairs computes every definition from scratch in one pass
// (fresh.sql.tmpl) and as full dirty pairs (the stage's other path), on
// random events, and compares the stored values.
func TestFreshEqualsPairs(t *testing.T) {
	ctx := context.Background()
	p, err := config.Parse("oracle.yaml", []byte(oraclePipeline))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC)
	for _, seed := range []int{1, 2} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			store, err := engine.Open(ctx, filepath.Join(t.TempDir(), "store.duckdb"), engine.Options{Command: "test"})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			if _, err := store.Conn().ExecContext(ctx, oracleEvents, 20_000, 300, now, seed); err != nil {
				t.Fatal(err)
			}
			fresh := computeAll(t, store, p, now, false)
			pairs := computeAll(t, store, p, now, true)
			if diff := cmp.Diff(pairs, fresh); diff != "" {
				t.Fatalf("values computed in one pass differ from those computed as pairs (-pairs +fresh):\n%s", diff)
			}
			for _, c := range p.CalculatedAttributes {
				if fresh[c.Name] == 0 {
					t.Errorf("%s: no value at all: the test exercises nothing", c.Name)
				}
			}
		})
	}
}

// computeAll computes p's calculated attributes from scratch at now, in a
// transaction rolled back after (asPairs: through the pairs path), and
// returns each stored non-empty value as a key "mpid name = value" and,
// under each name, the number of values.
func computeAll(t *testing.T, store *engine.Store, p *config.Pipeline, now time.Time, asPairs bool) map[string]int {
	t.Helper()
	ctx := context.Background()
	calculated.SetFreshAsPairs(asPairs)
	defer calculated.SetFreshAsPairs(false)
	tx, err := store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := calculated.Run(ctx, tx, p, 2, now); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, c := range p.CalculatedAttributes {
		kinds[c.Name] = c.Calculation
	}
	out := map[string]int{}
	for k, v := range readValues(t, store, kinds) {
		out[k+" = "+v] = 0
		var mpid int64
		var name string
		fmt.Sscanf(k, "%d %s", &mpid, &name)
		out[name]++
	}
	return out
}

// TestFirstLastValueTies: events at the same time break first_value's tie
// to the smallest JSON text and last_value's to the largest, in both paths.
// The event ids sort the other way round, so a tie broken by event id
// fails.
func TestFirstLastValueTies(t *testing.T) {
	ctx := context.Background()
	p, err := config.Parse("ties.yaml", []byte(`version: 1
name: ties
feeds:
  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }
calculated_attributes:
  - { name: fv, calculation: first_value, event: buy, attribute: sku }
  - { name: lv, calculation: last_value, event: buy, attribute: sku }
`))
	if err != nil {
		t.Fatal(err)
	}
	store, err := engine.Open(ctx, filepath.Join(t.TempDir(), "store.duckdb"), engine.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Conn().ExecContext(ctx, `INSERT INTO _mosaic.events (event_id, mpid, feed, event_type, event_name, occurred_at, attributes, occurred_day, run_id)
		SELECT id, 1, 'f', 'custom_event', 'buy', t, json_object('sku', sku), CAST(t AS DATE), 1
		FROM (VALUES ('e1', TIMESTAMPTZ '2026-06-01 10:00:00+00', 'B'), ('e2', TIMESTAMPTZ '2026-06-01 10:00:00+00', 'A'),
			('e3', TIMESTAMPTZ '2026-06-01 12:00:00+00', 'D'), ('e4', TIMESTAMPTZ '2026-06-01 12:00:00+00', 'C')) v(id, t, sku)`); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{`1 fv = "A"`: 0, `1 lv = "D"`: 0, "fv": 1, "lv": 1}
	now := time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)
	for _, asPairs := range []bool{false, true} {
		if diff := cmp.Diff(want, computeAll(t, store, p, now, asPairs)); diff != "" {
			t.Errorf("as pairs %v (-want +got):\n%s", asPairs, diff)
		}
	}
}

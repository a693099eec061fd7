package calculated_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/calculated"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// randomPipeline has every kind, over sliding windows, a lifetime bounded
// by retention, a fixed start and predicates, so that runs exercise the
// fresh, incremental, slide, merge and retention paths.
const randomPipeline = `version: 1
name: random
state: ./store.duckdb
retention: { events: 6d, profiles: 5d }
identity:
  priority: [customerid, email]
feeds:
  - name: app
    source: { kind: files, path: data/*.csv }
    source_type: sdk
    timestamp: ts
    identities: { customer_id: customerid, email: email }
    event_name: event
    event_attributes: props
calculated_attributes:
  - { name: n, calculation: count, event: purchase }
  - { name: n_1d, calculation: count, event: purchase, within: 1d }
  - { name: n_eur_3d, calculation: count, event: purchase, within: 3d, where: [{ key: currency, op: eq, value: EUR }] }
  - { name: spend, calculation: sum, event: purchase, attribute: amount }
  - { name: spend_2d, calculation: sum, event: purchase, attribute: amount, within: 2d }
  - { name: spend_ab, calculation: sum, event: purchase, attribute: amount, where: [{ key: sku, op: in, value: [A, B] }] }
  - { name: lo, calculation: min, event: purchase, attribute: amount }
  - { name: lo_2d, calculation: min, event: purchase, attribute: amount, within: 2d }
  - { name: hi, calculation: max, event: purchase, attribute: amount, since: 2026-06-03 }
  - { name: hi_3d, calculation: max, event: purchase, attribute: amount, within: 3d, where: [{ key: currency, op: ne, value: USD }] }
  - { name: avg, calculation: average, event: purchase, attribute: amount, within: 4d }
  - { name: top, calculation: most_frequent, event: view, attribute: sku }
  - { name: skus, calculation: unique_count, event: purchase, attribute: sku, within: 2d }
  - { name: first_sku, calculation: first_value, event: purchase, attribute: sku }
  - { name: last_amount, calculation: last_value, event: purchase, attribute: amount, within: 3d }
  - { name: first_at, calculation: first_timestamp, event: view }
  - { name: last_at, calculation: last_timestamp, event: purchase, within: 1d, where: [{ key: amount, op: gt, value: 10 }] }
  - { name: seen, calculation: unique_values, event: view, attribute: sku, within: 3d }
`

// TestIncrementalEqualsFull runs random feeds over several runs with a
// moving clock (now and then going back, as a backfill does) (new events, late and early events, merges, retention) and
// after each run compares the stored calculated attributes with a
// recomputation from scratch (every definition fresh) over the same store.
func TestIncrementalEqualsFull(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { incrementalCase(t, seed, 8) })
	}
}

func incrementalCase(t *testing.T, seed uint64, runs int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, seed))
	dir := t.TempDir()
	file := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(file, []byte(randomPipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	var p *config.Pipeline
	var err error
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	incremental, removed := 0, 0
	for run := 1; run <= runs; run++ {
		now = now.Add(time.Duration(rng.IntN(3)) * 24 * time.Hour).Add(time.Duration(rng.IntN(12)) * time.Hour)
		if rng.IntN(6) == 0 { // a backfill: the clock goes back a day
			now = now.Add(-24 * time.Hour)
		}
		writeRandomRows(t, filepath.Join(dir, "data", fmt.Sprintf("%d.csv", run)), rng, now, 40)
		if p == nil { // the files source wants a file to validate the path
			if p, err = pipeline.Load(file, builtin.Registry()); err != nil {
				t.Fatal(err)
			}
		}
		res, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(ctx, p, pipeline.Options{Now: now})
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		incremental += int(res.Stats.Calculated.Incremental)
		removed += int(res.Stats.Calculated.Removed)
		t.Logf("run %d at %s: %+v", run, now.Format(time.RFC3339), res.Stats.Calculated)
		stored, fresh := compareStore(t, p, now)
		if diff := cmp.Diff(fresh, stored); diff != "" {
			t.Fatalf("run %d at %s: stored values differ from a recomputation from scratch (-full +stored):\n%s", run, now.Format(time.RFC3339), diff)
		}
		if len(stored) == 0 {
			t.Fatalf("run %d: no calculated values at all: the test exercises nothing", run)
		}
	}
	if incremental == 0 {
		t.Error("no pair was ever updated incrementally: the test does not exercise the incremental path")
	}
	if removed == 0 {
		t.Error("no value was removed by a merge: the test does not exercise merges")
	}
}

// writeRandomRows writes n random rows of customers c0…c19 and e-mails
// u0@x…u19@x (now and then on one row, which merges profiles),
// purchases and views with amounts as numbers, numeric text or junk, at
// times around now (mostly the last days, some late, a few ahead).
func writeRandomRows(t *testing.T, path string, rng *rand.Rand, now time.Time, n int) {
	var b strings.Builder
	b.WriteString("customer_id,email,event,props,ts\n")
	for range n {
		cust, email := "", ""
		i := rng.IntN(20)
		switch r := rng.IntN(100); {
		case r < 25:
			email = fmt.Sprintf("u%d@x", i)
		case r < 30: // links a customer and an e-mail: merges their profiles
			cust, email = fmt.Sprintf("c%d", i), fmt.Sprintf("u%d@x", i)
		case r < 32: // a rarer cross link
			cust, email = fmt.Sprintf("c%d", i), fmt.Sprintf("u%d@x", rng.IntN(20))
		default:
			cust = fmt.Sprintf("c%d", i)
		}
		event := []string{"purchase", "purchase", "view", "other"}[rng.IntN(4)]
		props := map[string]any{"sku": string(rune('A' + rng.IntN(5)))}
		switch rng.IntN(5) {
		case 0:
			props["amount"] = fmt.Sprintf("%d.%02d", rng.IntN(50), rng.IntN(100))
		case 1:
			props["amount"] = "n/a"
		case 2:
		default:
			props["amount"] = float64(rng.IntN(4000)) / 100
		}
		if rng.IntN(3) > 0 {
			props["currency"] = []string{"EUR", "USD"}[rng.IntN(2)]
		}
		js, _ := json.Marshal(props)
		back := time.Duration(rng.IntN(8*24*60)) * time.Minute
		if rng.IntN(10) == 0 {
			back = -time.Duration(rng.IntN(24*60)) * time.Minute // ahead of the clock
		}
		fmt.Fprintf(&b, "%s,%s,%s,\"%s\",%s\n", cust, email, event, strings.ReplaceAll(string(js), `"`, `""`), now.Add(-back).Format(time.RFC3339))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// compareStore returns the stored calculated values and those of a
// recomputation from scratch at now (in a transaction rolled back after),
// both without empty values: a missing row means the empty value.
func compareStore(t *testing.T, p *config.Pipeline, now time.Time) (stored, fresh map[string]string) {
	t.Helper()
	ctx := context.Background()
	store, err := engine.Open(ctx, p.State, engine.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	kinds := map[string]string{}
	for _, c := range p.CalculatedAttributes {
		kinds[c.Name] = c.Calculation
	}
	stored = readValues(t, store, kinds)
	tx, err := store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := store.Conn().ExecContext(ctx, `DELETE FROM _mosaic.calc_state`); err != nil {
		t.Fatal(err)
	}
	if _, err := calculated.Run(ctx, tx, p, -1, now); err != nil {
		t.Fatal(err)
	}
	return stored, readValues(t, store, kinds)
}

func readValues(t *testing.T, store *engine.Store, kinds map[string]string) map[string]string {
	t.Helper()
	rows, err := store.Conn().QueryContext(context.Background(), `SELECT mpid, key, CAST(value AS VARCHAR) FROM main.profile_attributes WHERE calculated`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var mpid int64
		var key, value string
		if err := rows.Scan(&mpid, &key, &value); err != nil {
			t.Fatal(err)
		}
		empty := map[string]string{"count": "0", "sum": "0", "unique_count": "0", "unique_values": "[]"}[kinds[key]]
		if empty == "" {
			empty = "null"
		}
		if value != empty {
			out[fmt.Sprintf("%d %s", mpid, key)] = value
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

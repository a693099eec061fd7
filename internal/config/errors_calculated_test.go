package config_test

import (
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

func TestCalculatedValid(t *testing.T) {
	src := `version: 1
name: p
retention: { events: 90d }
feeds:
  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }
calculated_attributes:
  - { name: a, calculation: count, event: e, within: 90d }
  - { name: b, calculation: unique_values, event: e, attribute: sku, since: 2026-01-01 }
  - name: c
    calculation: sum
    event: purchase
    attribute: amount
    where:
      - { key: currency, op: in, value: [EUR, 978] }
      - { key: coupon, op: exists }
      - { key: sku, op: matches, value: "^A-[0-9]+$" }
      - { key: amount, op: gte, value: 10.5 }
`
	p, err := config.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.CalculatedAttributes[2].Where); got != 4 {
		t.Errorf("where has %d predicates, want 4", got)
	}
}

func TestRetentionCutoffs(t *testing.T) {
	now := time.Date(2026, 6, 3, 15, 4, 5, 0, time.UTC)
	r := config.Retention{Events: config.Duration(2 * 24 * time.Hour), Profiles: config.Duration(36 * time.Hour)}
	if got, want := r.EventsCutoff(now), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("EventsCutoff = %v, want %v (the start of the day 2d back)", got, want)
	}
	if got, want := r.ProfilesCutoff(now), time.Date(2026, 6, 2, 3, 4, 5, 0, time.UTC); !got.Equal(want) {
		t.Errorf("ProfilesCutoff = %v, want %v", got, want)
	}
	if !(config.Retention{}).EventsCutoff(now).IsZero() || !(config.Retention{}).ProfilesCutoff(now).IsZero() {
		t.Error("no retention: cutoffs should be zero")
	}
	if r.CoversLookback(config.Duration(3*24*time.Hour)) || !r.CoversLookback(config.Duration(2*24*time.Hour)) || !(config.Retention{}).CoversLookback(1) {
		t.Error("CoversLookback: wrong answer")
	}
}

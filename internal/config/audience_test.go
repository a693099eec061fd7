package config_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

func TestParseEventWindows(t *testing.T) {
	src := "version: 1\nname: p\nfeeds:\n  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }\naudiences:\n" +
		"  - { name: a, criteria: { event: { name: purchase, between: { from: 60d, to: 2w } } } }\n" +
		"  - { name: b, criteria: { event: { name: purchase, between: { from: 2026-01-01, to: \"2026-02-01T12:00:00Z\" }, count: { gte: 2, lt: 5 } } } }\n"
	p, err := config.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	day := config.Duration(24 * time.Hour)
	two, five := 2.0, 5.0
	want := []config.EventPredicate{
		{Name: "purchase", Between: &config.Between{From: config.Bound{Ago: 60 * day}, To: config.Bound{Ago: 14 * day}}},
		{Name: "purchase", Between: &config.Between{
			From: config.Bound{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
			To:   config.Bound{At: time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)}},
			Count: &config.Comparison{Gte: &two, Lt: &five}},
	}
	for i, w := range want {
		if diff := cmp.Diff(w, *p.Audiences[i].Criteria.Event); diff != "" {
			t.Errorf("audience %d (-want +got):\n%s", i, diff)
		}
	}
	if got := p.Audiences[1].Criteria.Event.Between.To.String(); got != "2026-02-01T12:00:00Z" {
		t.Errorf("Bound.String = %q", got)
	}
}

package config_test

import (
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

func TestParseErrorsCalculatedKinds(t *testing.T) {
	const head = "version: 1\nname: p\nretention: { events: 90d }\nfeeds:\n  - { name: f, source: { kind: files }, source_type: sdk, mpid: id, attributes: { t: tier } }\ncalculated_attributes:\n"
	// head is 6 lines: the calculated attribute under test is on line 7.
	cases := []errorCase{{
		name: "count reads no attribute",
		src:  head + "  - { name: n, calculation: count, event: e, attribute: amount }\n",
		want: "p.yaml:7:57: calculated_attributes[0].attribute: calculation \"count\" reads no attribute: remove `attribute:` (to count only events that carry it, add `where: [{key: amount, op: exists}]`)",
	}, {
		name: "last_timestamp reads no attribute",
		src:  head + "  - { name: n, calculation: last_timestamp, event: e, attribute: amount }\n",
		want: "p.yaml:7:66: calculated_attributes[0].attribute: calculation \"last_timestamp\" reads no attribute: remove `attribute:` (to count only events that carry it, add `where: [{key: amount, op: exists}]`)",
	}, {
		name: "name of a feed attribute",
		src:  head + "  - { name: tier, calculation: count, event: e }\n",
		want: "p.yaml:7:13: calculated_attributes[0].name: calculated attribute \"tier\" has the name of an attribute that feed \"f\" sets: rename one of them, profile_attributes would hold both",
	}, {
		name: "where without key",
		src:  head + "  - { name: n, calculation: count, event: e, where: [{ op: exists }] }\n",
		want: "p.yaml:7:54: calculated_attributes[0].where[0]: key is required",
	}, {
		name: "where unknown operator",
		src:  head + "  - { name: n, calculation: count, event: e, where: [{ key: k, op: equals, value: 1 }] }\n",
		want: "p.yaml:7:68: calculated_attributes[0].where[0].op: unknown operator \"equals\", did you mean \"eq\"?",
	}, {
		name: "where eq without value",
		src:  head + "  - { name: n, calculation: count, event: e, where: [{ key: k, op: eq }] }\n",
		want: "p.yaml:7:54: calculated_attributes[0].where[0]: operator \"eq\" needs a value",
	}, {
		name: "where exists with a value",
		src:  head + "  - { name: n, calculation: count, event: e, where: [{ key: k, op: exists, value: 1 }] }\n",
		want: "p.yaml:7:83: calculated_attributes[0].where[0].value: operator \"exists\" takes no value",
	}, {
		name: "where in needs a list",
		src:  head + "  - { name: n, calculation: count, event: e, where: [{ key: k, op: in, value: a }] }\n",
		want: "p.yaml:7:79: calculated_attributes[0].where[0].value: operator \"in\" needs a list of values, e.g. [gold, silver]",
	}, {
		name: "where in with a nested list",
		src:  head + "  - { name: n, calculation: count, event: e, where: [{ key: k, op: in, value: [a, [b]] }] }\n",
		want: "p.yaml:7:79: calculated_attributes[0].where[0].value[1]: a value of \"in\" must be a string, number or boolean",
	}, {
		name: "where matches a bad expression",
		src:  head + "  - { name: n, calculation: count, event: e, where: [{ key: k, op: matches, value: \"a(\" }] }\n",
		want: "p.yaml:7:84: calculated_attributes[0].where[0].value: bad regular expression \"a(\": error parsing regexp: missing closing ): `a(`",
	}, {
		name: "where gt a boolean",
		src:  head + "  - { name: n, calculation: count, event: e, where: [{ key: k, op: gt, value: true }] }\n",
		want: "p.yaml:7:79: calculated_attributes[0].where[0].value: operator \"gt\" does not order booleans: use eq or ne",
	}, {
		name: "where starts_with a number",
		src:  head + "  - { name: n, calculation: count, event: e, where: [{ key: k, op: starts_with, value: 4 }] }\n",
		want: "p.yaml:7:88: calculated_attributes[0].where[0].value: operator \"starts_with\" compares text: the value must be a string",
	}, {
		name: "within longer than retention, week unit",
		src:  head + "  - { name: n, calculation: count, event: e, within: 13w }\n",
		want: "p.yaml:7:54: calculated_attributes[0].within: window 13w is longer than retention.events (90d): events that old are deleted; shorten the window or raise retention",
	}}
	runErrorCases(t, cases)
}

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

package config_test

import "testing"

func TestParseErrorsAudiences(t *testing.T) {
	const head = "version: 1\nname: p\nretention: { events: 90d }\nfeeds:\n  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }\n" +
		"calculated_attributes:\n  - { name: orders_30d, calculation: count, event: purchase, within: 30d }\naudiences:\n"
	// head is 8 lines: the audiences under test start on line 9.
	runErrorCases(t, []errorCase{{
		name: "unknown key in criteria",
		src: head + `  - name: a
    criteria:
      all:
        - attribute: { key: tier, op: eq, value: gold }
        - evnt: { name: purchase }
`,
		want: "p.yaml:13:11: unknown key \"evnt\", did you mean \"event\"?",
	}, {
		name: "unknown key in a predicate",
		src:  head + "  - { name: a, criteria: { attribute: { key: tier, operator: eq, value: gold } } }\n",
		want: "p.yaml:9:52: unknown key \"operator\", did you mean \"op\"?",
	}, {
		name: "case_sensitive on a number",
		src:  head + "  - { name: a, criteria: { attribute: { key: ltv, op: gte, value: 5, case_sensitive: true } } }\n",
		want: "p.yaml:9:86: audiences[0].criteria.attribute.case_sensitive: case_sensitive applies to text values only and this predicate compares none: remove it",
	}, {
		name: "case_sensitive on exists",
		src:  head + "  - { name: a, criteria: { event: { name: e, where: [{ key: v, op: exists, case_sensitive: true }] } } }\n",
		want: "p.yaml:9:92: audiences[0].criteria.event.where[0].case_sensitive: case_sensitive applies to text values only and this predicate compares none: remove it",
	}, {
		name: "criterion with no field set",
		src:  head + "  - name: a\n    criteria: {}\n",
		want: "p.yaml:10:15: audiences[0].criteria: a criterion holds exactly one of all, any, not, attribute, calculated, event, identity, audience, sql (found 0)",
	}, {
		name: "missing criteria",
		src:  head + "  - name: a\n",
		want: "p.yaml:9:5: audiences[0].criteria: a criterion holds exactly one of all, any, not, attribute, calculated, event, identity, audience, sql (found 0)",
	}, {
		name: "criterion with two fields set",
		src: head + `  - name: a
    criteria:
      attribute: { key: tier, op: eq, value: gold }
      sql: "true"
`,
		want: "p.yaml:11:7: audiences[0].criteria: a criterion holds exactly one of all, any, not, attribute, calculated, event, identity, audience, sql (found 2)",
	}, {
		name: "nested criterion with two fields set",
		src: head + `  - name: a
    criteria:
      not:
        sql: "true"
        audience: b
`,
		want: "p.yaml:12:9: audiences[0].criteria.not: a criterion holds exactly one of all, any, not, attribute, calculated, event, identity, audience, sql (found 2)",
	}, {
		name: "all is a mapping",
		src: head + `  - name: a
    criteria:
      all: { sql: "true" }
`,
		want: "p.yaml:11:12: audiences[0].criteria.all: expected a list, got a mapping",
	}, {
		name: "unknown operator",
		src:  head + "  - { name: a, criteria: { attribute: { key: tier, op: equals, value: gold } } }\n",
		want: "p.yaml:9:56: audiences[0].criteria.attribute.op: unknown operator \"equals\", did you mean \"eq\"?",
	}, {
		name: "missing operator",
		src:  head + "  - { name: a, criteria: { attribute: { key: tier, value: gold } } }\n",
		want: "p.yaml:9:39: audiences[0].criteria.attribute.op: operator is required: one of eq, ne, lt, lte, gt, gte, in, contains, starts_with, matches, exists",
	}, {
		name: "operator without value",
		src:  head + "  - { name: a, criteria: { attribute: { key: tier, op: eq } } }\n",
		want: "p.yaml:9:39: audiences[0].criteria.attribute: operator \"eq\" needs a value",
	}, {
		name: "operator with null value",
		src:  head + "  - { name: a, criteria: { attribute: { key: tier, op: eq, value: null } } }\n",
		want: "p.yaml:9:39: audiences[0].criteria.attribute: operator \"eq\" needs a value",
	}, {
		name: "predicate without key",
		src:  head + "  - { name: a, criteria: { attribute: { op: exists } } }\n",
		want: "p.yaml:9:39: audiences[0].criteria.attribute: key is required",
	}, {
		name: "unknown operator in event where",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, where: [ { key: amount, op: gtt, value: 1 } ] } } }\n",
		want: "p.yaml:9:81: audiences[0].criteria.event.where[0].op: unknown operator \"gtt\", did you mean \"gt\"?",
	}, {
		name: "event without name",
		src:  head + "  - { name: a, criteria: { event: { within: 1d } } }\n",
		want: "p.yaml:9:35: audiences[0].criteria.event: event.name is required",
	}, {
		name: "event count is not a number",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, count: { gte: many } } } }\n",
		want: "p.yaml:9:67: audiences[0].criteria.event.count.gte: expected a number, got a string",
	}, {
		name: "event window longer than retention",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, within: 120d } } }\n",
		want: "p.yaml:9:61: audiences[0].criteria.event.within: window 120d is longer than retention.events (90d): events that old are deleted; shorten the window or raise retention",
	}, {
		name: "event last_occurred longer than retention",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, last_occurred: 100d } } }\n",
		want: "p.yaml:9:68: audiences[0].criteria.event.last_occurred: window 100d is longer than retention.events (90d): events that old are deleted; shorten the window or raise retention",
	}, {
		name: "unknown identity type",
		src:  head + "  - { name: a, criteria: { identity: { type: emal } } }\n",
		want: "p.yaml:9:46: audiences[0].criteria.identity.type: unknown identity type \"emal\", did you mean \"email\"?",
	}, {
		name: "unknown calculated attribute",
		src:  head + "  - { name: a, criteria: { calculated: { key: orders_31d, op: gt, value: 1 } } }\n",
		want: "p.yaml:9:47: audiences[0].criteria.calculated.key: unknown calculated attribute \"orders_31d\", did you mean \"orders_30d\"?",
	}, {
		name: "unknown audience reference",
		src: head + `  - name: vip
    criteria:
      any:
        - audience: lapsed
        - audience: vipp
`,
		want: "p.yaml:12:21: audiences[0].criteria.any[0].audience: unknown audience \"lapsed\" (expected one of: vip)\n" +
			"p.yaml:13:21: audiences[0].criteria.any[1].audience: unknown audience \"vipp\", did you mean \"vip\"?",
	}, {
		name: "audience cycle",
		src: head + `  - name: a
    criteria: { audience: b }
  - name: b
    criteria:
      not: { audience: a }
`,
		want: "p.yaml:10:27: audiences[0].criteria.audience: audiences refer to each other in a cycle: a (p.yaml:10:27) -> b (p.yaml:13:24) -> a; remove one of these references",
	}, {
		name: "audience cycle of three behind a non-cyclic audience",
		src: head + `  - { name: top, criteria: { audience: a } }
  - { name: a, criteria: { any: [ { audience: b }, { identity: { type: email } } ] } }
  - { name: b, criteria: { all: [ { audience: c } ] } }
  - { name: c, criteria: { not: { audience: a } } }
`,
		want: "p.yaml:10:47: audiences[1].criteria.any[0].audience: audiences refer to each other in a cycle: a (p.yaml:10:47) -> b (p.yaml:11:47) -> c (p.yaml:12:45) -> a; remove one of these references",
	}, {
		name: "two cycles through one audience",
		src: head + `  - { name: a, criteria: { any: [ { audience: b }, { audience: c } ] } }
  - { name: b, criteria: { audience: a } }
  - { name: c, criteria: { audience: a } }
`,
		want: "p.yaml:9:47: audiences[0].criteria.any[0].audience: audiences refer to each other in a cycle: a (p.yaml:9:47) -> b (p.yaml:10:38) -> a; remove one of these references\n" +
			"p.yaml:9:64: audiences[0].criteria.any[1].audience: audiences refer to each other in a cycle: a (p.yaml:9:64) -> c (p.yaml:11:38) -> a; remove one of these references",
	}, {
		name: "audience refers to itself",
		src:  head + "  - { name: a, criteria: { audience: a } }\n",
		want: "p.yaml:9:38: audiences[0].criteria.audience: audience \"a\" refers to itself: remove this reference",
	}, {
		name: "bad audience name",
		src:  head + "  - { name: lapsed-vip, criteria: { sql: \"SELECT 1 AS mpid\" } }\n",
		want: "p.yaml:9:13: audiences[0].name: bad audience name \"lapsed-vip\": use letters, digits and _ (start with a letter)",
	}, {
		name: "empty sql",
		src:  head + "  - { name: a, criteria: { sql: \"  \" } }\n",
		want: "p.yaml:9:33: audiences[0].criteria.sql: the query is empty: write a SELECT returning a column mpid",
	}, {
		name: "empty all",
		src:  head + "  - { name: a, criteria: { all: [] } }\n",
		want: "p.yaml:9:26: audiences[0].criteria: an empty list of criteria matches nothing: list at least one criterion",
	}, {
		name: "attribute names a calculated attribute",
		src:  head + "  - { name: a, criteria: { attribute: { key: orders_30d, op: gt, value: 1 } } }\n",
		want: "p.yaml:9:46: audiences[0].criteria.attribute.key: \"orders_30d\" is a calculated attribute: write `calculated: { key: orders_30d, … }`",
	}, {
		name: "in without a list",
		src:  head + "  - { name: a, criteria: { attribute: { key: tier, op: in, value: gold } } }\n",
		want: "p.yaml:9:67: audiences[0].criteria.attribute.value: operator \"in\" needs a list of values, e.g. [gold, silver]",
	}, {
		name: "in with an empty list",
		src:  head + "  - { name: a, criteria: { attribute: { key: tier, op: in, value: [] } } }\n",
		want: "p.yaml:9:67: audiences[0].criteria.attribute.value: operator \"in\" needs a list of values, e.g. [gold, silver]",
	}, {
		name: "in with a nested list",
		src:  head + "  - { name: a, criteria: { attribute: { key: tier, op: in, value: [gold, [x]] } } }\n",
		want: "p.yaml:9:67: audiences[0].criteria.attribute.value[1]: a value of \"in\" must be a string, number or boolean",
	}, {
		name: "in without value",
		src:  head + "  - { name: a, criteria: { attribute: { key: tier, op: in } } }\n",
		want: "p.yaml:9:39: audiences[0].criteria.attribute: operator \"in\" needs a list of values, e.g. [gold, silver]",
	}, {
		name: "eq with a list",
		src:  head + "  - { name: a, criteria: { attribute: { key: tier, op: eq, value: [gold] } } }\n",
		want: "p.yaml:9:67: audiences[0].criteria.attribute.value: operator \"eq\" needs one string, number or boolean (for a list of values use `in`)",
	}, {
		name: "gt with a boolean",
		src:  head + "  - { name: a, criteria: { attribute: { key: vip, op: gt, value: true } } }\n",
		want: "p.yaml:9:66: audiences[0].criteria.attribute.value: operator \"gt\" does not order booleans: use eq or ne",
	}, {
		name: "contains with a number",
		src:  head + "  - { name: a, criteria: { attribute: { key: tags, op: contains, value: 3 } } }\n",
		want: "p.yaml:9:73: audiences[0].criteria.attribute.value: operator \"contains\" compares text: the value must be a string",
	}, {
		name: "matches with a bad expression",
		src:  head + "  - { name: a, criteria: { attribute: { key: email, op: matches, value: \"(a\" } } }\n",
		want: "p.yaml:9:73: audiences[0].criteria.attribute.value: bad regular expression \"(a\": error parsing regexp: missing closing ): `(a`",
	}, {
		name: "exists with a value",
		src:  head + "  - { name: a, criteria: { attribute: { key: tier, op: exists, value: gold } } }\n",
		want: "p.yaml:9:71: audiences[0].criteria.attribute.value: operator \"exists\" takes no value",
	}, {
		name: "event with two windows",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, within: 30d, between: { from: 60d, to: 30d } } } }\n",
		want: "p.yaml:9:35: audiences[0].criteria.event: set at most one of within, between and last_occurred",
	}, {
		name: "event count and last_occurred",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, last_occurred: 7d, count: { gte: 2 } } } }\n",
		want: "p.yaml:9:79: audiences[0].criteria.event.count: set `count` or `last_occurred`, not both (count takes its window from within or between)",
	}, {
		name: "event count without comparison",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, count: {} } } }\n",
		want: "p.yaml:9:60: audiences[0].criteria.event.count: count needs a comparison: one or more of eq, ne, gt, gte, lt, lte",
	}, {
		name: "event between without to",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, between: { from: 60d } } } }\n",
		want: "p.yaml:9:62: audiences[0].criteria.event.between: between needs both from and to, e.g. { from: 60d, to: 30d } or { from: 2026-01-01, to: 2026-02-01 }",
	}, {
		name: "event between backwards",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, between: { from: 2026-03-01, to: 2026-02-01 } } } }\n",
		want: "p.yaml:9:62: audiences[0].criteria.event.between: from (2026-03-01) must be before to (2026-02-01)",
	}, {
		name: "event between relative backwards",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, between: { from: 30d, to: 60d } } } }\n",
		want: "p.yaml:9:62: audiences[0].criteria.event.between: from (30d) must be before to (60d)",
	}, {
		name: "event between older than retention",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, between: { from: 100d, to: 30d } } } }\n",
		want: "p.yaml:9:70: audiences[0].criteria.event.between.from: window 100d is longer than retention.events (90d): events that old are deleted; shorten the window or raise retention",
	}, {
		name: "event between bad bound",
		src:  head + "  - { name: a, criteria: { event: { name: purchase, between: { from: yesterday, to: 1d } } } }\n",
		want: "p.yaml:9:70: audiences[0].criteria.event.between.from: bad window bound \"yesterday\": write a duration before the run (30d) or a date (2026-01-01) or time (2026-01-01T12:00:00Z)",
	}, {
		name: "missing name",
		src:  head + "  - criteria: { sql: \"true\" }\n",
		want: "p.yaml:9:5: audiences[0].name: audience name is required",
	}, {
		name: "duplicate names",
		src:  head + "  - { name: a, criteria: { sql: \"true\" } }\n  - { name: a, criteria: { sql: \"false\" } }\n",
		want: "p.yaml:10:13: audiences[1].name: duplicate audience name \"a\": names must be unique",
	}})
}

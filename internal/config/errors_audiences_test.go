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
		want: "p.yaml:10:15: audiences[0].criteria: audience \"a\" refers to itself: a -> b -> a\n" +
			"p.yaml:13:7: audiences[1].criteria: audience \"b\" refers to itself: b -> a -> b",
	}, {
		name: "audience refers to itself",
		src:  head + "  - { name: a, criteria: { audience: a } }\n",
		want: "p.yaml:9:26: audiences[0].criteria: audience \"a\" refers to itself: a -> a",
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

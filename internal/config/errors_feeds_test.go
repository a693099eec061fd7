package config_test

import "testing"

func TestParseErrorsOutputs(t *testing.T) {
	const head = "version: 1\nname: p\nfeeds:\n  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }\naudiences:\n  - { name: lapsed_vip, criteria: { sql: \"true\" } }\noutputs:\n"
	// head is 7 lines: the output under test is on line 8.
	runErrorCases(t, []errorCase{{
		name: "unknown audience",
		src:  head + "  - { name: o, kind: uid2, audience: lapsed_vp }\n",
		want: "p.yaml:8:38: outputs[0].audience: unknown audience \"lapsed_vp\", did you mean \"lapsed_vip\"?",
	}, {
		name: "unknown audience, no near miss",
		src:  head + "  - { name: o, kind: uid2, audience: zzz }\n",
		want: "p.yaml:8:38: outputs[0].audience: unknown audience \"zzz\" (expected one of: lapsed_vip)",
	}, {
		name: "unknown mode",
		src:  head + "  - { name: o, kind: uid2, audience: lapsed_vip, mode: mirrr }\n",
		want: "p.yaml:8:56: outputs[0].mode: unknown mode \"mirrr\", did you mean \"mirror\"?",
	}, {
		name: "unknown mode, no near miss",
		src:  head + "  - { name: o, kind: uid2, mode: replace }\n",
		want: "p.yaml:8:34: outputs[0].mode: unknown mode \"replace\" (expected one of: upsert, mirror, insert)",
	}, {
		name: "missing kind",
		src:  head + "  - name: o\n    audience: lapsed_vip\n",
		want: "p.yaml:8:5: outputs[0]: output kind is required",
	}, {
		name: "missing name",
		src:  head + "  - { kind: uid2 }\n",
		want: "p.yaml:8:5: outputs[0].name: output name is required",
	}, {
		name: "duplicate names",
		src:  head + "  - { name: o, kind: uid2 }\n  - { name: o, kind: uid2 }\n",
		want: "p.yaml:9:13: outputs[1].name: duplicate output name \"o\": names must be unique",
	}, {
		name: "output is a list",
		src:  head + "  - [o]\n",
		want: "p.yaml:8:5: outputs[0]: expected a mapping, got a list",
	}})
}

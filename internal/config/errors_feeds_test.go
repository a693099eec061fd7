package config_test

import "testing"

func TestParseErrorsOutputs(t *testing.T) {
	const head = "version: 1\nname: p\nfeeds:\n  - { name: f, source: { kind: files }, source_type: sdk, mpid: id, attributes: { t: tier } }\naudiences:\n  - { name: lapsed_vip, criteria: { sql: \"true\" } }\noutputs:\n"
	// head is 7 lines: the output under test is on line 8.
	runErrorCases(t, []errorCase{{
		name: "unknown audience",
		src:  head + "  - { name: o, kind: uid2, send: audience, audience: lapsed_vp }\n",
		want: "p.yaml:8:54: outputs[0].audience: unknown audience \"lapsed_vp\", did you mean \"lapsed_vip\"?",
	}, {
		name: "unknown audience, no near miss",
		src:  head + "  - { name: o, kind: uid2, send: audience, audience: zzz }\n",
		want: "p.yaml:8:54: outputs[0].audience: unknown audience \"zzz\" (expected one of: lapsed_vip)",
	}, {
		name: "unknown audience in audiences",
		src:  head + "  - { name: o, kind: uid2, send: audience, audiences: [lapsed_vip, lapsed] }\n",
		want: "p.yaml:8:68: outputs[0].audiences[1]: unknown audience \"lapsed\", did you mean \"lapsed_vip\"?",
	}, {
		name: "unknown mode",
		src:  head + "  - { name: o, kind: uid2, send: audience, audience: lapsed_vip, mode: mirrr }\n",
		want: "p.yaml:8:72: outputs[0].mode: unknown mode \"mirrr\", did you mean \"mirror\"?",
	}, {
		name: "unknown mode, no near miss",
		src:  head + "  - { name: o, kind: uid2, send: audience, audience: lapsed_vip, mode: replace }\n",
		want: "p.yaml:8:72: outputs[0].mode: unknown mode \"replace\" (expected one of: upsert, mirror, insert)",
	}, {
		name: "missing kind",
		src:  head + "  - name: o\n    send: audience\n    audience: lapsed_vip\n",
		want: "p.yaml:8:5: outputs[0]: output kind is required",
	}, {
		name: "missing name",
		src:  head + "  - { kind: uid2, send: audience, audience: lapsed_vip }\n",
		want: "p.yaml:8:5: outputs[0].name: output name is required",
	}, {
		name: "duplicate names",
		src:  head + "  - { name: o, kind: uid2, send: audience, audience: lapsed_vip }\n  - { name: o, kind: uid2, send: audience, audience: lapsed_vip }\n",
		want: "p.yaml:9:13: outputs[1].name: duplicate output name \"o\": names must be unique",
	}, {
		name: "output is a list",
		src:  head + "  - [o]\n",
		want: "p.yaml:8:5: outputs[0]: expected a mapping, got a list",
	}, {
		name: "missing send",
		src:  head + "  - { name: o, kind: webhook }\n",
		want: "p.yaml:8:5: outputs[0].send: send is required: one of profiles, audience, events",
	}, {
		name: "unknown send",
		src:  head + "  - { name: o, kind: webhook, send: profile }\n",
		want: "p.yaml:8:37: outputs[0].send: unknown send \"profile\", did you mean \"profiles\"?",
	}, {
		name: "profiles without key",
		src:  head + "  - { name: o, kind: webhook, send: profiles, fields: { id: mpid } }\n",
		want: "p.yaml:8:5: outputs[0]: a profiles output needs `key:`: mpid or an identity type such as email or customerid",
	}, {
		name: "profiles with unknown key type",
		src:  head + "  - { name: o, kind: webhook, send: profiles, key: emial, fields: { id: mpid } }\n",
		want: "p.yaml:8:52: outputs[0].key: unknown identity type \"emial\", did you mean \"email\"?",
	}, {
		name: "profiles without fields",
		src:  head + "  - { name: o, kind: webhook, send: profiles, key: mpid }\n",
		want: "p.yaml:8:5: outputs[0]: a profiles output needs `fields:`, like `fields: {email: identity.email, tier: attribute.tier}`",
	}, {
		name: "field of an unknown attribute",
		src:  head + "  - { name: o, kind: webhook, send: profiles, key: mpid, fields: { tier: attribute.teir } }\n",
		want: "p.yaml:8:74: outputs[0].fields.tier: no feed maps attribute \"teir\" and no calculated attribute has that name (expected one of: tier)",
	}, {
		name: "field of an unknown identity type",
		src:  head + "  - { name: o, kind: webhook, send: profiles, key: mpid, fields: { e: identity.mail } }\n",
		want: "p.yaml:8:71: outputs[0].fields.e: unknown identity type \"mail\", did you mean \"email\"?",
	}, {
		name: "field of an unknown audience",
		src:  head + "  - { name: o, kind: webhook, send: profiles, key: mpid, fields: { vip: audience.vip } }\n",
		want: "p.yaml:8:73: outputs[0].fields.vip: unknown audience \"vip\" (expected one of: lapsed_vip)",
	}, {
		name: "field of an unknown profile column",
		src:  head + "  - { name: o, kind: webhook, send: profiles, key: mpid, fields: { c: profile.created } }\n",
		want: "p.yaml:8:71: outputs[0].fields.c: unknown profile column \"created\", did you mean \"created_at\"?",
	}, {
		name: "field of an unknown source",
		src:  head + "  - { name: o, kind: webhook, send: profiles, key: mpid, fields: { c: tier } }\n",
		want: "p.yaml:8:71: outputs[0].fields.c: unknown field source \"tier\": use mpid, identity.<type>, attribute.<key>, audience.<name> or profile.<created_at|updated_at|last_seen_at>",
	}, {
		name: "field named key",
		src:  head + "  - { name: o, kind: webhook, send: profiles, key: mpid, fields: { key: mpid } }\n",
		want: "p.yaml:8:73: outputs[0].fields.key: field name \"key\" is taken: each record already has its op and key; name the field otherwise",
	}, {
		name: "audience output without audience",
		src:  head + "  - { name: o, kind: webhook, send: audience }\n",
		want: "p.yaml:8:5: outputs[0]: an audience output needs `audience:` (or `audiences:`): the audience whose entries and exits it sends",
	}, {
		name: "audience output with fields",
		src:  head + "  - { name: o, kind: webhook, send: audience, audience: lapsed_vip, fields: { a: mpid } }\n",
		want: "p.yaml:8:77: outputs[0].fields: an audience output sends the audience, the mpid and `identities:`; `fields:` is for profiles outputs",
	}, {
		name: "audience output with an unknown identity",
		src:  head + "  - { name: o, kind: webhook, send: audience, audience: lapsed_vip, identities: [email, phone] }\n",
		want: "p.yaml:8:89: outputs[0].identities[1]: unknown identity type \"phone\", did you mean \"phone_number_2\"?",
	}, {
		name: "bad nulls",
		src:  head + "  - { name: o, kind: webhook, send: audience, audience: lapsed_vip, nulls: drop }\n",
		want: "p.yaml:8:76: outputs[0].nulls: unknown nulls \"drop\" (expected one of: skip, send)",
	}, {
		name: "bad batch size",
		src:  head + "  - { name: o, kind: webhook, send: audience, audience: lapsed_vip, batch_size: -1 }\n",
		want: "p.yaml:8:81: outputs[0].batch_size: batch_size must be between 1 and 100000, got -1",
	}, {
		name: "events output with a key",
		src:  head + "  - { name: o, kind: webhook, send: events, key: email }\n",
		want: "p.yaml:8:50: outputs[0].key: an events output forwards each stored batch once, enriched with its profile: remove `key`",
	}, {
		name: "attribute both included and excluded",
		src:  head + "  - { name: o, kind: webhook, send: events, attributes: { include: [t], exclude: [t] } }\n",
		want: "p.yaml:8:69: outputs[0].attributes.include[0]: attribute \"t\" is both included and excluded",
	}, {
		name: "attribute filter on a profiles output",
		src:  head + "  - { name: o, kind: webhook, send: profiles, key: mpid, fields: { id: mpid }, attributes: { include: [t] } }\n",
		want: "p.yaml:8:92: outputs[0].attributes: `attributes:` filters what an events output attaches to its batches; a profiles output picks its fields with `fields:`",
	}})
}

package config_test

import "testing"

func TestParseErrorsIdentity(t *testing.T) {
	runErrorCases(t, []errorCase{{
		name: "unknown key in identity",
		src: `version: 1
name: p
identity:
  priorty: [email]
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:3: unknown key \"priorty\", did you mean \"priority\"?",
	}, {
		name: "priority is a string",
		src: `version: 1
name: p
identity:
  priority: email
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:13: identity.priority: expected a list, got a string",
	}, {
		name: "limit is a string",
		src: `version: 1
name: p
identity:
  limits: { email: five }
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:20: identity.limits.email: expected an integer, got a string",
	}, {
		name: "limits is a list",
		src: `version: 1
name: p
identity:
  limits: [email]
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:11: identity.limits: expected a mapping, got a list",
	}, {
		name: "unknown type in priority",
		src: `version: 1
name: p
identity:
  priority: [customerid, emial]
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:26: identity.priority[1]: unknown identity type \"emial\", did you mean \"email\"?",
	}, {
		name: "unknown type in unique",
		src: `version: 1
name: p
identity:
  unique: [customer]
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:12: identity.unique[0]: unknown identity type \"customer\", did you mean \"customerid\"?",
	}, {
		name: "unknown type in limits",
		src: `version: 1
name: p
identity:
  limits: { emails: 5 }
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:21: identity.limits.emails: unknown identity type \"emails\", did you mean \"email\"?",
	}, {
		name: "unknown type in blocklist",
		src: `version: 1
name: p
identity:
  blocklist:
    "*": ["^0+$"]
    emial: ["^test@"]
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:6:12: identity.blocklist.emial: unknown identity type \"emial\", did you mean \"email\"?",
	}, {
		// "google" is 3 edits from "mobile"; "mobile_number" is meant.
		name: "unknown type in blocklist, prefix of a type",
		src: `version: 1
name: p
identity:
  blocklist: { mobile: ["^0+$"] }
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:24: identity.blocklist.mobile: unknown identity type \"mobile\", did you mean \"mobile_number\"?",
	}, {
		name: "unknown type in case_sensitive, no near miss",
		src: `version: 1
name: p
identity:
  case_sensitive: [zzz]
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:20: identity.case_sensitive[0]: unknown identity type \"zzz\" (expected one of: customerid, email, other, other_id_2, other_id_3, other_id_4, other_id_5, other_id_6, other_id_7, other_id_8, other_id_9, other_id_10, mobile_number, phone_number_2, phone_number_3, facebook, twitter, google, microsoft, yahoo, facebook_custom_audience_id, alias, ios_idfa, android_uuid, device_application_stamp, ios_idfv, android_aaid, push_token, roku_aid, roku_publisher_id, fire_aid, microsoft_aid, microsoft_publisher_id)",
	}, {
		name: "unknown type in feed identities",
		src: `version: 1
name: p
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    identities: { mail: emal }
`,
		want: "p.yaml:7:25: feeds[0].identities.mail: unknown identity type \"emal\", did you mean \"email\"?",
	}, {
		name: "duplicate type in priority",
		src: `version: 1
name: p
identity:
  priority: [email, customerid, email]
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:33: identity.priority[2]: identity type \"email\" is listed twice",
	}, {
		name: "duplicate type in priority under another spelling",
		src: `version: 1
name: p
identity:
  priority: [customerid, customer_id]
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:26: identity.priority[1]: identity type \"customer_id\" is listed twice",
	}, {
		name: "bad blocklist regex",
		src: `version: 1
name: p
identity:
  blocklist: { email: ["^test@", "(unclosed"] }
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:34: identity.blocklist.email[1]: bad regular expression \"(unclosed\": error parsing regexp: missing closing ): `(unclosed`",
	}, {
		name: "bad blocklist regex for every type",
		src: `version: 1
name: p
identity:
  blocklist:
    "*": ["[z-a]"]
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:5:11: identity.blocklist.*[0]: bad regular expression \"[z-a]\": error parsing regexp: invalid character class range: `z-a`",
	}, {
		name: "blocklist entry is not a list",
		src: `version: 1
name: p
identity:
  blocklist: { email: "^test@" }
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:23: identity.blocklist.email: expected a list, got a string",
	}, {
		name: "limit zero",
		src: `version: 1
name: p
identity:
  limits: { email: 0 }
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:4:20: identity.limits.email: limit must be at least 1, got 0",
	}, {
		name: "limit negative",
		src: `version: 1
name: p
identity:
  limits:
    mobile_number: -2
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:5:20: identity.limits.mobile_number: limit must be at least 1, got -2",
	}, {
		name: "unknown source type in source_priority",
		src: `version: 1
name: p
source_priority: [sdk, warehose]
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:3:24: source_priority[1]: unknown source type \"warehose\", did you mean \"warehouse\"?",
	}})
}

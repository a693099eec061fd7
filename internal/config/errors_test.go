package config_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// errorCase is a small pipeline file, named p.yaml, with one thing broken,
// and the exact error Parse must return for it.
type errorCase struct {
	name string
	src  string
	want string
}

func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("two cases are named %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			p, err := config.Parse("p.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("Parse succeeded, want error\n%s", tc.want)
			}
			if p != nil {
				t.Errorf("Parse returned a pipeline together with an error")
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Parse error\n got: %s\nwant: %s\nwhere got points:\n%s", got, tc.want, pointAt(tc.src, got))
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
		})
	}
}

// pointAt shows, for each "p.yaml:line:col: ..." line of msg, the source
// line with a caret under col, to help check a position by eye.
func pointAt(src, msg string) string {
	lines := strings.Split(src, "\n")
	var b strings.Builder
	for _, m := range strings.Split(msg, "\n") {
		var line, col int
		if _, err := fmt.Sscanf(m, "p.yaml:%d:%d:", &line, &col); err != nil || line < 1 || line > len(lines) || col < 1 {
			fmt.Fprintf(&b, "  (no position) %s\n", m)
			continue
		}
		fmt.Fprintf(&b, "  %3d | %s\n        %s^\n", line, lines[line-1], strings.Repeat(" ", col-1))
	}
	return b.String()
}

// The valid minimal pipeline every case breaks:
//
//	version: 1
//	name: p
//	feeds:
//	  - name: f
//	    source: { kind: files }
//	    source_type: sdk
//	    mpid: id
func TestParseValidMinimal(t *testing.T) {
	src := "version: 1\nname: p\nfeeds:\n  - name: f\n    source: { kind: files }\n    source_type: sdk\n    mpid: id\n"
	if _, err := config.Parse("p.yaml", []byte(src)); err != nil {
		t.Fatalf("Parse: %v", err)
	}
}

func TestParseErrorsFile(t *testing.T) {
	runErrorCases(t, []errorCase{{
		name: "syntax: unclosed flow sequence",
		src: `version: 1
name: [p
feeds:
`,
		want: "p.yaml:3:1: YAML syntax: ',' or ']' must be specified",
	}, {
		name: "syntax: unclosed quote",
		src: `version: 1
name: "p
`,
		want: "p.yaml:2:7: YAML syntax: could not find end character of double-quoted text",
	}, {
		name: "syntax: bad indentation",
		src: `version: 1
name: p
  bad: x
`,
		want: "p.yaml:2:7: YAML syntax: mapping value is not allowed in this context",
	}, {
		name: "syntax: tab indentation",
		src:  "version: 1\nname: p\nfeeds:\n\t- name: f\n",
		want: "p.yaml:4:1: YAML syntax: found character '\t' that cannot start any token",
	}, {
		name: "empty file",
		src:  "",
		want: "p.yaml:1:1: the pipeline file is empty or holds more than one YAML document",
	}, {
		name: "only a comment",
		src:  "# nothing here\n",
		want: "p.yaml:1:1: the pipeline file is empty or holds more than one YAML document",
	}, {
		name: "two documents",
		src:  "version: 1\n---\nversion: 1\n",
		want: "p.yaml:1:1: the pipeline file is empty or holds more than one YAML document",
	}, {
		name: "top level is a list",
		src:  "- version: 1\n",
		want: "p.yaml:1:1: pipeline file: expected a mapping, got a list",
	}, {
		name: "missing version",
		src: `name: p
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:1:1: version: version is required: add `version: 1` at the top",
	}, {
		name: "unsupported version",
		src: `version: 2
name: p
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:1:10: version: unsupported version 2: this mosaic reads version 1",
	}, {
		name: "version is a string",
		src: `version: one
name: p
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:1:10: version: expected an integer, got a string",
	}, {
		name: "missing name",
		src: `version: 1
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:1:1: name: name is required",
	}, {
		name: "empty name",
		src: `version: 1
name: ""
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:2:7: name: name is required",
	}, {
		name: "bad name",
		src: `version: 1
name: my-pipeline
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:2:7: name: bad name \"my-pipeline\": use letters, digits and _ (start with a letter)",
	}, {
		name: "name is a mapping",
		src: `version: 1
name: { first: p }
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:2:7: name: expected a string, got a mapping",
	}, {
		name: "unknown top-level key",
		src: `version: 1
name: p
calculated_atributes: []
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:3:1: unknown key \"calculated_atributes\", did you mean \"calculated_attributes\"?",
	}, {
		// protection is a feed key: "retention" is no near miss.
		name: "unknown top-level key, near miss of a feed key",
		src: `version: 1
name: p
protecton: only_read
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:3:1: unknown key \"protecton\"",
	}, {
		name: "unknown top-level key without suggestion",
		src: `version: 1
name: p
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
xyzzy: 1
`,
		want: "p.yaml:8:1: unknown key \"xyzzy\"",
	}, {
		name: "feeds is a string",
		src: `version: 1
name: p
feeds: web_events
`,
		want: "p.yaml:3:8: feeds: expected a list, got a string",
	}, {
		name: "no feeds",
		src: `version: 1
name: p
`,
		want: "p.yaml:1:1: feeds: at least one feed is required",
	}, {
		name: "duplicate top-level key",
		src: `version: 1
name: p
name: q
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:3:1: YAML syntax: mapping key \"name\" already defined at [2:1]",
	}, {
		name: "duplicate key in a feed",
		src: `version: 1
name: p
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
    source_type: csv
`,
		want: "p.yaml:8:5: YAML syntax: mapping key \"source_type\" already defined at [6:5]",
	}, {
		name: "duplicate key in a flow mapping",
		src: `version: 1
name: p
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    identities: { email: email, email: customerid }
`,
		want: "p.yaml:7:33: YAML syntax: mapping key \"email\" already defined at [7:19]",
	}, {
		name: "alias",
		src: `version: 1
name: &n p
state: *n
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:3:8: state: expected a string, got an alias (aliases are not supported)",
	}, {
		name: "bad cron schedule",
		src: `version: 1
name: p
schedule: "0 * * *"
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:3:11: schedule: bad cron schedule \"0 * * *\": expected exactly 5 fields, found 4: [0 * * *] (five fields: minute hour day-of-month month day-of-week, optionally after CRON_TZ=Zone)",
	}, {
		name: "bad cron time zone",
		src: `version: 1
name: p
schedule: "CRON_TZ=Mars/Base 0 * * * *"
feeds:
  - name: f
    source: { kind: files }
    source_type: sdk
    mpid: id
`,
		want: "p.yaml:3:11: schedule: bad cron schedule \"CRON_TZ=Mars/Base 0 * * * *\": provided bad location Mars/Base: unknown time zone Mars/Base (five fields: minute hour day-of-month month day-of-week, optionally after CRON_TZ=Zone)",
	}})
}

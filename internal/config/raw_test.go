package config_test

import (
	"errors"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// filesSource stands for a source connector's own settings.
type filesSource struct {
	Path   string          `yaml:"path"`
	Format string          `yaml:"format"`
	Every  config.Duration `yaml:"every"`
	Limit  int             `yaml:"limit"`
}

// webhookOutput stands for a destination connector's own settings.
type webhookOutput struct {
	Endpoint  string `yaml:"endpoint"`
	SecretEnv string `yaml:"secret_env"`
}

func parseOK(t *testing.T, src string) *config.Pipeline {
	t.Helper()
	p, err := config.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	return p
}

func TestRawDecodeSource(t *testing.T) {
	p := parseOK(t, `version: 1
name: p
feeds:
  - name: f
    source: { kind: files, path: web/*.ndjson, format: batch, every: 12h }
    source_type: sdk
  - name: g
    source:
      kind: files
      path: crm.csv
      limit: 10
    source_type: csv
    mpid: id
`)
	for i, want := range []filesSource{
		{Path: "web/*.ndjson", Format: "batch", Every: config.Duration(12 * 3600e9)},
		{Path: "crm.csv", Limit: 10},
	} {
		var got filesSource
		if err := p.Feeds[i].Source.Raw.Decode(&got); err != nil {
			t.Fatalf("feeds[%d].source: Decode: %v", i, err)
		}
		if got != want {
			t.Errorf("feeds[%d].source decoded to %+v, want %+v", i, got, want)
		}
	}
}

func TestRawDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, source, want string
	}{{
		name:   "unknown key",
		source: "{ kind: files, path: x, fromat: batch }",
		want:   `p.yaml:5:37: unknown key "fromat", did you mean "format"?`,
	}, {
		name:   "unknown key, no near miss",
		source: "{ kind: files, path: x, glob: true }",
		want:   `p.yaml:5:37: unknown key "glob"`,
	}, {
		name:   "wrong type",
		source: "{ kind: files, path: [a, b] }",
		want:   `p.yaml:5:34: feeds[0].source.path: expected a string, got a list`,
	}, {
		name:   "bad duration",
		source: "{ kind: files, every: 1 hour }",
		want:   `p.yaml:5:35: feeds[0].source.every: bad duration "1 hour": write a whole number and one unit of w, d, h, m or s, like 90d or 12h`,
	}, {
		name:   "several, sorted",
		source: "{ kind: files, limit: ten, pth: x }",
		want: "p.yaml:5:35: feeds[0].source.limit: expected an integer, got a string\n" +
			`p.yaml:5:40: unknown key "pth", did you mean "path"?`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			src := "version: 1\nname: p\nfeeds:\n  - name: f\n    source: " + tc.source + "\n    source_type: sdk\n    mpid: id\n"
			p := parseOK(t, src) // config itself does not look into a source's own keys
			var s filesSource
			err := p.Feeds[0].Source.Raw.Decode(&s)
			if err == nil || err.Error() != tc.want {
				t.Errorf("Decode error\n got: %v\nwant: %s\nwhere got points:\n%v", err, tc.want, pointAt("p.yaml", src, errString(err)))
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
		})
	}
}

func TestRawDecodeOutput(t *testing.T) {
	p := parseOK(t, `version: 1
name: p
feeds:
  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }
audiences:
  - { name: vip, criteria: { sql: "true" } }
outputs:
  - name: hook
    kind: webhook
    send: audience
    audience: vip
    mode: upsert
    endpoint: https://example.invalid
    secret_env: HOOK_TOKEN
  - { name: hook2, kind: webhook, send: audience, audience: vip, endpont: https://example.invalid }
`)
	o := p.Outputs[0]
	if o.Name != "hook" || o.Kind != "webhook" || o.Audience != "vip" || o.Mode != "upsert" || o.Raw.Path() != "outputs[0]" {
		t.Errorf("outputs[0] = %q %q %q %q, Raw.Path() %q", o.Name, o.Kind, o.Audience, o.Mode, o.Raw.Path())
	}
	var w webhookOutput
	if err := o.Raw.Decode(&w); err != nil {
		t.Fatalf("outputs[0]: Decode: %v", err)
	}
	if want := (webhookOutput{Endpoint: "https://example.invalid", SecretEnv: "HOOK_TOKEN"}); w != want {
		t.Errorf("outputs[0] decoded to %+v, want %+v", w, want)
	}
	err := p.Outputs[1].Raw.Decode(&w)
	if want := `p.yaml:15:66: unknown key "endpont", did you mean "endpoint"?`; err == nil || err.Error() != want {
		t.Errorf("outputs[1]: Decode error\n got: %v\nwant: %s", err, want)
	}
}

func TestRawErrorf(t *testing.T) {
	p := parseOK(t, `version: 1
name: p
feeds:
  - name: f
    source: { kind: files, path: "web/*.ndjson" }
    source_type: sdk
    mpid: id
  - name: g
    source:
      kind: files
      path: crm.csv
      options: { delimiter: ";" }
    source_type: sdk
    mpid: id
`)
	for _, tc := range []struct {
		feed int
		key  string
		want string
	}{
		{0, "path", `p.yaml:5:34: feeds[0].source.path: no file matches "web/*.ndjson"`},
		{1, "path", `p.yaml:11:13: feeds[1].source.path: no file matches "web/*.ndjson"`},
		{1, "options.delimiter", `p.yaml:12:29: feeds[1].source.options.delimiter: no file matches "web/*.ndjson"`},
		// A key that is not in the file: the error is at the block.
		{0, "format", `p.yaml:5:13: feeds[0].source.format: no file matches "web/*.ndjson"`},
	} {
		err := p.Feeds[tc.feed].Source.Raw.Errorf(tc.key, "no file matches %q", "web/*.ndjson")
		if err == nil || err.Error() != tc.want {
			t.Errorf("feeds[%d] Errorf(%q)\n got: %v\nwant: %s", tc.feed, tc.key, err, tc.want)
		}
		if !errors.Is(err, config.ErrInvalid) {
			t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
		}
	}
}

func TestRawZero(t *testing.T) {
	var r config.Raw
	var s filesSource
	if err := r.Decode(&s); err != nil {
		t.Errorf("zero Raw: Decode: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

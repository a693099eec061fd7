package connectortest

import (
	"path/filepath"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// ParseOutput parses a pipeline whose only output is `- name: o` followed
// by lines (YAML indented by four spaces: kind, send and the rest), beside
// a columnar feed that maps the attributes tier, city and ltv and two
// audiences, vip and gold; it returns the output with its defaults filled,
// as a sync hands it to a destination. A destination's unit tests build
// their OutputRequest from it.
func ParseOutput(t testing.TB, lines string) config.Output {
	t.Helper()
	src := `version: 1
name: p
feeds:
  - { name: f, source: { kind: files }, source_type: sdk, mpid: id, attributes: { tier: tier, city: city, ltv: ltv } }
audiences:
  - { name: vip, criteria: { sql: "true" } }
  - { name: gold, criteria: { sql: "true" } }
outputs:
  - name: o
` + lines
	p, err := config.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	p.Outputs[0].Defaults()
	return p.Outputs[0]
}

// ParseSource parses a pipeline whose only feed is `- name: f`, with
// `source:` followed by lines (YAML indented by six spaces: kind and the
// rest), and returns the feed's ValidateRequest, as a run hands it to a
// source, with paths resolved in dir. A source's unit tests build their
// requests from it.
func ParseSource(t testing.TB, dir, lines string) connectors.ValidateRequest {
	t.Helper()
	src := `version: 1
name: p
feeds:
  - name: f
    source_type: warehouse
    identities: { id: customerid }
    source:
` + lines
	p, err := config.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	return connectors.ValidateRequest{Feed: "f", Source: p.Feeds[0].Source, Resolve: func(path string) string { return filepath.Join(dir, path) }}
}

package connectortest

import "fmt"

// GoldPipeline is the pipeline file the engine's output tests share: a
// store beside it, one feed of mParticle batches (data/*.ndjson, source
// type sdk), an audience gold (tier = gold), then outputs: the YAML list
// items that follow `outputs:`.
func GoldPipeline(name, outputs string) string {
	return `version: 1
name: ` + name + `
state: ./store.duckdb
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
audiences:
  - { name: gold, criteria: { attribute: { key: tier, op: eq, value: gold } } }
outputs:
` + outputs
}

// GoldUser is one batch line (no newline) of GoldPipeline's feed: a user
// known by email, with a tier, at 2026-06-01.
func GoldUser(email, tier string) string {
	return fmt.Sprintf(`{"environment": "production", "user_identities": {"email": %q}, "user_attributes": {"tier": %q}, "timestamp_unixtime_ms": 1780228800000}`, email, tier)
}

package pipeline

import (
	"strings"
	"testing"
)

// TestProfilesUpdatedCountsMovedUpdatedAt: runs.stats.profiles.updated
// counts the profiles that existed before the run and whose updated_at it
// moved, as the store shows them before and after (the oracle here), not
// every profile a row matched: of run 2's rows, ann sends the same values
// again and bob an older row only (last_seen_at moves, updated_at does
// not), cat changes a value, dan gains an identity and eve is merged into
// fay (fay's updated_at moves; eve becomes an alias); gus is new. A dry
// run says the same.
func TestProfilesUpdatedCountsMovedUpdatedAt(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "in/1.csv", "id,email,tier,ts\n"+
		"ann,,gold,2026-05-01T00:00:00Z\nbob,,gold,2026-05-05T00:00:00Z\ncat,,gold,2026-05-01T00:00:00Z\n"+
		"dan,,gold,2026-05-01T00:00:00Z\n,eve@x.com,gold,2026-05-01T00:00:00Z\nfay,,gold,2026-05-01T00:00:00Z\n")
	p := loadPipeline(t, dir, `version: 1
name: updated
state: ./store.duckdb
identity: { priority: [customerid, email], unique: [customerid] }
feeds:
  - name: crm
    source: { kind: files, path: in/*.csv }
    source_type: warehouse
    timestamp: ts
    identities: { id: customerid, email: email }
    attributes: { tier: tier }
`)
	if got := run(t, p, Options{}).Stats.Profiles; got.Created != 6 || got.Updated != 0 {
		t.Fatalf("run 1: %+v, want 6 created, none updated", got)
	}
	times := func() map[string]string { // mpid → updated_at
		out := map[string]string{}
		for _, line := range query(t, p, "SELECT mpid || ' ' || updated_at FROM profiles") {
			mpid, at, _ := strings.Cut(line, " ")
			out[mpid] = at
		}
		return out
	}
	before := times()
	writeFile(t, dir, "in/2.csv", "id,email,tier,ts\n"+
		"ann,,gold,2026-05-02T00:00:00Z\nbob,,,2026-05-03T00:00:00Z\ncat,,silver,2026-05-02T00:00:00Z\n"+
		"dan,dan@x.com,,2026-05-02T00:00:00Z\nfay,eve@x.com,,2026-05-02T00:00:00Z\ngus,,gold,2026-05-02T00:00:00Z\n")
	dry := run(t, p, Options{DryRun: true}).Stats.Profiles
	got := run(t, p, Options{}).Stats.Profiles
	moved := 0
	for mpid, at := range times() {
		if was, ok := before[mpid]; ok && was != at {
			moved++
		}
	}
	if moved != 3 {
		t.Fatalf("the oracle counts %d profiles whose updated_at moved; the test wants cat, dan and fay", moved)
	}
	if got.Updated != int64(moved) || got.Created != 1 || got.Merged != 1 {
		t.Errorf("run 2: %+v, want updated %d (cat, dan, fay), created 1 (gus), merged 1 (eve)", got, moved)
	}
	if dry.Updated != got.Updated {
		t.Errorf("the dry run said %d updated, the run %d", dry.Updated, got.Updated)
	}
}

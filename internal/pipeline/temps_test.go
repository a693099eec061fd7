package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// TestStagingLeavesNoTempTables: on a store held open (as mosaic serve
// holds it), a run leaves no temp table behind: not the stage, not DuckDB's
// rejects tables, which hold a CSV or NDJSON file's malformed lines raw,
// whether the run succeeded or a feed's read failed midway.
func TestStagingLeavesNoTempTables(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFile(t, dir, "crm/1.csv", "email,ts\nann@x.com,2026-05-31T10:00:00Z\nbob@x.com,2026-05-31T10:00:00Z,extra\n")
	writeFile(t, dir, "web/1.ndjson", `{"email": "cy@x.com", "ts": "2026-05-31T10:00:00Z"}`+"\n"+`{"email": "dee@x.com", "ts": `+"\n")
	p := loadPipeline(t, dir, `version: 1
name: temps
state: ./store.duckdb
feeds:
  - { name: crm, source: { kind: files, path: "crm/*.csv" }, source_type: warehouse, identities: { email: email }, timestamp: ts }
  - { name: web, source: { kind: files, path: "web/*.ndjson" }, source_type: sdk, identities: { email: email }, timestamp: ts }
`)
	store, err := engine.Open(ctx, p.State, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	left := func() string {
		t.Helper()
		var names string
		if err := store.Conn().QueryRowContext(ctx, "SELECT coalesce(string_agg(table_name, ', ' ORDER BY table_name), '') FROM duckdb_tables() WHERE temporary").Scan(&names); err != nil {
			t.Fatal(err)
		}
		return names
	}
	r := &Runner{Registry: builtin.Registry()}
	st, err := r.RunStore(ctx, store, p, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Stats.Feeds["crm"].Dropped + st.Stats.Feeds["web"].Dropped; got != 2 {
		t.Fatalf("dropped %d rows, want the 2 malformed lines", got)
	}
	if names := left(); names != "" {
		t.Errorf("after the run, temp tables left: %s", names)
	}

	// A read that fails after a file with a malformed line: the next one
	// has no email column.
	writeFile(t, dir, "crm/2.csv", "email,ts\neve@x.com,2026-05-31T10:00:00Z,extra\n")
	writeFile(t, dir, "crm/3.csv", "name,ts\nFay,2026-05-31T10:00:00Z\n")
	if _, err := r.RunStore(ctx, store, p, Options{NoSync: true}); err == nil || !strings.Contains(err.Error(), "crm") {
		t.Fatalf("run with a broken file: %v, want feed crm's error", err)
	}
	if names := left(); names != "" {
		t.Errorf("after a failed run, temp tables left: %s", names)
	}
}

package profiledocs_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
	"github.com/mosaic-cdp/mosaic/internal/profiledocs"
)

// TestDocumentsFollowTheirPipeline: runs of a pipeline that does not serve
// the Profile API keep no documents; Ensure then writes them all (once);
// the next run of the serving pipeline writes only what it changed, and a
// run after a new audience writes them all again. Verify holds throughout.
func TestDocumentsFollowTheirPipeline(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := "version: 1\nname: docs\nstate: ./store.duckdb\nfeeds:\n  - { name: crm, source: { kind: files, path: crm/*.csv }, source_type: warehouse, timestamp: ts, identities: { id: customerid }, attributes: { tier: tier } }\n"
	serving := "serve: { profile_api: { client_id_env: DOCS_ID, client_secret_env: DOCS_SECRET } }\n"
	load := func(text string) *config.Pipeline {
		t.Helper()
		write("pipeline.yaml", text)
		p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := func(p *config.Pipeline) *pipeline.Result {
		t.Helper()
		res, err := (&pipeline.Runner{Registry: builtin.Registry()}).Run(ctx, p, pipeline.Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	withStore := func(fn func(*engine.Store)) {
		t.Helper()
		s, err := engine.Open(ctx, filepath.Join(dir, "store.duckdb"), engine.Options{Command: "test"})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		fn(s)
	}
	docs := func(s *engine.Store) (n int) {
		t.Helper()
		if err := s.Conn().QueryRowContext(ctx, "SELECT count(*) FROM _mosaic.profile_docs").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	write("crm/1.csv", "id,tier,ts\nC1,gold,2026-05-01T00:00:00Z\nC2,silver,2026-05-01T00:00:00Z\nC3,gold,2026-05-01T00:00:00Z\n")
	if res := run(load(base)); res.Stats.ProfileDocs != nil {
		t.Fatalf("a pipeline that does not serve the Profile API wrote documents: %+v", res.Stats.ProfileDocs)
	}
	p := load(base + serving)
	withStore(func(s *engine.Store) {
		if n := docs(s); n != 0 {
			t.Fatalf("%d documents before Ensure", n)
		}
		if wrote, err := profiledocs.Ensure(ctx, s, p); err != nil || !wrote {
			t.Fatalf("Ensure: wrote %v, %v; want it to write them all", wrote, err)
		}
		if wrote, err := profiledocs.Ensure(ctx, s, p); err != nil || wrote {
			t.Fatalf("Ensure again: wrote %v, %v; want nothing to do", wrote, err)
		}
		if n := docs(s); n != 3 {
			t.Fatalf("%d documents, want 3", n)
		}
	})

	write("crm/2.csv", "id,tier,ts\nC2,gold,2026-05-02T00:00:00Z\n")
	if st := run(p).Stats.ProfileDocs; st == nil || st.All || st.Written != 1 {
		t.Fatalf("a run that changes one profile wrote %+v, want that one only", st)
	}
	p = load(base + serving + "audiences:\n  - { name: gold, criteria: { attribute: { key: tier, op: eq, value: gold } } }\n")
	if st := run(p).Stats.ProfileDocs; st == nil || !st.All || st.Written != 3 {
		t.Fatalf("a run after a new audience wrote %+v, want all 3", st)
	}
	withStore(func(s *engine.Store) {
		if err := profiledocs.Verify(ctx, s, p); err != nil {
			t.Fatal(err)
		}
	})
}

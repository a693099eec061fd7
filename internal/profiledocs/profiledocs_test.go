package profiledocs_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
	"github.com/mosaic-cdp/mosaic/internal/profiledocs"
)

// TestDocumentsFollowTheirPipeline: runs of a pipeline that does not serve
// the Profile API keep no documents; Ensure then writes them all (once);
// the next run of the serving pipeline writes only what it changed and
// names those it wrote or deleted (a merge), and a run after a new
// audience writes them all again. Verify holds throughout. A run that no
// longer serves them deletes them.
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
	base := "version: 1\nname: docs\nstate: ./store.duckdb\nfeeds:\n  - { name: crm, source: { kind: files, path: crm/*.csv }, source_type: warehouse, timestamp: ts, identities: { id: customerid, email: email }, attributes: { tier: tier } }\n"
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
	mpids := func(s *engine.Store, query string) map[int64]bool {
		t.Helper()
		rows, err := s.Conn().QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[int64]bool{}
		for rows.Next() {
			var m int64
			if err := rows.Scan(&m); err != nil {
				t.Fatal(err)
			}
			out[m] = true
		}
		return out
	}
	const allDocs = "SELECT mpid FROM _mosaic.profile_docs"
	docs := func(s *engine.Store) int { return len(mpids(s, allDocs)) }

	write("crm/1.csv", "id,tier,ts,email\nC1,gold,2026-05-01T00:00:00Z,\nC2,silver,2026-05-01T00:00:00Z,\nC3,gold,2026-05-01T00:00:00Z,\n,bronze,2026-05-01T00:00:00Z,d@example.com\n")
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
		if n := docs(s); n != 4 {
			t.Fatalf("%d documents, want 4", n)
		}
	})

	var before map[int64]bool
	withStore(func(s *engine.Store) { before = mpids(s, allDocs) })
	// C2 changes tier and absorbs the e-mail-only profile.
	write("crm/2.csv", "id,tier,ts,email\nC2,gold,2026-05-02T00:00:00Z,d@example.com\n")
	st := run(p).Stats.ProfileDocs
	if st == nil || st.All || st.Written != 1 {
		t.Fatalf("a run that changes one profile wrote %+v, want that one only", st)
	}
	withStore(func(s *engine.Store) {
		want := mpids(s, "SELECT i.mpid FROM _mosaic.identities i JOIN _mosaic.identity_dict d ON d.id = i.identity_id WHERE d.identity_value = 'C2'")
		after := mpids(s, allDocs)
		for m := range before {
			if !after[m] {
				want[m] = true // merged away
			}
		}
		if len(want) != 2 || len(after) != 3 {
			t.Fatalf("C2's profile and the one merged away: %v, and %d documents after; want 2 and 3", want, len(after))
		}
		got := map[int64]bool{}
		for _, m := range st.Changed {
			got[m] = true
		}
		if diff := cmp.Diff(want, got); diff != "" || len(st.Changed) != len(got) {
			t.Errorf("the MPIDs the run changed, %v (-want +got):\n%s", st.Changed, diff)
		}
	})
	p = load(base + serving + "audiences:\n  - { name: gold, criteria: { attribute: { key: tier, op: eq, value: gold } } }\n")
	if st := run(p).Stats.ProfileDocs; st == nil || !st.All || st.Written != 3 || st.Changed != nil {
		t.Fatalf("a run after a new audience wrote %+v, want all 3", st)
	}
	withStore(func(s *engine.Store) {
		if err := profiledocs.Verify(ctx, s, p); err != nil {
			t.Fatal(err)
		}
	})
	// The pipeline stops serving: its next run deletes the documents and
	// their keys, which would outlive what retention removes.
	run(load(base))
	withStore(func(s *engine.Store) {
		if n, keys := docs(s), len(mpids(s, "SELECT mpid FROM _mosaic.profile_keys")); n != 0 || keys != 0 {
			t.Fatalf("%d documents and keys of %d profiles after a run that does not serve the Profile API, want none", n, keys)
		}
	})
}

package pipeline

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// TestStoreBelongsToItsPipeline: a pipeline written from another's file,
// its name changed but its state: kept, is refused the other's store
// (a run, a dry run), with the name's place in the file and both fixes,
// and the store records nothing of it. With --rename-from the old name the
// run takes the store, which then belongs to the new name: the old one is
// refused in turn. A store no run has succeeded on (here, one whose only
// run failed) belongs to no one.
func TestStoreBelongsToItsPipeline(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFile(t, dir, "in/crm.csv", "id,tier,ts\nC1,gold,2026-05-01T00:00:00Z\n")
	feeds := "feeds:\n  - { name: crm, source: { kind: files, path: in/*.csv }, source_type: warehouse, timestamp: ts, identities: { id: customerid }, attributes: { tier: tier } }\n"
	pipe := func(name, feed string) *config.Pipeline {
		return loadPipeline(t, dir, "version: 1\nname: "+name+"\nstate: ./s.duckdb\n"+feed)
	}
	r := &Runner{Registry: builtin.Registry()}
	runs := func() []string {
		return query(t, pipe("x", feeds), "SELECT pipeline || ' ' || status FROM runs ORDER BY run_id")
	}

	// A run that fails (a feed's timestamp column is missing) owns nothing.
	if _, err := r.Run(ctx, pipe("first", strings.Replace(feeds, "timestamp: ts", "timestamp: when", 1)), Options{}); err == nil {
		t.Fatal("a run reading a missing timestamp column succeeded")
	}
	run(t, pipe("shop", feeds), Options{})
	before := runs()
	if !slices.Equal(before, []string{"first failed", "shop succeeded"}) {
		t.Fatalf("runs %v, want a failed run of first and a run of shop", before)
	}

	other := pipe("new_shop", feeds)
	for _, opts := range []Options{{}, {DryRun: true}, {RenameFrom: "first"}} {
		_, err := r.Run(ctx, other, opts)
		var ce *config.Error
		if !errors.As(err, &ce) {
			t.Fatalf("%+v: a pipeline of another name ran on the store: %v", opts, err)
		}
		for _, want := range []string{"pipeline.yaml:2:7", `belongs to pipeline "shop"`, `not to "new_shop"`, "state:", "--rename-from shop"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%+v: the error does not say %q: %v", opts, want, err)
			}
		}
	}
	if after := runs(); !slices.Equal(after, before) {
		t.Errorf("the refused runs changed the runs: %v, want %v", after, before)
	}

	run(t, other, Options{RenameFrom: "shop"})
	run(t, other, Options{})
	if _, err := r.Run(ctx, pipe("shop", feeds), Options{}); err == nil || !strings.Contains(err.Error(), `belongs to pipeline "new_shop"`) {
		t.Errorf("the old name ran on its renamed pipeline's store: %v", err)
	}
}

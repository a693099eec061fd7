package outputs_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/outputs"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestEmptyMirrorRefuses: a mirror output whose set comes out empty while
// it holds records refuses to remove them all, unless allow_empty; a dry
// run says so beforehand.
func TestEmptyMirrorRefuses(t *testing.T) {
	for _, allow := range []bool{false, true} {
		dir := t.TempDir()
		yaml := connectortest.GoldPipeline("empty", `  - { name: gold, kind: files, path: out, send: audience, audience: gold, identities: [email], allow_empty: `+map[bool]string{false: "false", true: "true"}[allow]+` }
`)
		write := func(name, tier string) {
			os.MkdirAll(filepath.Join(dir, "data"), 0o755)
			line := connectortest.GoldUser("a@x.com", tier) + "\n"
			if err := os.WriteFile(filepath.Join(dir, "data", name), []byte(line), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
		if err != nil {
			t.Fatal(err)
		}
		run := func(day int, noSync bool) (*pipeline.Result, error) {
			return (&pipeline.Runner{Registry: builtin.Registry()}).Run(context.Background(), p, pipeline.Options{Now: time.Date(2026, 6, day, 0, 0, 0, 0, time.UTC), NoSync: noSync})
		}
		write("1.ndjson", "gold")
		if _, err := run(1, false); err != nil {
			t.Fatal(err)
		}
		write("2.ndjson", "silver") // the only member leaves: the set is empty
		if _, err := run(2, true); err != nil {
			t.Fatal(err)
		}
		// A dry run says what the sync would do: refuse, or remove him.
		store, err := engine.Open(context.Background(), p.State, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		dry, err := (&outputs.Syncer{Registry: builtin.Registry()}).Sync(context.Background(), store, p, outputs.Options{DryRun: true})
		store.Close()
		switch {
		case len(dry) != 1:
			t.Fatalf("dry run: %d results, %v", len(dry), err)
		case allow && err != nil:
			t.Fatal(err)
		case !allow && (err == nil || dry[0].Err == nil || !strings.Contains(dry[0].Err.Error(), "allow_empty: true")):
			t.Errorf("allow_empty false: the dry run said %s, %v; want the refusal the sync will make", dry[0].Status, dry[0].Err)
		case allow && (dry[0].Err != nil || dry[0].Removed != 1):
			t.Errorf("allow_empty true: the dry run said %v, would remove %d; want the member removed", dry[0].Err, dry[0].Removed)
		}
		res, err := run(2, false)
		var oe *pipeline.OutputsError
		switch {
		case !allow && (!errors.As(err, &oe) || !strings.Contains(err.Error(), "allow_empty: true")):
			t.Fatalf("allow_empty false: run 2: %v; want the sync refused, saying how to allow it", err)
		case !allow && (res.Outputs[0].Removed != 0 || res.Outputs[0].Holds != 1):
			t.Errorf("allow_empty false: removed %d, holds %d; want nothing removed", res.Outputs[0].Removed, res.Outputs[0].Holds)
		case allow && err != nil:
			t.Fatalf("allow_empty true: run 2: %v", err)
		case allow && (res.Outputs[0].Removed != 1 || res.Outputs[0].Holds != 0):
			t.Errorf("allow_empty true: removed %d, holds %d; want the member removed", res.Outputs[0].Removed, res.Outputs[0].Holds)
		}
	}
}

package connectortest

import (
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// wantNamedOnce checks how a run whose sync failed names its outputs:
// each output's own error (outputs.Result.Err, which output_runs keeps
// beside the output's name) does not name it, and the run's error names
// each failed output once ("output NAME: why"). The engine names the
// output; a destination that named it too would make it "output NAME:
// output NAME: why".
func wantNamedOnce(t *testing.T, res *pipeline.Result, err error) {
	t.Helper()
	if res == nil || err == nil {
		t.Fatalf("the run did not fail with its outputs' syncs: %v", err)
	}
	failed := 0
	for _, r := range res.Outputs {
		if r.Err == nil {
			continue
		}
		failed++
		if strings.Contains(r.Err.Error(), "output "+r.Output) {
			t.Errorf("output %s: its sync's error names it, which the engine does: %v", r.Output, r.Err)
		}
		if n := strings.Count(err.Error(), "output "+r.Output+":"); n != 1 {
			t.Errorf("the run's error names output %s %d times, not once: %v", r.Output, n, err)
		}
	}
	if failed == 0 {
		t.Errorf("the run failed, but no output's sync did: %v", err)
	}
}

package cli

import (
	"strings"
	"testing"
)

// TestMemoryLimit: `mosaic run` takes DuckDB's memory limit from
// --memory-limit, else from MOSAIC_MEMORY_LIMIT (read here, in the CLI: the
// engine reads no environment); a bad size fails the run naming it.
func TestMemoryLimit(t *testing.T) {
	dir := smallDir(t)
	p := dir + "/pipeline.yaml"
	t.Setenv("MOSAIC_MEMORY_LIMIT", "lots")
	code, _, errOut := mosaic(t, "run", p)
	if code != ExitFailed || !strings.Contains(errOut, `memory limit "lots"`) {
		t.Errorf("run with MOSAIC_MEMORY_LIMIT=lots: exit %d, want %d naming it:\n%s", code, ExitFailed, errOut)
	}
	code, _, errOut = mosaic(t, "run", p, "--memory-limit", "lots2")
	if code != ExitFailed || !strings.Contains(errOut, `memory limit "lots2"`) {
		t.Errorf("run --memory-limit lots2: exit %d, want %d naming it:\n%s", code, ExitFailed, errOut)
	}
	if code, out, errOut := mosaic(t, "run", p, "--memory-limit", "1GB"); code != ExitOK {
		t.Errorf("run --memory-limit 1GB (over a bad MOSAIC_MEMORY_LIMIT): exit %d\n%s%s", code, out, errOut)
	}
	t.Setenv("MOSAIC_MEMORY_LIMIT", "")
	if code, out, errOut := mosaic(t, "run", p); code != ExitOK {
		t.Errorf("run with the default: exit %d\n%s%s", code, out, errOut)
	}
}

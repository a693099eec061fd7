package cli

import (
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"testing"
)

func TestSetGoMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	machine := machineMemory()
	if machine < 4<<30 {
		t.Skipf("this machine has %d bytes: too few to leave the Go heap 2 GiB", machine)
	}
	t.Setenv("GOMEMLIMIT", "")
	got := setGoMemoryLimit("1GB", log)
	// DuckDB's limit, 1 GiB and a quarter of DuckDB's limit are left.
	if want := machine - 1e9 - 1<<30 - 250e6; got != want || debug.SetMemoryLimit(-1) != want {
		t.Errorf("limit %d (runtime: %d), want the machine's %d less DuckDB's 1GB, 1 GiB and 250 MB", got, debug.SetMemoryLimit(-1), machine)
	}
	for _, duck := range []string{"80%", "1000TB"} {
		debug.SetMemoryLimit(math.MaxInt64)
		if got := setGoMemoryLimit(duck, log); got != 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
			t.Errorf("DuckDB limit %q: set %d, want no limit", duck, got)
		}
	}
	t.Setenv("GOMEMLIMIT", "3GiB")
	if got := setGoMemoryLimit("1GB", log); got != 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set: set %d, want nothing", got)
	}
}

package cli

import (
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/mosaic-cdp/mosaic/internal/bytesize"
)

// goReserve is memory left to neither DuckDB's limit nor the Go heap:
// Go's runtime beyond its heap, the binary and the page tables, and
// DuckDB's memory outside its limit, which grows with the limit (hash
// tables and sorts allocate beside the buffer manager: a 7 GB limit
// peaked at 10.1 GB in an insert of 86M sorted rows, and a 10M-user first
// run with 1 GiB to spare was killed at 24.3 GB of 25.3).
func goReserve(duckdb int64) int64 { return 1<<30 + duckdb/4 }

// setGoMemoryLimit gives the Go heap a soft limit, unless GOMEMLIMIT sets
// one: the machine's memory (its cgroup's, if lower) less DuckDB's limit
// and goReserve. Without it the heap may grow to twice what is live before
// a collection (GOGC=100), and at 10M users the identity stage holds
// ~12 GB live beside DuckDB's memory. It returns the limit set (0: none,
// when GOMEMLIMIT is set, the machine's memory or DuckDB's limit cannot be
// read, or less than 2 GiB would be left).
func setGoMemoryLimit(duckdb string, log *slog.Logger) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	machine := machineMemory()
	duck, ok := bytesize.Parse(duckdb)
	if !ok || machine == 0 {
		return 0
	}
	limit := machine - duck - goReserve(duck)
	if limit < 2<<30 {
		return 0
	}
	debug.SetMemoryLimit(limit)
	log.Debug("go memory limit", "bytes", limit, "machine", machine, "duckdb", duck)
	return limit
}

// machineMemory is MemTotal from /proc/meminfo, or the cgroup's memory
// limit (v2, else v1) when that is lower; 0 when neither can be read.
func machineMemory() int64 {
	var total int64
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if f := strings.Fields(line); len(f) == 3 && f[0] == "MemTotal:" && f[2] == "kB" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				total = kb << 10
			}
		}
	}
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			total = n
		}
		break
	}
	return total
}

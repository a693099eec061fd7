package identity

import (
	"strconv"
	"strings"
)

// groupValueBytes is what grouping one identity value costs DuckDB (the
// list aggregate's hash table, its states and the strings), with room for
// what else the run holds: at 1M users, 16.5M values group in one pass of
// ~2.3 GB and slow down threefold under a 1.8 GiB limit.
const groupValueBytes = 256

// maxGroupPasses bounds the passes: each reads all of the run's values, so
// past it a tiny limit is left to DuckDB (spill, or an out-of-memory error
// that says to raise the limit).
const maxGroupPasses = 64

// groupPasses is how many passes groups.sql.tmpl takes over a run's
// values identity values under DuckDB's memory limit (as DuckDB prints it:
// "6.5 GiB"). One pass over 10M users' 165M values ran out of a 6.5 GiB
// limit, so a run whose grouping would not fit groups a share of its
// values at a time. An
// unreadable limit means one pass, as before the limit was read.
func groupPasses(values int64, limit string) int {
	b, ok := parseSize(limit)
	if !ok || b <= 0 {
		return 1
	}
	return int(min(maxGroupPasses, max(1, (values*groupValueBytes+b-1)/b)))
}

// parseSize reads a size as DuckDB prints it: "6.5 GiB", "512.0 MiB",
// "1000 bytes".
func parseSize(s string) (int64, bool) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false
	}
	scale := map[string]float64{
		"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
		"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
	}[unit]
	if scale == 0 {
		return 0, false
	}
	return int64(f * scale), true
}

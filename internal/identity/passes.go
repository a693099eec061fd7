package identity

import "github.com/mosaic-cdp/mosaic/internal/bytesize"

// groupValueBytes is what grouping one identity value costs DuckDB (the
// list aggregate's hash table, its states and the strings), with room for
// what else the run holds. At 1M users 16.5M values group in one pass of
// ~2.3 GB, threefold slower under a 1.8 GiB limit; at 10M users a seventh
// of the 165M values peaked at 5.8 GB RSS and a quarter at 8.0 GB, each
// pass taking time in proportion to its share (fewer, larger passes
// would save no time).
const groupValueBytes = 256

// maxGroupPasses bounds the passes: each reads all of the run's values, so
// past it a tiny limit is left to DuckDB (spill, or an out-of-memory error
// that says to raise the limit).
const maxGroupPasses = 64

// groupPasses is how many passes groups.sql.tmpl takes over a run's
// identity values (values of them) under DuckDB's memory limit (as DuckDB prints it:
// "6.5 GiB"). One pass over 10M users' 165M values ran out of a 6.5 GiB
// limit, so a run whose grouping would not fit groups a share of its
// values at a time. An unreadable limit means one pass.
func groupPasses(values int64, limit string) int {
	b, ok := bytesize.Parse(limit)
	if !ok || b <= 0 {
		return 1
	}
	return int(min(maxGroupPasses, max(1, (values*groupValueBytes+b-1)/b)))
}

package identity

import "github.com/mosaic-cdp/mosaic/internal/bytesize"

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
// values at a time. An unreadable limit means one pass.
func groupPasses(values int64, limit string) int {
	b, ok := bytesize.Parse(limit)
	if !ok || b <= 0 {
		return 1
	}
	return int(min(maxGroupPasses, max(1, (values*groupValueBytes+b-1)/b)))
}

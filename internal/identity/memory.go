package identity

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"
)

// kernelBytesPerRow is about what the Go heap holds per run row while the
// kernels run (the rows, their identities, the kernels' state and
// results): 14.8 GB live at most for the 100.4M rows of a first run at
// 10M users.
const kernelBytesPerRow = 150

// lentLimit is DuckDB's memory limit while the kernels run on lent
// memory: the store is only read then (load), for a first run hardly.
const lentLimit = "1GB"

// lendMemory lowers DuckDB's memory limit while the kernels run, when
// their heap may not fit beside DuckDB's: when the run's rows need more
// than half the Go heap's soft limit (the CLI sets it to the machine's
// memory less DuckDB's limit and a reserve). By then DuckDB holds the
// run's identity groups in a temp table (6.4 GB at 10M users) that
// nothing reads again before the transaction ends, and a 10M-user first
// run was killed at 24.4 GB of this machine's 25.3 with both at their
// peaks. It returns what gives the memory back (nothing to do when none
// was lent).
func lendMemory(ctx context.Context, db DB, rows int) func(context.Context) error {
	if limit := debug.SetMemoryLimit(-1); limit == math.MaxInt64 || int64(rows)*kernelBytesPerRow <= limit/2 {
		return func(context.Context) error { return nil }
	}
	giveBack := db.LendMemory(ctx, lentLimit)
	return func(ctx context.Context) error {
		if err := giveBack(ctx); err != nil {
			return fmt.Errorf("identity: give DuckDB its memory back: %w", err)
		}
		return nil
	}
}

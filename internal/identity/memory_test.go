package identity

import (
	"context"
	"math"
	"runtime/debug"
	"testing"
)

// lendDB records what lendMemory asks of the store.
type lendDB struct {
	DB
	lent, given []string
}

func (d *lendDB) LendMemory(_ context.Context, limit string) func(context.Context) error {
	d.lent = append(d.lent, limit)
	return func(context.Context) error { d.given = append(d.given, limit); return nil }
}

// TestLendMemoryWhenTheKernelsNeedIt: DuckDB's memory is lent to the
// kernels only when the run's rows need more than half the Go heap's soft
// limit, and given back when asked; never when the heap has no limit.
func TestLendMemoryWhenTheKernelsNeedIt(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	ctx := context.Background()
	for _, c := range []struct {
		goLimit int64
		rows    int
		lend    bool
	}{
		{1 << 30, 1_000_000, false},   // 150 MB of 1 GiB
		{1 << 30, 4_000_000, true},    // 600 MB of 1 GiB
		{14 << 30, 10_000_000, false}, // 1M users on this machine
		{14 << 30, 100_000_000, true}, // 10M users
		{math.MaxInt64, 100_000_000, false},
	} {
		debug.SetMemoryLimit(c.goLimit)
		db := &lendDB{}
		giveBack := lendMemory(ctx, db, c.rows)
		if lent := len(db.lent) == 1 && db.lent[0] == lentLimit; lent != c.lend || len(db.lent) > 1 {
			t.Errorf("Go limit %d, %d rows: lent %v, want lent %v", c.goLimit, c.rows, db.lent, c.lend)
		}
		if err := giveBack(ctx); err != nil {
			t.Fatal(err)
		}
		if len(db.given) != len(db.lent) {
			t.Errorf("Go limit %d, %d rows: gave back %v of %v", c.goLimit, c.rows, db.given, db.lent)
		}
	}
}

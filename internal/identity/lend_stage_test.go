package identity_test

import (
	"context"
	"path/filepath"
	"runtime/debug"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/identity"
)

// orderDB records, in order, the memory the stage lends and gives back
// and the tables it writes.
type orderDB struct {
	*engine.Tx
	log []string
}

func (d *orderDB) LendMemory(ctx context.Context, limit string) func(context.Context) error {
	d.log = append(d.log, "lend")
	giveBack := d.Tx.LendMemory(ctx, limit)
	return func(ctx context.Context) error {
		d.log = append(d.log, "give back")
		return giveBack(ctx)
	}
}

func (d *orderDB) StageBuilder(ctx context.Context, table string, b *array.RecordBuilder) error {
	d.log = append(d.log, "write "+table)
	return d.Tx.StageBuilder(ctx, table, b)
}

func (d *orderDB) InsertBuilder(ctx context.Context, name string, b *array.RecordBuilder, args ...any) (int64, error) {
	d.log = append(d.log, "write "+name)
	return d.Tx.InsertBuilder(ctx, name, b, args...)
}

// TestStageGivesMemoryBackBeforeWriting: a run too large for the Go
// heap's soft limit lends DuckDB's memory to the kernels only, gives it
// back before the stage writes its result, and leaves the store at its
// own limit.
func TestStageGivesMemoryBackBeforeWriting(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	ctx := context.Background()
	store, err := engine.Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"), engine.Options{Command: "test", MemoryLimit: "2GB"})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	tx, err := store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var own string
	if err := tx.QueryRow(ctx, "SELECT current_setting('memory_limit')").Scan(&own); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO _mosaic.feed_rows (row_id, run_id, feed, feed_pos, row_pos, ts)
		 SELECT i + 1, 1, 'f', 0, i, TIMESTAMPTZ '2026-02-01 00:00:00+00' FROM range(1000) r(i)`,
		`INSERT INTO _mosaic.feed_identities SELECT i + 1, 'email', 'u' || (i // 2) || '@example.com' FROM range(1000) r(i)`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	debug.SetMemoryLimit(100 << 10) // 1,000 rows at 150 bytes need more than half of it
	db := &orderDB{Tx: tx}
	p := &config.Pipeline{Name: "t", Identity: config.Identity{Priority: []string{"email"}},
		Feeds: []config.Feed{{Name: "f", Protection: config.CreateUpdate}}}
	if _, err := identity.Run(ctx, db, p, 1); err != nil {
		t.Fatal(err)
	}
	lend, giveBack := slices.Index(db.log, "lend"), slices.Index(db.log, "give back")
	if lend < 0 || giveBack < lend || giveBack == len(db.log)-1 || slices.ContainsFunc(db.log[lend:giveBack], func(s string) bool { return s != "lend" }) {
		t.Errorf("the stage's calls: %q; want the memory lent, given back with no write between, then the writes", db.log)
	}
	var after string
	if err := tx.QueryRow(ctx, "SELECT current_setting('memory_limit')").Scan(&after); err != nil || after != own {
		t.Errorf("memory limit after the stage %q (%v), want the store's %q", after, err, own)
	}
}

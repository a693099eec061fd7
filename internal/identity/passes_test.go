package identity

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/engine"
)

func TestGroupPasses(t *testing.T) {
	for _, c := range []struct {
		values int64
		limit  string
		want   int
	}{
		{16_464_807, "7.4 GiB", 1},      // 1M users, the default 8GB
		{164_653_671, "6.5 GiB", 7},     // 10M users, MOSAIC_MEMORY_LIMIT=7GB
		{16_464_807, "1.8 GiB", 3},      // 1M users under a small limit
		{0, "6.5 GiB", 1},               // nothing to group
		{100, "1000 bytes", 26},         // rounds up
		{164_653_671, "unlimited", 1},   // unreadable: one pass
		{164_653_671, "", 1},            // unreadable: one pass
		{164_653_671, "7.4 parsecs", 1}, // unknown unit
	} {
		if got := groupPasses(c.values, c.limit); got != c.want {
			t.Errorf("groupPasses(%d, %q) = %d, want %d", c.values, c.limit, got, c.want)
		}
	}
}

// Grouping in several passes makes the same _id_groups as one pass: every
// identity once, with all its rows, its seed and rank, old identities
// keeping their ids and new ones numbered densely past the dictionary's.
func TestGroupingPassesAgree(t *testing.T) {
	for _, dict := range []int{0, 40} {
		t.Run(fmt.Sprintf("dictionary%d", dict), func(t *testing.T) { groupingPassesAgree(t, dict) })
	}
}

// openTx opens a store in a temporary folder with DuckDB's memory limit
// set to limit ("" for the default) and begins a transaction, both
// closed when the test ends.
func openTx(t *testing.T, limit string) *engine.Tx {
	ctx := context.Background()
	store, err := engine.Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"), engine.Options{Command: "test", MemoryLimit: limit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	tx, err := store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(ctx) })
	return tx
}

func groupingPassesAgree(t *testing.T, dict int) {
	ctx := context.Background()
	tx := openTx(t, "")
	exec := func(q string, args ...any) {
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// An earlier run's row 1 and run 2's rows 2..401, each with one to
	// three identities out of 120 values per type: many shared.
	exec("INSERT INTO _mosaic.feed_rows (row_id, run_id, feed, feed_pos, row_pos, ts) SELECT i, CASE WHEN i = 1 THEN 1 ELSE 2 END, 'f', 0, i, TIMESTAMPTZ '2026-02-01 00:00:00+00' FROM range(1, 402) r(i)")
	exec(`INSERT INTO _mosaic.feed_identities
		SELECT i, ['customerid', 'email', 'mobile'][j + 1], 'v' || ((i * 7 + j * 13) % 120)
		FROM range(1, 402) r(i), range(3) s(j) WHERE j <= i % 3`)
	exec("INSERT INTO _mosaic.identity_dict SELECT i, 'email', 'v' || i, 1000 + i FROM range(1, $1 + 1) r(i)", dict)
	order := []string{"customerid", "email", "mobile"}
	read := func(limit string) []string {
		st := runStart{maxIdent: int64(dict), rows: 400, values: 400 * 2, memoryLimit: limit}
		if err := group(ctx, tx, 2, order, st); err != nil {
			t.Fatal(err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT t || ' ' || v || ' ' || list_sort(rows)::VARCHAR || ' ' || new || ' ' || seed || ' ' || rank
			|| ' ' || CASE WHEN new THEN 'new' ELSE id::VARCHAR END FROM _id_groups ORDER BY t, v`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		var n, lo, hi int64
		if err := tx.QueryRow(ctx, "SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0) FROM (SELECT DISTINCT id FROM _id_groups WHERE new)").Scan(&n, &lo, &hi); err != nil {
			t.Fatal(err)
		}
		if n > 0 && (lo != int64(dict)+1 || hi != int64(dict)+n) {
			t.Errorf("limit %s: %d new identities numbered %d..%d, want %d..%d", limit, n, lo, hi, dict+1, int64(dict)+n)
		}
		return out
	}
	if p := groupPasses(800, "1000 bytes"); p < 2 {
		t.Fatalf("the test needs several passes, has %d", p)
	}
	one, many := read("1.0 TiB"), read("1000 bytes")
	if len(one) != 240 {
		t.Fatalf("%d groups, want the test's 240 (customerid 120, email 80, mobile 40)", len(one))
	}
	if diff := gocmp.Diff(one, many); diff != "" {
		t.Errorf("grouping in passes differs from one pass (-one +many):\n%s", diff)
	}
}

// queryStart reads what groupPasses needs: the run's identity values and
// the store's memory limit as DuckDB prints it (kept past the record).
func TestQueryStart(t *testing.T) {
	ctx := context.Background()
	tx := openTx(t, "7GB")
	for _, q := range []string{
		"INSERT INTO _mosaic.identity_dict VALUES (7, 'email', 'a', 1)",
		"INSERT INTO _mosaic.feed_rows (row_id, run_id, feed, feed_pos, row_pos, ts) SELECT i, i // 3, 'f', 0, i, TIMESTAMPTZ '2026-02-01 00:00:00+00' FROM range(1, 6) r(i)",
		"INSERT INTO _mosaic.feed_identities SELECT i, 'email', 'v' || i FROM range(1, 6) r(i), range(2)",
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st, err := queryStart(ctx, tx, 1) // rows 3, 4 and 5
	if err != nil {
		t.Fatal(err)
	}
	if want := (runStart{maxIdent: 7, rows: 3, values: 6, memoryLimit: "6.5 GiB"}); st != want {
		t.Errorf("queryStart = %+v, want %+v", st, want)
	}
}

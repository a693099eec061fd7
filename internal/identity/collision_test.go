package identity_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/identity"
	"github.com/mosaic-cdp/mosaic/internal/identity/reference"
)

// The kernel knows only the store's MPIDs in the 64-wide buckets of the
// run's seeds and the buckets after them, at most 190 above a seed
// (taken.sql). A probe that walks past them onto another MPID in the store
// must be caught (collisions.sql) and the kernel run again: here the store
// holds n profiles on seed … seed+n-1 that the run's row cannot reach, so
// the new profile must get seed+n. With n = 10 the probe stays in the
// loaded buckets and the stage skips collisions.sql.
func TestProbePastLoadedMPIDs(t *testing.T) {
	for _, n := range []int64{200, 10} {
		t.Run(fmt.Sprint(n), func(t *testing.T) { probePast(t, n) })
	}
}

func probePast(t *testing.T, n int64) {
	ctx := context.Background()
	store, err := engine.Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"), engine.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	seed := reference.Seed("email", "x@example.com")
	if seed > math.MaxInt64-300 {
		t.Fatalf("seed %d too close to the int64 limit for this test", seed)
	}
	tx, err := store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	exec := func(q string, args ...any) {
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("INSERT INTO _mosaic.profiles SELECT $1::BIGINT + i, TIMESTAMPTZ '2026-01-01 00:00:00+00', TIMESTAMPTZ '2026-01-01 00:00:00+00', TIMESTAMPTZ '2026-01-01 00:00:00+00' FROM range($2) r(i)", seed, n)
	exec("INSERT INTO _mosaic.feed_rows (row_id, run_id, feed, feed_pos, row_pos, ts) VALUES (1, 1, 'f', 0, 0, TIMESTAMPTZ '2026-02-01 00:00:00+00')")
	exec("INSERT INTO _mosaic.feed_identities VALUES (1, 'email', 'x@example.com')")
	p := &config.Pipeline{Name: "t", Identity: config.Identity{Priority: []string{"email"}},
		Feeds: []config.Feed{{Name: "f", Protection: config.CreateUpdate}}}
	st, err := identity.Run(ctx, tx, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Created != 1 {
		t.Fatalf("created %d profiles, want 1", st.Created)
	}
	var got int64
	if err := tx.QueryRow(ctx, "SELECT mpid FROM profile_identities WHERE identity_value = 'x@example.com'").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != seed+n {
		t.Errorf("new profile's MPID = seed%+d, want seed%+d (the first MPID the store does not use)", got-seed, n)
	}
}

// Result.Far counts the profiles created outside their seed's bucket and
// the next, whatever the seed's place in its bucket.
func TestFarProbes(t *testing.T) {
	for _, c := range []struct {
		seed, taken int64
		far         int
	}{
		{64 * 5, 0, 0}, {64 * 5, 127, 0}, {64 * 5, 128, 1}, {64*5 + 63, 64, 0}, {64*5 + 63, 65, 1},
		{-64 * 5, 0, 0}, {-64*5 - 63, 127, 0}, {-64*5 - 63, 128, 1}, {-1, 128, 0}, {-1, 129, 1},
	} {
		k := identity.New(identity.Rules{Unique: []bool{false}, Limit: []int{0}, Feeds: []string{"f"}}, 1, 1, 1)
		for i := range c.taken {
			k.Taken(c.seed + i)
		}
		k.Apply(&identity.Row{ID: 1, TS: 1, Idents: []identity.Ident{{ID: 1, Seed: c.seed}}})
		if res := k.Result(); res.Far != c.far || res.Profiles[0].MPID != c.seed+c.taken {
			t.Errorf("seed %d with %d MPIDs taken after it: MPID seed%+d, Far %d; want seed%+d, Far %d",
				c.seed, c.taken, res.Profiles[0].MPID-c.seed, res.Far, c.taken, c.far)
		}
	}
}

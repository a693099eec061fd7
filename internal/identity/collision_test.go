package identity_test

import (
	"context"
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
// holds 200 profiles on seed … seed+199 that the run's row cannot reach, so
// the new profile must get seed+200.
func TestProbePastLoadedMPIDs(t *testing.T) {
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
	exec("INSERT INTO _mosaic.profiles SELECT $1::BIGINT + i, TIMESTAMPTZ '2026-01-01 00:00:00+00', TIMESTAMPTZ '2026-01-01 00:00:00+00', TIMESTAMPTZ '2026-01-01 00:00:00+00' FROM range(200) r(i)", seed)
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
	if got != seed+200 {
		t.Errorf("new profile's MPID = seed%+d, want seed+200 (the first MPID the store does not use)", got-seed)
	}
}

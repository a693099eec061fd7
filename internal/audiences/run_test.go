package audiences_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// TestRunCalculated: the calculated leaf reads calculated attributes only
// (a user attribute of the same key does not count), with numeric typing.
// The calculated-attribute stage is another package's; this writes its
// result into a real store directly.
func TestRunCalculated(t *testing.T) {
	ctx := context.Background()
	p := parsePipeline(t, "calculated_attributes:\n  - { name: orders_30d, calculation: count, event: purchase, within: 30d }\n"+
		"audiences:\n  - { name: frequent, criteria: { calculated: { key: orders_30d, op: gte, value: 2 } } }\n"+
		"  - { name: not_frequent, criteria: { not: { audience: frequent } } }\n")
	s := newStore(t)
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, q := range []string{
		`INSERT INTO _mosaic.profiles (mpid, created_at, updated_at, last_seen_at) SELECT range, now(), now(), now() FROM range(1, 5)`,
		`INSERT INTO _mosaic.attributes (mpid, key, value, source_type, feed, updated_at, calculated) VALUES
			(1, 'orders_30d', '5', 'sdk', 'f', now(), false)`,
		`INSERT INTO _mosaic.calc_state (name, definition, lower_at, upper_at, run_id, id) VALUES ('orders_30d', '', now(), now(), 1, 1)`,
		`INSERT INTO _mosaic.calc_values (mpid, attr, value, updated_at) VALUES (2, 1, '3', now()), (3, 1, '1', now()), (4, 1, '2.0', now())`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	res, err := audiences.Run(ctx, tx, p, 7, now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]audiences.Stats{"frequent": {Size: 2, Entered: 2}, "not_frequent": {Size: 2, Entered: 2}}
	if diff := cmp.Diff(want, res.Audiences); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	var members string
	if err := tx.QueryRow(ctx, `SELECT string_agg(audience || ':' || mpid, ' ' ORDER BY audience, mpid) FROM audience_members`).Scan(&members); err != nil {
		t.Fatal(err)
	}
	if want := "frequent:2 frequent:4 not_frequent:1 not_frequent:3"; members != want {
		t.Errorf("members = %q, want %q", members, want)
	}
	// A second evaluation with nothing changed enters and exits no one.
	res, err = audiences.Run(ctx, tx, p, 8, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]audiences.Stats{"frequent": {Size: 2}, "not_frequent": {Size: 2}}
	if diff := cmp.Diff(want, res.Audiences); diff != "" {
		t.Errorf("second run stats (-want +got):\n%s", diff)
	}
}

// TestReferenceChainCompilesLinearly: 20 audiences, each referring twice to
// the one before. Repeating a referred audience's condition as text would
// double the SQL at each step (2^20 copies); each is computed once instead.
func TestReferenceChainCompilesLinearly(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nname: p\nfeeds:\n  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }\naudiences:\n")
	b.WriteString("  - { name: a0, criteria: { all: [ { identity: { type: email } }, { not: { attribute: { key: k, op: exists } } } ] } }\n")
	for i := 1; i < 20; i++ {
		fmt.Fprintf(&b, "  - { name: a%d, criteria: { any: [ { audience: a%d }, { all: [ { audience: a%d }, { event: { name: e%d, within: 1d } } ] } ] } }\n", i, i-1, i-1, i)
	}
	p, err := config.Parse("p.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	levels, err := audiences.Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, l := range levels {
		size += len(l.Leaves) + len(l.Members)
	}
	if size > 64<<10 {
		t.Errorf("the compiled SQL of 20 chained audiences is %d bytes, want it linear in their number", size)
	}
}

// TestFirstEvaluationWithoutMembers: a first evaluation that records no
// member (level 0) followed by one that records 200k (level 1, more than
// DuckDB's row group) in the same transaction keeps all of them. With
// DuckDB 1.5 an empty batch insert makes the later large insert into the
// same table lose its rows (sql/audiences/enter_first.sql.tmpl).
func TestFirstEvaluationWithoutMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("200k profiles")
	}
	ctx := context.Background()
	p := parsePipeline(t, "audiences:\n  - { name: nobody, criteria: { sql: \"SELECT mpid FROM profiles WHERE mpid < 0\" } }\n"+
		"  - { name: everybody, criteria: { not: { audience: nobody } } }\n")
	s := newStore(t)
	// Committed profiles: DuckDB reads them, and so writes the members, on
	// every core, in row groups.
	if _, err := s.Conn().ExecContext(ctx, `INSERT INTO _mosaic.profiles (mpid, created_at, updated_at, last_seen_at) SELECT range, now(), now(), now() FROM range(1, 200001)`); err != nil {
		t.Fatal(err)
	}
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	res, err := audiences.Run(ctx, tx, p, 1, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]audiences.Stats{"nobody": {}, "everybody": {Size: 200_000, Entered: 200_000}}
	if diff := cmp.Diff(want, res.Audiences); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	var n int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM audience_members WHERE audience = 'everybody'`).Scan(&n); err != nil || n != 200_000 {
		t.Errorf("everybody has %d members (%v), want 200000", n, err)
	}
}

// parsePipeline parses a pipeline of one feed followed by body (its
// calculated attributes and audiences).
func parsePipeline(t *testing.T, body string) *config.Pipeline {
	t.Helper()
	src := "version: 1\nname: p\nfeeds:\n  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }\n" + body
	p, err := config.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return p
}

// newStore opens a new store, closed when the test ends.
func newStore(t *testing.T) *engine.Store {
	t.Helper()
	s, err := engine.Open(context.Background(), filepath.Join(t.TempDir(), "s.duckdb"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

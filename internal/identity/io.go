package identity

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

func ints(rec arrow.RecordBatch, i int) []int64 { return rec.Column(i).(*array.Int64).Int64Values() }

// load feeds the kernel the existing state the run's rows can reach.
func load(ctx context.Context, db DB, k *Kernel, order []string, runID int64) error {
	err := db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		for _, m := range ints(rec, 0) {
			k.Taken(m)
		}
		return nil
	}, sqlfiles.Get("identity/taken.sql"))
	if err != nil {
		return fmt.Errorf("identity: load taken mpids: %w", err)
	}
	err = db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		mpid, c, u, l := ints(rec, 0), ints(rec, 1), ints(rec, 2), ints(rec, 3)
		for i := range mpid {
			k.LoadProfile(mpid[i], c[i], u[i], l[i])
		}
		return nil
	}, sqlfiles.Get("identity/load_profiles.sql"))
	if err != nil {
		return fmt.Errorf("identity: load profiles: %w", err)
	}
	if len(k.profs) == 1 {
		// No profile reached, so no holding either (LoadHolding would drop
		// them all). The query is not free when nothing is reached: in a
		// first run it read the 4.8M-identity dictionary (0.37 s at 1M users).
		return loadAliases(ctx, db, k, runID)
	}
	err = db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		mpid, id, rank, first, last := ints(rec, 0), ints(rec, 1), ints(rec, 2), ints(rec, 3), ints(rec, 4)
		feed := rec.Column(5).(*array.String)
		for i := range mpid {
			k.LoadHolding(mpid[i], id[i], int(rank[i]), first[i], last[i], strings.Clone(feed.Value(i))) // Value aliases the batch's buffer
		}
		return nil
	}, sqlfiles.Get("identity/load_holdings.sql"), order)
	if err != nil {
		return fmt.Errorf("identity: load identities: %w", err)
	}
	return loadAliases(ctx, db, k, runID)
}

// loadAliases loads the aliases the run's rows name by MPID.
func loadAliases(ctx context.Context, db DB, k *Kernel, runID int64) error {
	err := db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		a, m := ints(rec, 0), ints(rec, 1)
		for i := range a {
			k.LoadAlias(a[i], m[i])
		}
		return nil
	}, sqlfiles.Get("identity/load_aliases.sql"), runID)
	if err != nil {
		return fmt.Errorf("identity: load aliases: %w", err)
	}
	return nil
}

// table builds one Arrow record of int64 columns (and string columns named
// in strs) to stage as a temp table or to insert (name: the SQL file,
// run with args).
type table struct {
	name string
	b    *array.RecordBuilder
	args []any
}

func newTable(name string, rows int, cols []string, strs ...string) *table {
	var fields []arrow.Field
	for _, c := range cols {
		typ := arrow.DataType(arrow.PrimitiveTypes.Int64)
		for _, s := range strs {
			if s == c {
				typ = arrow.BinaryTypes.String
			}
		}
		fields = append(fields, arrow.Field{Name: c, Type: typ})
	}
	b := array.NewRecordBuilder(memory.NewGoAllocator(), arrow.NewSchema(fields, nil))
	b.Reserve(rows)
	return &table{name: name, b: b}
}

func (t *table) int(i int) *array.Int64Builder { return t.b.Field(i).(*array.Int64Builder) }

func (t *table) stage(ctx context.Context, db DB) error {
	if err := db.StageBuilder(ctx, t.name, t.b); err != nil {
		return fmt.Errorf("identity: stage %s: %w", t.name, err)
	}
	return nil
}

// write builds the kernel's result into Arrow records, concurrently (a
// first run's 10M rows and 4.8M holdings take a second or two of
// appends). It stages the profiles, the merges and the drops as the temp
// tables apply.sql, collisions.sql and drops.sql read, and returns the
// rest for insert, which writes them into the store once the result is
// final; order names the identity types by rank.
func write(ctx context.Context, db DB, res Result, order []string, runID int64) (inserts, error) {
	builds := []func() *table{
		func() *table {
			t := newTable("_id_profiles", len(res.Profiles), []string{"mpid", "created_us", "updated_us", "last_seen_us", "is_new", "before_us"})
			for _, p := range res.Profiles {
				t.int(0).Append(p.MPID)
				t.int(1).Append(p.Created)
				t.int(2).Append(p.Updated)
				t.int(3).Append(p.LastSeen)
				t.int(4).Append(int64(b2i(p.New)))
				t.int(5).Append(p.Before)
			}
			return t
		},
		func() *table {
			t := newTable("_id_gone", len(res.Gone), []string{"mpid"})
			t.int(0).AppendValues(res.Gone, nil)
			return t
		},
		func() *table {
			t := newTable("_id_aliases", len(res.Aliases), []string{"alias_mpid", "mpid", "merged_us", "row_id", "identity_id"})
			for _, a := range res.Aliases {
				t.int(0).Append(a.Alias)
				t.int(1).Append(a.MPID)
				t.int(2).Append(a.At)
				t.int(3).Append(a.Row)
				t.int(4).Append(a.Ident)
			}
			return t
		},
		func() *table {
			t := newTable("_id_drops", len(res.Drops), []string{"row_id", "reason", "ident"}, "reason")
			reason := t.b.Field(1).(*array.StringBuilder)
			for _, d := range res.Drops {
				t.int(0).Append(d.RowID)
				reason.Append(d.Reason)
				t.int(2).Append(d.IdentID)
			}
			return t
		},
		func() *table {
			t := newTable("identity/insert_identities.sql.tmpl", res.holdings(), []string{"mpid", "ident", "first_us", "last_us", "feed"}, "feed")
			feed := t.b.Field(4).(*array.StringBuilder)
			for _, c := range res.Holdings {
				for _, h := range c {
					t.int(0).Append(h.MPID)
					t.int(1).Append(h.IdentID)
					t.int(2).Append(h.First)
					t.int(3).Append(h.Last)
					feed.Append(res.Feeds[h.Feed])
				}
			}
			return t
		},
		func() *table {
			t := newTable("identity/insert_rows.sql.tmpl", res.rows(), []string{"row_id", "mpid"})
			for _, c := range res.Rows {
				for i, m := range c.MPIDs {
					if m != 0 { // the row ended with no profile
						t.int(0).Append(c.IDs[i])
						t.int(1).Append(m)
					}
				}
			}
			return t
		},
		func() *table {
			t := newTable("identity/insert_refusals.sql.tmpl", len(res.Refusals), []string{"row_id", "identity_id", "at_us", "mpid", "other_mpid", "rows", "rule", "rule_type"}, "rule", "rule_type")
			t.args = []any{runID}
			rule, ruleType := t.b.Field(6).(*array.StringBuilder), t.b.Field(7).(*array.StringBuilder)
			for _, r := range res.Refusals {
				t.int(0).Append(r.Row)
				t.int(1).Append(r.Ident)
				t.int(2).Append(r.At)
				t.int(3).Append(r.MPID)
				t.int(4).Append(r.Other)
				t.int(5).Append(r.Rows)
				rule.Append(r.Rule())
				ruleType.Append(order[r.Rank])
			}
			return t
		},
	}
	const staged = 4 // the first builds are temp tables, the others inserts
	tables := make([]*table, len(builds))
	var wg sync.WaitGroup
	for i, build := range builds {
		wg.Go(func() { tables[i] = build() })
	}
	wg.Wait()
	ins := inserts(tables[staged:])
	for _, t := range tables[:staged] {
		if err := t.stage(ctx, db); err != nil {
			ins.release()
			return nil, err
		}
	}
	return ins, nil
}

// inserts are the parts of a kernel's result that go straight into the
// store (table.name: the SQL file), after apply.sql.
type inserts []*table

// insert writes them and releases them.
func (ins inserts) insert(ctx context.Context, db DB) error {
	defer ins.release()
	for i, t := range ins {
		ins[i] = nil
		if _, err := db.InsertBuilder(ctx, t.name, t.b, t.args...); err != nil {
			return fmt.Errorf("identity: %w", err)
		}
	}
	return nil
}

// release frees what was not written (a kernel's result run again).
func (ins inserts) release() {
	for _, t := range ins {
		if t != nil {
			t.b.Release()
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

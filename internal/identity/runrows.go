package identity

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// runRows is one run's rows, each with its identities, read once and
// replayed into as many kernels as resolve needs.
//
// The identities come from the run's identity groups (each distinct
// identity with the rows carrying it), turned around in Go into compressed
// sparse rows: the identities of row i are members[start[i]:start[i+1]],
// indexes into idents, in the order the kernel walks them. Rows are kept
// in the order arrange gives them; at lists them in application order.
// Everything is integers; nothing is sorted in SQL but the rows
// themselves.
type runRows struct {
	id, ts, mpid []int64
	feed         []int32
	base         int64 // the smallest row id (readRun's row slots)
	start        []int32
	members      []int32
	idents       []Ident // one array: each lookup is one cache miss
	prot         []Protection
	// at[p] is the index of the row applied p-th, pos[i] the application
	// position of row i; cuts bound the parts (rows cuts[w] to cuts[w+1]).
	at, pos []int32
	cuts    []int
	// identAt[w] is where part w's identities start in idents (arrange
	// numbers each part's own, one part after another).
	identAt []int32
	// slots lists the rows of identity g at slots[groupAt[g]:groupAt[g+1]],
	// as readRun reads them, until index.
	slots, groupAt []int32
}

// readRun reads run runID's rows (rows.sql) and identity groups
// (idents.sql, after groups.sql.tmpl made _id_groups): each identity's
// rows, by row slot (row id - base), which prepare turns around (index).
func readRun(ctx context.Context, db DB, p *config.Pipeline, runID int64) (*runRows, error) {
	rr := &runRows{prot: protections(p)}
	var nRows, nIdents, nPairs int64
	err := db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		nRows, nIdents, nPairs = ints(rec, 0)[0], ints(rec, 1)[0], ints(rec, 2)[0]
		return nil
	}, sqlfiles.Get("identity/run_size.sql"), runID)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	rr.id, rr.ts, rr.mpid, rr.feed = make([]int64, 0, nRows), make([]int64, 0, nRows), make([]int64, 0, nRows), make([]int32, 0, nRows)
	err = db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		rr.id = append(rr.id, ints(rec, 0)...)
		rr.ts = append(rr.ts, ints(rec, 1)...)
		for _, f := range ints(rec, 2) {
			rr.feed = append(rr.feed, int32(f))
		}
		rr.mpid = append(rr.mpid, ints(rec, 3)...)
		return nil
	}, sqlfiles.Get("identity/rows.sql"), runID)
	if err != nil {
		return nil, fmt.Errorf("identity: read rows: %w", err)
	}
	if len(rr.id) == 0 {
		return rr, nil
	}
	lo, hi := slices.Min(rr.id), slices.Max(rr.id)
	rr.base = lo
	span := hi - lo + 1
	if span >= math.MaxInt32 || nPairs >= math.MaxInt32 {
		return nil, fmt.Errorf("identity: run %d has %d rows over %d row ids with %d identities: more than one run can resolve (2^31); split the backfill into smaller runs", runID, len(rr.id), span, nPairs)
	}
	// The groups' row lists, as row slots, and where each group's list starts.
	slots := make([]int32, 0, nPairs)
	groupAt := append(make([]int32, 0, nIdents+1), 0)
	rr.idents = make([]Ident, 0, nIdents)
	err = db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		id, rank, seed := ints(rec, 0), ints(rec, 1), ints(rec, 2)
		for i := range id {
			rr.idents = append(rr.idents, Ident{ID: id[i], Rank: int(rank[i]), Seed: seed[i]})
		}
		lists := rec.Column(3).(*array.List)
		vals := lists.ListValues().(*array.Int64).Int64Values()
		offs := lists.Offsets()
		for i := range lists.Len() {
			for _, r := range vals[offs[i]:offs[i+1]] {
				if r < lo || r > hi {
					return fmt.Errorf("identity: row %d is outside run %d's rows", r, runID)
				}
				slots = append(slots, int32(r-lo))
			}
			groupAt = append(groupAt, int32(len(slots)))
		}
		return nil
	}, sqlfiles.Get("identity/idents.sql"))
	if err != nil {
		return nil, fmt.Errorf("identity: read identities: %w", err)
	}
	rr.start, rr.slots, rr.groupAt = make([]int32, span+1), slots, groupAt
	return rr, nil
}

// index turns readRun's row lists by identity into each row's identities
// (members[start[s]:start[s+1]] for row slot s).
func (rr *runRows) index() {
	span := len(rr.start) - 1
	for _, s := range rr.slots {
		rr.start[s+1]++
	}
	for i := 1; i < len(rr.start); i++ {
		rr.start[i] += rr.start[i-1]
	}
	rr.members = make([]int32, len(rr.slots))
	fill := slices.Clone(rr.start[:span])
	for g := range len(rr.groupAt) - 1 {
		for _, s := range rr.slots[rr.groupAt[g]:rr.groupAt[g+1]] {
			rr.members[fill[s]] = int32(g)
			fill[s]++
		}
	}
	rr.slots, rr.groupAt = nil, nil
}

// prepare lists each row's identities (index), arranges the rows
// (arrange) and orders each row's identities (order, breakTies). interned
// is the dictionary insert Run runs on the side meanwhile; it is waited
// for before prepare uses db again.
func (rr *runRows) prepare(ctx context.Context, db DB, interned <-chan error) error {
	rr.index()
	rr.arrange(partsPerCore * runtime.GOMAXPROCS(0))
	freeHeap() // the row lists arrange replaced, before the kernels grow
	ties := rr.order()
	if err := <-interned; err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	if len(ties) > 0 {
		return rr.breakTies(ctx, db, ties)
	}
	return nil
}

// order sorts each row's identities by rank, then id, dropping repeats (a
// row listing one identity twice), and returns the rows (indexes) with
// several identities of one rank: their order needs the values (breakTies).
func (rr *runRows) order() (ties []int32) {
	w := int32(0)
	from := rr.start[0]
	for s := range len(rr.start) - 1 {
		seg := rr.members[from:rr.start[s+1]]
		from = rr.start[s+1]
		if len(seg) > 1 {
			slices.SortFunc(seg, func(a, b int32) int {
				return cmp.Or(cmp.Compare(rr.idents[a].Rank, rr.idents[b].Rank), cmp.Compare(rr.idents[a].ID, rr.idents[b].ID))
			})
			seg = slices.CompactFunc(seg, func(a, b int32) bool { return rr.idents[a].ID == rr.idents[b].ID })
			for i := 1; i < len(seg); i++ {
				if rr.idents[seg[i]].Rank == rr.idents[seg[i-1]].Rank {
					ties = append(ties, int32(s))
					break
				}
			}
		}
		rr.start[s] = w
		w += int32(copy(rr.members[w:], seg))
	}
	rr.start[len(rr.start)-1] = w
	rr.members = rr.members[:w]
	return ties
}

// breakTies orders the identities of one rank on the tied rows by (type,
// value), as doc.go says, asking the store for the order of just those.
func (rr *runRows) breakTies(ctx context.Context, db DB, ties []int32) error {
	t := newTable("_id_ties", 0, []string{"id"})
	seen := map[int32]bool{}
	for _, s := range ties {
		for _, g := range rr.members[rr.start[s]:rr.start[s+1]] {
			if !seen[g] {
				seen[g] = true
				t.int(0).Append(rr.idents[g].ID)
			}
		}
	}
	if err := t.stage(ctx, db); err != nil {
		return err
	}
	defer db.DropTemp(ctx, "_id_ties")
	pos := map[int64]int{}
	err := db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		for _, id := range ints(rec, 0) {
			pos[id] = len(pos)
		}
		return nil
	}, sqlfiles.Get("identity/tie_order.sql"))
	if err != nil {
		return fmt.Errorf("identity: order tied identities: %w", err)
	}
	for _, s := range ties {
		slices.SortFunc(rr.members[rr.start[s]:rr.start[s+1]], func(a, b int32) int {
			return cmp.Or(cmp.Compare(rr.idents[a].Rank, rr.idents[b].Rank), cmp.Compare(pos[rr.idents[a].ID], pos[rr.idents[b].ID]))
		})
	}
	return nil
}

// each passes the rows to fn in application order, with their ids and
// interned identity ids. The Row is reused.
func (rr *runRows) each(fn func(*Row)) {
	var row Row
	for _, i := range rr.at {
		rr.fill(&row, int(i), -1)
		fn(&row)
	}
}

// fill sets row to row i. For the kernel of part w (w >= 0; -1: none),
// the row's ID is i + 1 and each identity's ID its index among the
// part's identities + 1: dense numbers, in the order the part's rows
// carry them, so that the kernel's arrays span the part alone.
func (rr *runRows) fill(row *Row, i int, w int) {
	*row = Row{ID: rr.id[i], TS: rr.ts[i], Feed: int(rr.feed[i]), Protection: rr.prot[rr.feed[i]], MPID: rr.mpid[i], Idents: row.Idents[:0]}
	if w >= 0 {
		row.ID = int64(i) + 1
	}
	for _, l := range rr.members[rr.start[i]:rr.start[i+1]] {
		id := rr.idents[l]
		if w >= 0 {
			id.ID = int64(l-rr.identAt[w]) + 1
		}
		row.Idents = append(row.Idents, id)
	}
}

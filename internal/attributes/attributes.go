// Package attributes merges user attributes into profiles (docs/design.md, attribute rules).
//
// A profile's value of a key is a pure function of the writes (sets and
// deletions) of the rows that belong to it now, applied one at a time in
// order of (row time, feed position, run, row position):
//
//   - a set applies when the key is absent or deleted, or when its source
//     type ranks at or above the type that owns the key (then it owns it);
//   - a deletion applies when its source type ranks at or above the owner's
//     (the key is then free for any source type);
//   - anything else is ignored (counted as attribute_writes_ignored).
//
// So the most recent value of the owning source type wins by row time, a
// late older row cannot overwrite a newer value, and merged profiles
// combine their keys as if their rows had always been one profile's. Each
// run recomputes only the (profile, key) pairs it touches, from history:
// SQL selects and orders the writes, Go folds them, SQL stores the result.
//
// A run also moves profiles' updated_at (internal/identity/doc.go,
// "Profile times"): for each (profile, key) whose value after the run
// differs from its value before it, as JSON text whichever source type
// owns it (Stats.Set, Overwritten and Deleted count the same pairs),
// updated_at becomes the later of itself and the row time of the last of
// the run's writes that took effect on the pair in its fold: a set the
// priority rule applied, or a deletion that removed a value. "Before"
// folds the profile's writes of earlier runs, those of profiles it
// absorbed in the run included, so two writes of a run that set a value
// and set it back change nothing, and a merge alone moves updated_at only
// through the identity stage. Calculated values and audience membership
// never move it.
package attributes

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DB is what the stage needs of the run's transaction (engine.Tx).
type DB interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	ExecStatement(ctx context.Context, s sqlfiles.Statement, args ...any) (int64, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	ScanArrow(ctx context.Context, fn func(arrow.RecordBatch) error, query string, args ...any) error
	InsertBuilder(ctx context.Context, name string, b *array.RecordBuilder, args ...any) (int64, error)
	DropTemp(ctx context.Context, table string)
}

// Stats counts the run's attribute writes.
type Stats struct {
	// Written counts the run's sets that took effect in order (a later
	// write may supersede them); Ignored those a higher-priority source
	// type kept out.
	Written int64 `json:"attribute_writes"`
	Ignored int64 `json:"attribute_writes_ignored"`
	// Set, Overwritten and Deleted compare each (profile, key) the run
	// touches before the run (its history without the run's writes) and
	// after: a value where there was none, another value (by the source
	// types that owned the old and own the new one, "sdk → warehouse"), no
	// value where there was one. On a profile that absorbed another in the
	// run, "before" folds both profiles' earlier writes.
	Set         int64            `json:"attribute_values_set,omitempty"`
	Overwritten map[string]int64 `json:"attribute_values_overwritten,omitempty"`
	Deleted     int64            `json:"attribute_values_deleted,omitempty"`
}

// Run recomputes the attributes that run runID touches.
func Run(ctx context.Context, db DB, p *config.Pipeline, runID int64) (Stats, error) {
	for _, t := range []string{"_attr_writes", "_attr_touched"} {
		defer db.DropTemp(ctx, t)
	}
	var feedTypes []string
	for _, f := range p.Feeds {
		feedTypes = append(feedTypes, f.SourceType)
	}
	order := p.SourceOrder()
	var first bool
	if err := db.QueryRow(ctx, sqlfiles.Get("attributes/first.sql"), runID).Scan(&first); err != nil {
		return Stats{}, fmt.Errorf("attributes: attributes/first.sql: %w", err)
	}
	touched, err := sqlfiles.File("attributes/touched.sql.tmpl", map[string]bool{"First": first})
	if err != nil {
		return Stats{}, err
	}
	for _, s := range touched {
		var args []any
		if s.Name == "writes" && !first {
			args = []any{runID}
		}
		if _, err := db.ExecStatement(ctx, s, args...); err != nil {
			return Stats{}, fmt.Errorf("attributes: touched keys: %w", err)
		}
	}
	out, times := newResult(), newProfileTimes()
	var st Stats
	var g group
	done := func() { // g is complete
		g.emit(out)
		st.count(&g, order)
		times.add(&g)
	}
	err = db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		c := columnsOf(rec)
		for i := range c.mpid.Len() {
			if g.mpid != c.mpid.Value(i) || g.key != c.key.Value(i) {
				done()
				g = group{mpid: c.mpid.Value(i), key: strings.Clone(c.key.Value(i))} // Value aliases the batch's buffer
			}
			ours := c.run.Value(i) == runID
			if !ours {
				g.before.apply(c.rank.Value(i), c.del.Value(i), c.value.Value(i))
			}
			applied := g.apply(c, i)
			if ours && applied {
				g.runTS = c.ts.Value(i) // writes come in time order: the last is the latest
			}
			if ours && !c.del.Value(i) {
				if applied {
					st.Written++
				} else {
					st.Ignored++
				}
			}
		}
		return nil
	}, sqlfiles.Get("attributes/history.sql"), feedTypes, order)
	if err != nil {
		out.b.Release()
		times.b.Release()
		return st, fmt.Errorf("attributes: read writes: %w", err)
	}
	done()
	times.flush()
	if _, err := db.Exec(ctx, sqlfiles.Get("attributes/delete.sql")); err != nil {
		out.b.Release()
		times.b.Release()
		return st, fmt.Errorf("attributes: %w", err)
	}
	if _, err := db.InsertBuilder(ctx, "attributes/insert.sql.tmpl", out.b, order); err != nil {
		times.b.Release()
		return st, fmt.Errorf("attributes: %w", err)
	}
	if _, err := db.InsertBuilder(ctx, "attributes/updated.sql.tmpl", times.b); err != nil {
		return st, fmt.Errorf("attributes: %w", err)
	}
	return st, nil
}

// columns are history.sql's columns.
type columns struct {
	mpid, rank, ts, feedPos, run, rowPos *array.Int64
	key, value, feed                     *array.String
	del                                  *array.Boolean
}

func columnsOf(rec arrow.RecordBatch) columns {
	return columns{
		mpid: rec.Column(0).(*array.Int64), key: rec.Column(1).(*array.String), value: rec.Column(2).(*array.String),
		del: rec.Column(3).(*array.Boolean), rank: rec.Column(4).(*array.Int64), ts: rec.Column(5).(*array.Int64),
		feedPos: rec.Column(6).(*array.Int64), run: rec.Column(7).(*array.Int64), rowPos: rec.Column(8).(*array.Int64),
		feed: rec.Column(9).(*array.String),
	}
}

// group folds the writes of one (profile, key): all of them, and apart
// those of earlier runs (before).
type group struct {
	mpid int64
	key  string
	fold
	// the applied set that holds the value
	feed                     string
	ts, feedPos, run, rowPos int64
	before                   fold
	// the row time of the last of the run's writes that took effect
	runTS int64
}

// fold is a (profile, key)'s value as the writes folded so far leave it.
type fold struct {
	live  bool
	owner int64 // rank of the owning source type (1 = highest)
	value string
}

// apply applies a write of a source type of rank r and tells whether it
// took effect: a set the priority rule let through, or a deletion that
// removed a value (one of an absent key does nothing).
func (f *fold) apply(r int64, del bool, value string) bool {
	if f.live && r > f.owner {
		return false
	}
	if del {
		was := f.live
		f.live = false
		return was
	}
	f.live, f.owner, f.value = true, r, strings.Clone(value) // value aliases the batch's buffer
	return true
}

// apply applies write i and tells whether it took effect.
func (g *group) apply(c columns, i int) bool {
	if !g.fold.apply(c.rank.Value(i), c.del.Value(i), c.value.Value(i)) {
		return false
	}
	if g.live {
		g.feed = strings.Clone(c.feed.Value(i)) // it aliases the batch's buffer
		g.ts, g.feedPos, g.run, g.rowPos = c.ts.Value(i), c.feedPos.Value(i), c.run.Value(i), c.rowPos.Value(i)
	}
	return true
}

// changed tells whether the run changed g's value: set it, overwrote it
// with another value or deleted it.
func (g *group) changed() bool {
	was, is := g.before, g.fold
	return g.key != "" && // not the empty group before the first
		(was.live != is.live || is.live && was.value != is.value)
}

// count adds what the run changed of g's value to st; order names the
// source types by rank.
func (st *Stats) count(g *group, order []string) {
	switch was, is := g.before, g.fold; {
	case !g.changed():
	case !was.live && is.live:
		st.Set++
	case was.live && !is.live:
		st.Deleted++
	default: // another value
		if st.Overwritten == nil {
			st.Overwritten = map[string]int64{}
		}
		st.Overwritten[typeName(order, was.owner)+" → "+typeName(order, is.owner)]++
	}
}

// typeName is the source type of rank r (1 = order[0]).
func typeName(order []string, r int64) string {
	if r < 1 || int(r) > len(order) {
		return fmt.Sprintf("rank %d", r)
	}
	return order[r-1]
}

func (g *group) emit(out *result) {
	if g.live {
		out.add(g)
	}
}

// result collects live attributes as an Arrow record for insert.sql.tmpl.
type result struct{ b *array.RecordBuilder }

var resultSchema = arrow.NewSchema([]arrow.Field{
	{Name: "mpid", Type: arrow.PrimitiveTypes.Int64}, {Name: "key", Type: arrow.BinaryTypes.String},
	{Name: "value", Type: arrow.BinaryTypes.String}, {Name: "rank", Type: arrow.PrimitiveTypes.Int64},
	{Name: "feed", Type: arrow.BinaryTypes.String}, {Name: "ts", Type: arrow.PrimitiveTypes.Int64},
	{Name: "feed_pos", Type: arrow.PrimitiveTypes.Int64}, {Name: "run_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "row_pos", Type: arrow.PrimitiveTypes.Int64},
}, nil)

func newResult() *result {
	return &result{b: array.NewRecordBuilder(memory.NewGoAllocator(), resultSchema)}
}

func (r *result) add(g *group) {
	ints := func(i int, v int64) { r.b.Field(i).(*array.Int64Builder).Append(v) }
	strs := func(i int, v string) { r.b.Field(i).(*array.StringBuilder).Append(v) }
	ints(0, g.mpid)
	strs(1, g.key)
	strs(2, g.value)
	ints(3, g.owner)
	strs(4, g.feed)
	ints(5, g.ts)
	ints(6, g.feedPos)
	ints(7, g.run)
	ints(8, g.rowPos)
}

// profileTimes collects, per profile whose values the run changed, the
// latest time of those changes (group.runTS), as an Arrow record of
// (mpid, ts) for updated.sql.tmpl. Groups come by profile, so a profile's
// changes are consecutive.
type profileTimes struct {
	b        *array.RecordBuilder
	open     bool // mpid and ts hold a profile not yet appended
	mpid, ts int64
}

var profileTimesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "mpid", Type: arrow.PrimitiveTypes.Int64}, {Name: "ts", Type: arrow.PrimitiveTypes.Int64},
}, nil)

func newProfileTimes() *profileTimes {
	return &profileTimes{b: array.NewRecordBuilder(memory.NewGoAllocator(), profileTimesSchema)}
}

// add takes g's change, if the run changed its value.
func (t *profileTimes) add(g *group) {
	if !g.changed() {
		return
	}
	if t.open && t.mpid == g.mpid {
		t.ts = max(t.ts, g.runTS)
		return
	}
	t.flush()
	t.open, t.mpid, t.ts = true, g.mpid, g.runTS
}

// flush appends the profile held.
func (t *profileTimes) flush() {
	if t.open {
		t.b.Field(0).(*array.Int64Builder).Append(t.mpid)
		t.b.Field(1).(*array.Int64Builder).Append(t.ts)
	}
	t.open = false
}

// Package calculated computes calculated attributes (docs/pipeline.md,
// `calculated_attributes:`) inside the run's transaction, as set-based SQL
// over the stored events (sql/calculated/).
//
// A calculated attribute reads the events of its profile named `event:`
// that pass all its `where:` predicates and fall in its window [lower,
// now], where now is the run's clock and lower is the latest of now-within,
// `since:` (a UTC date) and the retention cutoff (config.Retention
// EventsCutoff: lifetime means "as far back as events are kept"). Kinds:
//
//	count            number of events                                empty 0
//	sum              sum of the attribute's numeric values            empty 0
//	min, max         smallest, largest numeric value                  empty null
//	average          mean of the numeric values                       empty null
//	most_frequent    value seen most often (ties: most recent, then smallest)
//	unique_count     number of distinct values                        empty 0
//	first_value      value of the earliest event carrying it (ties: the smallest JSON text)
//	last_value       value of the latest event carrying it (ties: the largest JSON text)
//	first_timestamp  earliest event time, "2006-01-02T15:04:05.000Z"
//	last_timestamp   latest event time
//	unique_values    distinct values, most recently seen first, at most 100; empty []
//
// The attribute is read from the event's custom attributes; values keep
// their JSON type (first_value, last_value, most_frequent, unique_values);
// numeric kinds accept JSON numbers and numeric text ("12.50") and skip
// other values; sums are exact decimals (9 places). Empty values: a kind
// that is defined over no events takes that value (a count, a sum and a
// distinct count of nothing are 0, the set of no values is []), the others
// are null. Sum is 0 rather than null so that `spend_90d lt 100` holds for
// a customer who spent nothing, and so that a sum is additive.
//
// Predicates (`where:`) compare the event attribute with a value exactly
// as audience criteria do (internal/predicate: numbers numerically, also
// against numeric text; strings as text; booleans as booleans; an absent
// or null attribute passes no operator, ne included).
//
// Values land in _mosaic.calc_values under their definition's number
// (calc_state.id); profile_attributes shows them with calculated = true,
// source_type and feed "calculated" (no single feed wrote them; they take
// no part in the source-type priority rules) and updated_at = the clock of
// the run that last changed the value. A profile gets a row once its value
// is not empty and keeps it: when its input events leave the window, or are
// deleted by retention, the value becomes the empty value, never stale.
// A profile without a row holds the empty value.
//
// Each run recomputes only what can have changed (sql/calculated/dirty.sql):
// every profile for a new or changed definition (all such definitions in
// one pass over the events, sql/calculated/fresh.sql.tmpl); the survivors of the run's
// merges (values of the merged-away profiles are removed); profiles with an
// input event that entered or left the window since the last run; and
// profiles with new events — incrementally for count, sum, min and max
// (stored value combined with the new events), in full for the other kinds.
// TestIncrementalEqualsFull checks the result against a recomputation from
// scratch after each of several random runs.
package calculated

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/predicate"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DB is what the stage needs of the run's transaction (engine.Tx). Call
// order: any number of Exec, QueryRow and StageBuilder, then DropTemp for
// each temp table.
type DB interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	ExecFile(ctx context.Context, name string, data any, args ...any) error
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	StageBuilder(ctx context.Context, table string, b *array.RecordBuilder) error
	DropTemp(ctx context.Context, table string)
}

// Stats counts what the stage did in a run.
type Stats struct {
	// Recomputed counts (attribute, profile) pairs computed from all their
	// input events (of a new or changed definition: those whose value is
	// not empty); Incremental those updated from the run's new events.
	Recomputed  int64 `json:"recomputed"`
	Incremental int64 `json:"incremental"`
	// Changed counts values written; Removed values dropped because their
	// attribute left the pipeline or changed definition, or their profile
	// was merged away.
	Changed int64 `json:"changed"`
	Removed int64 `json:"removed"`
}

var temps = []string{"_calc_defs", "_calc_plan", "_calc_dirty", "_calc_events", "_calc_agg", "_calc_new"}

// Run computes the calculated attributes of p for run runID at the run's
// clock now.
func Run(ctx context.Context, db DB, p *config.Pipeline, runID int64, now time.Time) (Stats, error) {
	defer func() {
		for _, t := range temps {
			db.DropTemp(ctx, t)
		}
	}()
	var st Stats
	if err := execAll(ctx, db, "calculated/macros.sql"); err != nil {
		return st, err
	}
	if err := stageDefinitions(ctx, db, p, now); err != nil {
		return st, err
	}
	if err := execAll(ctx, db, "calculated/plan.sql"); err != nil {
		return st, err
	}
	n, err := db.Exec(ctx, sqlfiles.Get("calculated/forget.sql"), runID)
	if err != nil {
		return st, fmt.Errorf("calculated attributes: forget.sql: %w", err)
	}
	st.Removed = n
	if len(p.CalculatedAttributes) == 0 {
		// Nothing to compute. The state is emptied too: a definition added
		// back later is new, and computed for every profile again.
		return st, saveState(ctx, db, runID)
	}
	fresh, err := freshDefinitions(ctx, db)
	if err != nil {
		return st, err
	}
	if _, err := db.Exec(ctx, sqlfiles.Get("calculated/dirty.sql"), runID); err != nil {
		return st, fmt.Errorf("calculated attributes: dirty.sql: %w", err)
	}
	if freshAsPairs {
		if err := execAll(ctx, db, "calculated/fresh_as_pairs.sql"); err != nil {
			return st, err
		}
		fresh = nil
	}
	q, args, err := eventsQuery(p, runID)
	if err != nil {
		return st, err
	}
	if _, err := db.Exec(ctx, q, args...); err != nil {
		return st, fmt.Errorf("calculated attributes: events.sql.tmpl: %w", err)
	}
	if err := execAll(ctx, db, "calculated/aggregate.sql", "calculated/changes.sql"); err != nil {
		return st, err
	}
	if err := db.QueryRow(ctx, sqlfiles.Get("calculated/stats.sql")).Scan(&st.Recomputed, &st.Incremental, &st.Changed); err != nil {
		return st, fmt.Errorf("calculated attributes: stats.sql: %w", err)
	}
	// Nothing to store: no statement at all. Besides saving the scans, an
	// INSERT ... SELECT of zero rows must not run in the run's transaction
	// before another: with DuckDB 1.5 (duckdb-go v2.10506) a later large
	// INSERT ... SELECT into the same table in the same transaction then
	// loses its rows. The fresh values, whose number is known only once
	// stored, are the stage's last insert into calc_values (no other stage
	// writes it).
	if st.Changed > 0 {
		if err := db.ExecFile(ctx, "calculated/apply.sql", nil, now, runID); err != nil {
			return st, fmt.Errorf("calculated attributes: %w", err)
		}
	}
	n, err = storeFresh(ctx, db, p, fresh, runID, now)
	if err != nil {
		return st, err
	}
	st.Recomputed += n
	st.Changed += n
	return st, saveState(ctx, db, runID)
}

// saveState records the run's definitions (_calc_plan) as computed by run
// runID.
func saveState(ctx context.Context, db DB, runID int64) error {
	if err := db.ExecFile(ctx, "calculated/state.sql", nil, runID); err != nil {
		return fmt.Errorf("calculated attributes: %w", err)
	}
	return nil
}

// execAll runs the statements of the named files, without parameters.
func execAll(ctx context.Context, db DB, files ...string) error {
	for _, f := range files {
		if err := db.ExecFile(ctx, f, nil); err != nil {
			return fmt.Errorf("calculated attributes: %w", err)
		}
	}
	return nil
}

// beginning stands for "no lower bound": before any event.
var beginning = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)

// Window returns the bounds [lower, upper] of c's events in a run at now.
func Window(c config.Calculated, r config.Retention, now time.Time) (lower, upper time.Time) {
	lower = beginning
	if cut := r.EventsCutoff(now); !cut.IsZero() {
		lower = cut
	}
	if c.Within != 0 {
		lower = later(lower, now.Add(-time.Duration(c.Within)))
	}
	if c.Since != "" {
		if s, err := time.Parse(time.DateOnly, c.Since); err == nil {
			lower = later(lower, s)
		}
	}
	return lower.UTC(), now.UTC()
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// pointer is the JSON pointer of a top-level event attribute ("" for none).
func pointer(key string) string {
	if key == "" {
		return ""
	}
	return "/" + strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}

// definition is what makes two versions of a calculated attribute the same
// computation: everything but the name and the window (a moved window is
// handled as a slide, not a new definition).
func definition(c config.Calculated) (string, error) {
	b, err := json.Marshal(struct {
		Kind, Event, Attribute string
		Where                  []config.Predicate
		// Semantics 2: predicates as internal/predicate (a value computed
		// under the earlier ones is recomputed once).
		Semantics int `json:",omitempty"`
	}{c.Calculation, c.Event, c.Attribute, c.Where, whereSemantics(c)})
	return string(b), err
}

func whereSemantics(c config.Calculated) int {
	if len(c.Where) == 0 {
		return 0
	}
	return 2
}

var defsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "idx", Type: arrow.PrimitiveTypes.Int64}, {Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "kind", Type: arrow.BinaryTypes.String}, {Name: "event", Type: arrow.BinaryTypes.String},
	{Name: "path", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "lower_us", Type: arrow.PrimitiveTypes.Int64}, {Name: "upper_us", Type: arrow.PrimitiveTypes.Int64},
	{Name: "definition", Type: arrow.BinaryTypes.String},
}, nil)

// stageDefinitions stages the pipeline's calculated attributes (_calc_defs).
func stageDefinitions(ctx context.Context, db DB, p *config.Pipeline, now time.Time) error {
	defs := array.NewRecordBuilder(memory.NewGoAllocator(), defsSchema)
	str := func(i int, s string) {
		if s == "" && defsSchema.Field(i).Nullable {
			defs.Field(i).AppendNull()
			return
		}
		defs.Field(i).(*array.StringBuilder).Append(s)
	}
	num := func(i int, n int64) { defs.Field(i).(*array.Int64Builder).Append(n) }
	for i, c := range p.CalculatedAttributes {
		def, err := definition(c)
		if err != nil {
			defs.Release()
			return fmt.Errorf("calculated attribute %s: %w", c.Name, err)
		}
		lower, upper := Window(c, p.Retention, now)
		num(0, int64(i))
		str(1, c.Name)
		str(2, c.Calculation)
		str(3, c.Event)
		str(4, pointer(c.Attribute))
		num(5, lower.UnixMicro())
		num(6, upper.UnixMicro())
		str(7, def)
	}
	if err := db.StageBuilder(ctx, "_calc_defs", defs); err != nil {
		return fmt.Errorf("calculated attributes: stage definitions: %w", err)
	}
	return nil
}

// eventsData is events.sql.tmpl's data (see there).
type eventsData struct {
	Paths, Parsed []string
	Reads         []read
	Where         []withWhere
}
type read struct{ Idx, Pos int }
type withWhere struct {
	Idx  int
	Cond string
}

// eventsQuery renders events.sql.tmpl for p's definitions; the run id is
// parameter $1.
func eventsQuery(p *config.Pipeline, runID int64) (string, []any, error) {
	var d eventsData
	pos := map[string]int{}
	at := func(key string) int {
		ptr := pointer(key)
		if _, ok := pos[ptr]; !ok {
			d.Paths = append(d.Paths, ptr)
			pos[ptr] = len(d.Paths)
		}
		return pos[ptr]
	}
	for i, c := range p.CalculatedAttributes {
		if c.Attribute != "" {
			d.Reads = append(d.Reads, read{Idx: i, Pos: at(c.Attribute)})
		}
		if c.Attribute != "" || len(c.Where) > 0 {
			if !slices.Contains(d.Parsed, c.Event) {
				d.Parsed = append(d.Parsed, c.Event)
			}
		}
		if len(c.Where) == 0 {
			continue
		}
		var conds []string
		for j := range c.Where {
			cond, err := predicate.Condition(fmt.Sprintf("a[%d]", at(c.Where[j].Key)), &c.Where[j])
			if err != nil {
				return "", nil, fmt.Errorf("calculated attribute %s: %w", c.Name, err)
			}
			conds = append(conds, "("+cond+")")
		}
		d.Where = append(d.Where, withWhere{Idx: i, Cond: strings.Join(conds, " AND ")})
	}
	q, err := sqlfiles.Render("calculated/events.sql.tmpl", d)
	return q, []any{runID}, err
}

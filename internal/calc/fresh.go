package calc

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/predicate"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// freshData is fresh.sql.tmpl's data (see there): the fresh definitions
// (Defs; Wide those folded by the GROUP BY mpid, PerValue most_frequent
// and unique_values), the event names they read (Names; Parsed those whose
// attributes are parsed), the union of their windows (LowerUs, UpperUs),
// the JSON pointers parsed (Paths), the positions in `a` read as values
// (Reads) and as numbers (Nums), and whether ties need the event id.
type freshData struct {
	Defs, Wide, PerValue []freshDef
	Names, Parsed, Paths []string
	Reads, Nums          []int
	LowerUs, UpperUs     int64
	EventID              bool
}

// freshDef is one fresh definition: its position in the pipeline file, its
// kind, event name and window, the position of its attribute in `a` (Pos,
// 0 for none) and its predicates as one condition on `a` ("" for none).
type freshDef struct {
	Idx              int
	Kind, Event      string
	LowerUs, UpperUs int64
	Pos              int
	Cond             string
}

// numericKinds read their attribute as a number.
var numericKinds = []string{"sum", "min", "max", "average"}

// freshQuery renders fresh.sql.tmpl for the definitions of p at positions
// fresh, in a run at now.
func freshQuery(p *config.Pipeline, fresh []int, now time.Time) (string, error) {
	var d freshData
	pos := map[string]int{}
	at := func(key string) int {
		ptr := pointer(key)
		if _, ok := pos[ptr]; !ok {
			d.Paths = append(d.Paths, ptr)
			pos[ptr] = len(d.Paths)
		}
		return pos[ptr]
	}
	addOnce := func(list []int, n int) []int {
		if slices.Contains(list, n) {
			return list
		}
		return append(list, n)
	}
	for n, i := range fresh {
		c := p.CalculatedAttributes[i]
		lower, upper := Window(c, p.Retention, now)
		f := freshDef{Idx: i, Kind: c.Calculation, Event: c.Event, LowerUs: lower.UnixMicro(), UpperUs: upper.UnixMicro()}
		if n == 0 || f.LowerUs < d.LowerUs {
			d.LowerUs = f.LowerUs
		}
		if n == 0 || f.UpperUs > d.UpperUs {
			d.UpperUs = f.UpperUs
		}
		if !slices.Contains(d.Names, c.Event) {
			d.Names = append(d.Names, c.Event)
		}
		if c.Attribute != "" {
			f.Pos = at(c.Attribute)
			d.Reads = addOnce(d.Reads, f.Pos)
			if slices.Contains(numericKinds, c.Calculation) {
				d.Nums = addOnce(d.Nums, f.Pos)
			}
		}
		if c.Attribute != "" || len(c.Where) > 0 {
			if !slices.Contains(d.Parsed, c.Event) {
				d.Parsed = append(d.Parsed, c.Event)
			}
		}
		var conds []string
		for j := range c.Where {
			cond, err := predicate.Condition(fmt.Sprintf("a[%d]", at(c.Where[j].Key)), &c.Where[j])
			if err != nil {
				return "", fmt.Errorf("calculated attribute %s: %w", c.Name, err)
			}
			conds = append(conds, "("+cond+")")
		}
		f.Cond = strings.Join(conds, " AND ")
		d.Defs = append(d.Defs, f)
		switch c.Calculation {
		case "most_frequent", "unique_values":
			d.PerValue = append(d.PerValue, f)
		case "first_value", "last_value":
			d.EventID = true
			d.Wide = append(d.Wide, f)
		default:
			d.Wide = append(d.Wide, f)
		}
	}
	return sqlfiles.Render("calculated/fresh.sql.tmpl", d)
}

// freshDefinitions returns the positions of the run's fresh definitions
// (_calc_plan).
func freshDefinitions(ctx context.Context, db DB) ([]int, error) {
	var list string
	if err := db.QueryRow(ctx, sqlfiles.Get("calculated/fresh_list.sql")).Scan(&list); err != nil {
		return nil, fmt.Errorf("calculated attributes: fresh_list.sql: %w", err)
	}
	var out []int
	for _, s := range strings.Split(list, ",") {
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("calculated attributes: fresh_list.sql: %w", err)
		}
		out = append(out, n)
	}
	return out, nil
}

// freshAsPairs, set by tests only, computes fresh definitions as full
// dirty pairs instead (sql/calculated/fresh_as_pairs.sql), the way the
// stage computed them before fresh.sql.tmpl: TestFreshEqualsPairs compares
// the two.
var freshAsPairs bool

// computeFresh computes every profile's value of the run's fresh
// definitions into _calc_fresh (empty when there is none).
func computeFresh(ctx context.Context, db DB, p *config.Pipeline, now time.Time) error {
	fresh, err := freshDefinitions(ctx, db)
	if err != nil {
		return err
	}
	if freshAsPairs {
		fresh = nil
	}
	q, err := freshQuery(p, fresh, now)
	if err != nil {
		return err
	}
	if _, err := db.Exec(ctx, q); err != nil {
		return fmt.Errorf("calculated attributes: fresh.sql.tmpl: %w", err)
	}
	return nil
}

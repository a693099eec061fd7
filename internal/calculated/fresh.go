package calculated

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

// freshData is fresh.sql.tmpl's data: the fresh definitions grouped by
// event name, in order of first appearance.
type freshData struct {
	Groups []*freshGroup
}

// freshGroup is the fresh definitions of one event name (Event), numbered
// N: all of them (Defs; Wide those folded by the GROUP BY mpid, PerValue
// most_frequent, unique_count and unique_values), the union of their
// windows (LowerUs, UpperUs), the JSON pointers parsed (Paths), the
// positions in `a` read as values (Reads) and as numbers (Nums), and
// whether a UNION ALL comes before the rows of Wide in the result.
type freshGroup struct {
	N                    int
	Event                string
	Defs, Wide, PerValue []freshDef
	Paths                []string
	Reads, Nums          []int
	LowerUs, UpperUs     int64
	UnionBeforeWide      bool
}

// freshDef is one fresh definition: its position in the pipeline file, its
// kind and window, the position of its attribute in its group's `a` (Pos,
// 0 for none), its predicates as one condition on `a` ("" for none) and,
// in PerValue, whether a UNION ALL comes before its rows in the result.
type freshDef struct {
	Idx              int
	Kind             string
	LowerUs, UpperUs int64
	Pos              int
	Cond             string
	Union            bool
}

// numericKinds read their attribute as a number.
var numericKinds = []string{"sum", "min", "max", "average"}

// freshQuery renders fresh.sql.tmpl for the definitions of p at positions
// fresh, in a run at now.
func freshQuery(p *config.Pipeline, fresh []int, now time.Time) (string, error) {
	var d freshData
	groups := map[string]*freshGroup{}
	for _, i := range fresh {
		c := p.CalculatedAttributes[i]
		g := groups[c.Event]
		lower, upper := Window(c, p.Retention, now)
		f := freshDef{Idx: i, Kind: c.Calculation, LowerUs: lower.UnixMicro(), UpperUs: upper.UnixMicro()}
		if g == nil {
			g = &freshGroup{N: len(d.Groups), Event: c.Event, LowerUs: f.LowerUs, UpperUs: f.UpperUs}
			groups[c.Event] = g
			d.Groups = append(d.Groups, g)
		}
		if err := g.add(c, f); err != nil {
			return "", err
		}
	}
	rows := false
	for _, g := range d.Groups {
		g.UnionBeforeWide = rows && len(g.Wide) > 0
		rows = rows || len(g.Wide) > 0
		for i := range g.PerValue {
			g.PerValue[i].Union = rows
			rows = true
		}
	}
	return sqlfiles.Render("calculated/fresh.sql.tmpl", d)
}

// add adds definition c (f, without its attribute and predicates yet) to g.
func (g *freshGroup) add(c config.Calculated, f freshDef) error {
	g.LowerUs, g.UpperUs = min(g.LowerUs, f.LowerUs), max(g.UpperUs, f.UpperUs)
	if c.Attribute != "" {
		f.Pos = g.at(c.Attribute)
		g.Reads = addOnce(g.Reads, f.Pos)
		if slices.Contains(numericKinds, c.Calculation) {
			g.Nums = addOnce(g.Nums, f.Pos)
		}
	}
	var conds []string
	for j := range c.Where {
		cond, err := predicate.Condition(fmt.Sprintf("a[%d]", g.at(c.Where[j].Key)), &c.Where[j])
		if err != nil {
			return fmt.Errorf("calculated attribute %s: %w", c.Name, err)
		}
		conds = append(conds, "("+cond+")")
	}
	f.Cond = strings.Join(conds, " AND ")
	g.Defs = append(g.Defs, f)
	switch c.Calculation {
	case "most_frequent", "unique_count", "unique_values":
		g.PerValue = append(g.PerValue, f)
	default:
		g.Wide = append(g.Wide, f)
	}
	return nil
}

// at returns the position in `a` of the attribute key, parsing it.
func (g *freshGroup) at(key string) int {
	ptr := pointer(key)
	if i := slices.Index(g.Paths, ptr); i >= 0 {
		return i + 1
	}
	g.Paths = append(g.Paths, ptr)
	return len(g.Paths)
}

func addOnce(list []int, n int) []int {
	if slices.Contains(list, n) {
		return list
	}
	return append(list, n)
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

// storeFresh computes and stores every profile's value of the definitions
// at positions fresh (the run's fresh ones, freshDefinitions) in run runID
// at now, and returns the number of values stored.
func storeFresh(ctx context.Context, db DB, p *config.Pipeline, fresh []int, runID int64, now time.Time) (int64, error) {
	if len(fresh) == 0 {
		return 0, nil
	}
	q, err := freshQuery(p, fresh, now)
	if err != nil {
		return 0, err
	}
	n, err := db.Exec(ctx, q, now, runID)
	if err != nil {
		return 0, fmt.Errorf("calculated attributes: fresh.sql.tmpl: %w", err)
	}
	return n, nil
}

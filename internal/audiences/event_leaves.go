package audiences

import (
	"strconv"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/predicate"
)

// eventGroup is event leaves that one grouped scan of the events named
// Name serves (leaves.sql.tmpl): the distinct filters they apply to those
// events (Filters: conditions on an event row) and the leaves, each
// testing a profile's events that pass its filter; data() renders Cols.
// The filters that are windows alone share their name's group; one with
// where conditions has a group of its own, so that its conditions are
// tested once per event, not again by each leaf.
//
// A group of several filters reads its events between the earliest start
// and the latest end of their windows (From, none when one has no start;
// To), and each leaf counts only the events of its own filter.
type eventGroup struct {
	Name     string
	Filters  []string
	From, To []string
	shared   bool
	open     bool // a filter has no start
	leaves   []eventLeaf
	Cols     [][]bitCond
}

// eventLeaf is leaf n of an event group: test applied to the events that
// pass the group's filter number filter.
type eventLeaf struct {
	n, filter int
	test      eventTestData
}

// eventTestData is what sql/audiences/having.sql.tmpl renders.
type eventTestData struct {
	Last   string
	Counts []countCmp
	Negate bool
	Filter string
}

type countCmp struct{ Sym, Num string }

// event adds an event leaf and returns its condition on the leaf columns:
// its column, or NOT its column when the leaf also holds for profiles with
// no matching event (a count that 0 meets): the column then holds for the
// profiles whose events fail the test.
func (l *leaves) event(e *config.EventPredicate) (string, error) {
	from, to := "", ""
	switch {
	case e.Within != 0:
		from = ago(e.Within)
	case e.Between != nil:
		from, to = bound(e.Between.From), bound(e.Between.To)
	}
	f := map[string]any{"From": from, "To": to, "Where": []string(nil)}
	var where []string
	for i := range e.Where {
		expr, err := predicate.EventAttribute(e.Where[i].Key)
		if err != nil {
			return "", err
		}
		cond, err := condition(expr, &e.Where[i])
		if err != nil {
			return "", err
		}
		where = append(where, cond)
	}
	f["Where"] = where
	filter, err := render("audiences/event_filter.sql.tmpl", f)
	if err != nil {
		return "", err
	}
	test, zero := eventTest(e)
	n, added := l.number("event\x00" + e.Name + "\x00" + filter + "\x00" + test.key())
	if added {
		g := l.eventGroup(e.Name, filter, len(where) == 0)
		i := indexOf(g.Filters, filter)
		if i < 0 {
			i = len(g.Filters)
			g.Filters = append(g.Filters, filter)
			g.open = g.open || from == ""
			if from != "" {
				g.From = append(g.From, from)
			}
			if to == "" {
				to = "$now::TIMESTAMPTZ"
			}
			g.To = append(g.To, to)
		}
		g.leaves = append(g.leaves, eventLeaf{n: n, filter: i, test: test})
	}
	if zero {
		return negate(col(n))
	}
	return col(n), nil
}

// eventGroup returns the group of the events named name for filter
// (shared: a window alone), adding it.
func (l *leaves) eventGroup(name, filter string, shared bool) *eventGroup {
	for _, g := range l.evs {
		if g.Name == name && g.shared == shared && (shared || g.Filters[0] == filter) {
			return g
		}
	}
	g := &eventGroup{Name: name, shared: shared}
	l.evs = append(l.evs, g)
	return g
}

// eventTest gives what an event leaf's column tests on a profile's
// matching events, and tells whether the leaf holds for a profile with no
// such event (a count comparison that 0 meets): then the column holds for
// the profiles whose events fail the comparison, and the leaf is its
// negation.
func eventTest(e *config.EventPredicate) (eventTestData, bool) {
	var d eventTestData
	zero := false
	switch {
	case e.LastOccurred != 0:
		d.Last = ago(e.LastOccurred)
	case e.Count != nil:
		zero = true
		for _, b := range []struct {
			sym string
			v   *float64
			ok  func(float64) bool
		}{
			{"=", e.Count.Eq, func(v float64) bool { return v == 0 }},
			{"<>", e.Count.Ne, func(v float64) bool { return v != 0 }},
			{">", e.Count.Gt, func(v float64) bool { return 0 > v }},
			{">=", e.Count.Gte, func(v float64) bool { return 0 >= v }},
			{"<", e.Count.Lt, func(v float64) bool { return 0 < v }},
			{"<=", e.Count.Lte, func(v float64) bool { return 0 <= v }},
		} {
			if b.v == nil {
				continue
			}
			d.Counts = append(d.Counts, countCmp{b.sym, strconv.FormatFloat(*b.v, 'g', -1, 64)})
			zero = zero && b.ok(*b.v)
		}
	}
	if d.Last == "" && len(d.Counts) == 0 {
		d.Counts = []countCmp{{">=", "1"}}
	}
	d.Negate = zero
	return d, zero
}

// key identifies a test among the leaves of one filter.
func (d eventTestData) key() string {
	k := d.Last + "\x00" + strconv.FormatBool(d.Negate)
	for _, c := range d.Counts {
		k += "\x00" + c.Sym + c.Num
	}
	return k
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

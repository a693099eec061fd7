// Package audiences compiles the audiences' criteria (config.Criterion) to
// DuckDB statements, one dependency level at a time, and recomputes
// membership in a run: entries and exits go to audience_history, whose open
// rows are the audience_members view (docs/design.md, the store).
//
// A level is evaluated in two statements. The first gives every current
// profile one boolean column per distinct leaf of the level's criteria
// (attribute, calculated, event, identity, audience, sql), reading each
// table once for all the leaves that read it; the second selects each
// audience's members as its criteria's and/or/not over those columns. A
// profile's leaves are bits of BIGINT words OR-ed together per profile, so
// that the profiles no leaf names cost one row each and no join.
//
// Call order: Check (at validation, against an empty in-memory store), then
// in a run Run (inside the run's transaction, after the events stage).
// Explain prints what Compile produces.
package audiences

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Audience is one audience of a compiled level.
type Audience struct {
	Name string
	// Index is the audience's position in the pipeline file.
	Index int
	Pos   config.Position
	// Deps are the audiences its criteria refer to.
	Deps []string
}

// Level is the audiences of one dependency level, in evaluation order, and
// the two statements that evaluate them as of the run's clock ($now,
// TIMESTAMPTZ): Leaves creates _aud_leaves (each current profile's leaves
// as bits, one pass over each table they read), then Members creates
// the view _aud_members (aud: an audience's position in Audiences, from 1;
// mpid). First does both at once on the level's first evaluation,
// recording every member as entering (enter_first.sql.tmpl).
type Level struct {
	Audiences []Audience
	Leaves    string
	Members   string
	First     string
	words     int // _aud_leaves' mask words
}

// Compile compiles every audience of p, level by level (within a level,
// file order). p must be valid (no cycles).
//
// An audience leaf is compiled as the referred audience's own criteria
// (its members are exactly the profiles that meet them in this run), unless
// that audience reads the store through a `sql:` leaf, directly or through
// its own references: then the leaf reads the members the run recorded for
// it, on an earlier level. An audience is on level 0 unless it has such a
// leaf, or a `sql:` leaf of its own and any audience leaf (its query may
// read the members recorded this run, as it always could): then it is one
// level above the highest audience it refers to.
func Compile(p *config.Pipeline) ([]Level, error) {
	stored := storedAudiences(p)
	level := map[string]int{}
	var groups [][]int
	for _, i := range Order(p) {
		c := &p.Audiences[i].Criteria
		own := hasSQL(c)
		l := 0
		for _, d := range deps(c) {
			if own || stored[d] {
				l = max(l, level[d]+1)
			}
		}
		level[p.Audiences[i].Name] = l
		for len(groups) <= l {
			groups = append(groups, nil)
		}
		groups[l] = append(groups[l], i)
	}
	out := make([]Level, 0, len(groups))
	for _, g := range groups {
		lv, err := compileLevel(p, g)
		if err != nil {
			return nil, err
		}
		out = append(out, lv)
	}
	return out, nil
}

// storedAudiences returns the audiences of p whose members a reference must
// read from the store: those with a `sql:` leaf, or referring to one.
func storedAudiences(p *config.Pipeline) map[string]bool {
	out := map[string]bool{}
	for _, i := range Order(p) {
		c := &p.Audiences[i].Criteria
		out[p.Audiences[i].Name] = hasSQL(c) || slices.ContainsFunc(deps(c), func(d string) bool { return out[d] })
	}
	return out
}

// hasSQL tells whether c has a `sql:` leaf.
func hasSQL(c *config.Criterion) bool {
	found := false
	walk(c, func(c *config.Criterion) { found = found || c.SQL != "" })
	return found
}

// compileLevel compiles the audiences of p at the indexes idx as one level.
func compileLevel(p *config.Pipeline, idx []int) (Level, error) {
	type member struct {
		Pos               int
		Name, Where, Cond string
	}
	var lv Level
	l := newLeaves(p, storedAudiences(p))
	var ms []member
	for _, i := range idx {
		a := &p.Audiences[i]
		cond, err := l.cond(&a.Criteria)
		if err != nil {
			return lv, fmt.Errorf("audience %s: %w", a.Name, err)
		}
		pos := p.Pos(fmt.Sprintf("audiences[%d].name", i))
		lv.Audiences = append(lv.Audiences, Audience{Name: a.Name, Index: i, Pos: pos, Deps: deps(&a.Criteria)})
		pos.File = filepath.Base(pos.File)
		ms = append(ms, member{len(ms) + 1, a.Name, pos.String(), cond})
	}
	leaves, err := l.data()
	if err != nil {
		return lv, err
	}
	members := map[string]any{"Audiences": ms, "Leaves": l.columns(), "Derived": l.derived, "From": ""}
	if lv.Leaves, err = render("audiences/leaves.sql.tmpl", leaves); err != nil {
		return lv, err
	}
	if lv.Members, err = render("audiences/members.sql.tmpl", members); err != nil {
		return lv, err
	}
	leaves["Bare"] = true
	if members["From"], err = render("audiences/leaves.sql.tmpl", leaves); err != nil {
		return lv, err
	}
	bare, err := render("audiences/members.sql.tmpl", members)
	if err != nil {
		return lv, err
	}
	if lv.First, err = render("audiences/enter_first.sql.tmpl", bare); err != nil {
		return lv, err
	}
	lv.words = l.words()
	return lv, nil
}

// Explain returns the statements that evaluate the audiences of p as one
// SQL text, for `mosaic validate --explain`.
func Explain(p *config.Pipeline) (string, error) {
	levels, err := Compile(p)
	if err != nil {
		return "", err
	}
	return sqlfiles.Render("audiences/explain.sql.tmpl", map[string]any{"Pipeline": p.Name, "Levels": levels})
}

// Order returns the indexes of p's audiences in evaluation order.
func Order(p *config.Pipeline) []int {
	ds := make([][]string, len(p.Audiences))
	for i := range p.Audiences {
		ds[i] = deps(&p.Audiences[i].Criteria)
	}
	done := map[string]bool{}
	var order []int
	for len(order) < len(p.Audiences) {
		progress := false
		for i, a := range p.Audiences {
			if done[a.Name] || slices.ContainsFunc(ds[i], func(d string) bool { return !done[d] }) {
				continue
			}
			done[a.Name] = true
			order = append(order, i)
			progress = true
			break // restart: keep file order among the ready ones
		}
		if !progress { // a cycle (validation refuses them): keep file order
			for i, a := range p.Audiences {
				if !done[a.Name] {
					done[a.Name] = true
					order = append(order, i)
				}
			}
		}
	}
	return order
}

// deps lists the audiences c refers to.
func deps(c *config.Criterion) []string {
	var out []string
	walk(c, func(c *config.Criterion) {
		if c.Audience != "" {
			out = append(out, c.Audience)
		}
	})
	return out
}

// walk calls f on c and every criterion under it.
func walk(c *config.Criterion, f func(*config.Criterion)) {
	f(c)
	for i := range c.All {
		walk(&c.All[i], f)
	}
	for i := range c.Any {
		walk(&c.Any[i], f)
	}
	if c.Not != nil {
		walk(c.Not, f)
	}
}

// cond compiles criterion c to a condition on the leaf columns of
// _aud_leaves, adding its leaves to l.
func (l *leaves) cond(c *config.Criterion) (string, error) {
	switch {
	case c.All != nil, c.Any != nil:
		op, children := "all", c.All
		if c.All == nil {
			op, children = "any", c.Any
		}
		terms := make([]string, 0, len(children))
		for i := range children {
			t, err := l.cond(&children[i])
			if err != nil {
				return "", err
			}
			terms = append(terms, t)
		}
		return render("audiences/bool.sql.tmpl", map[string]any{"Op": op, "Terms": terms})
	case c.Not != nil:
		t, err := l.cond(c.Not)
		if err != nil {
			return "", err
		}
		return negate(t)
	case c.Attribute != nil:
		return l.attribute(c.Attribute, false)
	case c.Calc != nil:
		return l.attribute(c.Calc, true)
	case c.Event != nil:
		return l.event(c.Event)
	case c.Identity != nil:
		return l.identity(c.Identity)
	case c.Audience != "" && !l.stored[c.Audience]:
		return l.inline(c.Audience)
	case c.Audience != "":
		q, err := render("audiences/member.sql.tmpl", map[string]string{"Name": c.Audience})
		if err != nil {
			return "", err
		}
		return l.set(q), nil
	case c.SQL != "":
		q, err := render("audiences/query.sql.tmpl", map[string]string{"Query": UserQuery(c.SQL)})
		if err != nil {
			return "", err
		}
		return l.set(q), nil
	}
	return "", fmt.Errorf("empty criterion")
}

// UserQuery is a `sql:` criterion's query as it is embedded: trailing
// semicolons and blank space removed.
func UserQuery(q string) string {
	return strings.TrimRight(strings.TrimSpace(q), "; \t\r\n")
}

// ago is the SQL for the run's clock minus d.
func ago(d config.Duration) string {
	td := time.Duration(d)
	for _, u := range []struct {
		unit string
		d    time.Duration
	}{{"DAY", 24 * time.Hour}, {"HOUR", time.Hour}, {"MINUTE", time.Minute}} {
		if td%u.d == 0 {
			return fmt.Sprintf("$now::TIMESTAMPTZ - INTERVAL %d %s", td/u.d, u.unit)
		}
	}
	return fmt.Sprintf("$now::TIMESTAMPTZ - INTERVAL %d SECOND", td/time.Second)
}

// bound is the SQL for a window bound.
func bound(b config.Bound) string {
	if b.Ago != 0 {
		return ago(b.Ago)
	}
	return "TIMESTAMPTZ " + sqlfiles.Literal(b.At.UTC().Format("2006-01-02 15:04:05Z07:00"))
}

// render renders a template of sql/ without its trailing line breaks, so
// that rendered pieces nest.
func render(name string, data any) (string, error) {
	q, err := sqlfiles.Render(name, data)
	return strings.TrimRight(q, "\n"), err
}

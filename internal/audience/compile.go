// Package audience compiles each audience's criteria (config.Criterion) to
// one DuckDB query returning the MPIDs of its members, and recomputes
// membership in a run: entries and exits go to audience_history, whose open
// rows are the audience_members view (DESIGN.md §4).
//
// Call order: Check (at validation, against an empty in-memory store), then
// in a run Run (inside the run's transaction, after the events stage).
// Explain prints what Compile produces.
package audience

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/predicate"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Query is one audience's compiled query. It takes one named parameter,
// $now (the run's clock, TIMESTAMPTZ), and returns distinct mpids.
type Query struct {
	Name string
	// Index is the audience's position in the pipeline file.
	Index int
	Pos   config.Position
	SQL   string
	// Deps are the audiences its criteria refer to.
	Deps []string
}

// Compile compiles every audience of p, in evaluation order: an audience
// after every audience its criteria refer to, otherwise in file order. p
// must be valid (no cycles).
func Compile(p *config.Pipeline) ([]Query, error) {
	var out []Query
	for _, i := range Order(p) {
		a := &p.Audiences[i]
		var c compiler
		tree, err := c.compile(&a.Criteria)
		if err != nil {
			return nil, fmt.Errorf("audience %s: %w", a.Name, err)
		}
		q, err := sqlfiles.Render("audiences/audience.sql.tmpl", map[string]string{"Tree": indent(tree)})
		if err != nil {
			return nil, err
		}
		var deps []string
		walk(&a.Criteria, func(c *config.Criterion) {
			if c.Audience != "" {
				deps = append(deps, c.Audience)
			}
		})
		out = append(out, Query{Name: a.Name, Index: i, Pos: p.Pos(fmt.Sprintf("audiences[%d].name", i)), SQL: c.restore(strings.TrimRight(q, "\n")), Deps: deps})
	}
	return out, nil
}

// Explain returns the compiled query of every audience of p as one SQL
// text, for `mosaic validate --explain`.
func Explain(p *config.Pipeline) (string, error) {
	qs, err := Compile(p)
	if err != nil {
		return "", err
	}
	type item struct{ Name, Pos, SQL string }
	items := make([]item, len(qs))
	for i, q := range qs {
		pos := q.Pos
		pos.File = filepath.Base(pos.File)
		items[i] = item{q.Name, pos.String(), q.SQL}
	}
	return sqlfiles.Render("audiences/explain.sql.tmpl", map[string]any{"Pipeline": p.Name, "Audiences": items})
}

// Order returns the indexes of p's audiences in evaluation order.
func Order(p *config.Pipeline) []int {
	deps := make([][]string, len(p.Audiences))
	for i := range p.Audiences {
		walk(&p.Audiences[i].Criteria, func(c *config.Criterion) {
			if c.Audience != "" {
				deps[i] = append(deps[i], c.Audience)
			}
		})
	}
	done := map[string]bool{}
	var order []int
	for len(order) < len(p.Audiences) {
		progress := false
		for i, a := range p.Audiences {
			if done[a.Name] || slices.ContainsFunc(deps[i], func(d string) bool { return !done[d] }) {
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

// compiler compiles one audience. Users' `sql:` queries are kept aside
// while the tree is built and indented, so that indenting never changes
// their text, and put back by restore.
type compiler struct {
	user []string
}

var placeholderRE = regexp.MustCompile(`(?m)^ */\*mosaic:sql:([0-9]+)\*/$`)

func (k *compiler) placeholder(q string) string {
	k.user = append(k.user, q)
	return fmt.Sprintf("/*mosaic:sql:%d*/", len(k.user)-1)
}

func (k *compiler) restore(q string) string {
	return placeholderRE.ReplaceAllStringFunc(q, func(m string) string {
		n, _ := strconv.Atoi(placeholderRE.FindStringSubmatch(m)[1])
		return k.user[n]
	})
}

func (k *compiler) compile(c *config.Criterion) (string, error) {
	switch {
	case c.All != nil:
		var keep, drop []string
		for i := range c.All {
			child := &c.All[i]
			target := &keep
			if child.Not != nil {
				child, target = child.Not, &drop
			}
			q, err := k.compile(child)
			if err != nil {
				return "", err
			}
			*target = append(*target, indent(q))
		}
		return sqlfiles.Render("audiences/all.sql.tmpl", map[string][]string{"Keep": keep, "Drop": drop})
	case c.Any != nil:
		var each []string
		for i := range c.Any {
			q, err := k.compile(&c.Any[i])
			if err != nil {
				return "", err
			}
			each = append(each, indent(q))
		}
		return sqlfiles.Render("audiences/any.sql.tmpl", map[string][]string{"Each": each})
	case c.Not != nil:
		q, err := k.compile(c.Not)
		if err != nil {
			return "", err
		}
		return sqlfiles.Render("audiences/not.sql.tmpl", map[string]string{"Query": indent(q)})
	case c.Attribute != nil, c.Calc != nil:
		pr, calculated := c.Attribute, false
		if pr == nil {
			pr, calculated = c.Calc, true
		}
		cond, err := predicate.Condition("value", pr)
		if err != nil {
			return "", err
		}
		return sqlfiles.Render("audiences/attribute.sql.tmpl", map[string]any{"Key": pr.Key, "Calculated": calculated, "Cond": cond})
	case c.Event != nil:
		return compileEvent(c.Event)
	case c.Identity != nil:
		t, _ := config.CanonicalIdentityType(c.Identity.Type)
		return sqlfiles.Render("audiences/identity.sql.tmpl", map[string]string{"Type": t})
	case c.Audience != "":
		return sqlfiles.Render("audiences/member.sql.tmpl", map[string]string{"Name": c.Audience})
	case c.SQL != "":
		return sqlfiles.Render("audiences/query.sql.tmpl", map[string]string{"Query": k.placeholder(UserQuery(c.SQL))})
	}
	return "", fmt.Errorf("empty criterion")
}

// UserQuery is a `sql:` criterion's query as it is embedded: trailing
// semicolons and blank space removed.
func UserQuery(q string) string {
	return strings.TrimRight(strings.TrimSpace(q), "; \t\r\n")
}

func compileEvent(e *config.EventPredicate) (string, error) {
	d := map[string]any{"Name": e.Name, "From": "", "To": "", "Zero": false}
	switch {
	case e.Within != 0:
		d["From"] = ago(e.Within)
	case e.Between != nil:
		d["From"], d["To"] = bound(e.Between.From), bound(e.Between.To)
	}
	var where []string
	for i := range e.Where {
		expr, err := predicate.EventAttribute(e.Where[i].Key)
		if err != nil {
			return "", err
		}
		cond, err := predicate.Condition(expr, &e.Where[i])
		if err != nil {
			return "", err
		}
		where = append(where, cond)
	}
	d["Where"] = where
	having, zero := "count(*) >= 1", false
	switch {
	case e.LastOccurred != 0:
		having = "max(occurred_at) >= " + ago(e.LastOccurred)
	case e.Count != nil:
		having, zero = countCondition(e.Count)
	}
	d["Having"], d["Zero"] = having, zero
	return sqlfiles.Render("audiences/event.sql.tmpl", d)
}

// countCondition renders a count comparison, and tells whether a profile
// with no event at all meets it (count 0).
func countCondition(c *config.Comparison) (string, bool) {
	var parts []string
	zero := true
	for _, b := range []struct {
		sym string
		v   *float64
		ok  func(float64) bool
	}{
		{"=", c.Eq, func(v float64) bool { return 0 == v }},
		{"<>", c.Ne, func(v float64) bool { return 0 != v }},
		{">", c.Gt, func(v float64) bool { return 0 > v }},
		{">=", c.Gte, func(v float64) bool { return 0 >= v }},
		{"<", c.Lt, func(v float64) bool { return 0 < v }},
		{"<=", c.Lte, func(v float64) bool { return 0 <= v }},
	} {
		if b.v == nil {
			continue
		}
		parts = append(parts, "count(*) "+b.sym+" "+strconv.FormatFloat(*b.v, 'g', -1, 64))
		zero = zero && b.ok(*b.v)
	}
	return strings.Join(parts, " AND "), zero
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

// indent indents every line of a compiled query by four spaces, but for
// lines that continue a string literal (a value with a line break).
func indent(q string) string {
	var b strings.Builder
	b.WriteString("    ")
	quoted := false
	for _, r := range strings.TrimRight(q, "\n") {
		b.WriteRune(r)
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '\n' && !quoted:
			b.WriteString("    ")
		}
	}
	return b.String()
}

package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// audienceRef is one place where an audience's criteria name another.
type audienceRef struct {
	path, to string
}

func (v *validator) validateAudiences() {
	names := map[string]bool{}
	refs := map[string][]audienceRef{}
	for i, a := range v.p.Audiences {
		path := fmt.Sprintf("audiences[%d]", i)
		v.unique(names, path+".name", "audience", a.Name)
		if a.Name != "" && !nameRE.MatchString(a.Name) {
			v.errorf(path+".name", "bad audience name %q: use letters, digits and _ (start with a letter)", a.Name)
		}
		v.criterion(path+".criteria", &a.Criteria, func(refPath, ref string) {
			refs[a.Name] = append(refs[a.Name], audienceRef{refPath, ref})
		})
	}
	known := v.audienceNames()
	for _, a := range v.p.Audiences {
		for _, r := range refs[a.Name] {
			if !slices.Contains(known, r.to) {
				v.errorf(r.path, "unknown audience %q%s", r.to, suggestOr(r.to, known))
			}
		}
	}
	v.audienceCycles(refs)
}

// audienceCycles reports each cycle of audience references once, at the
// reference that leaves the cycle's first audience in file order, naming
// every hop with its position.
func (v *validator) audienceCycles(refs map[string][]audienceRef) {
	order := v.audienceNames()
	seen := map[string]bool{}
	// Depth-first from each audience in file order; a cycle is reported
	// from its first audience in file order only, so each appears once.
	for si, start := range order {
		var path []audienceRef
		onPath := map[string]bool{start: true}
		var dfs func(name string)
		dfs = func(name string) {
			for _, r := range refs[name] {
				idx := slices.Index(order, r.to)
				if idx < 0 || idx < si {
					continue // unknown, or a cycle through an earlier audience: reported from there
				}
				path = append(path, r)
				switch {
				case r.to == start:
					v.reportCycle(start, path, seen)
				case !onPath[r.to]:
					onPath[r.to] = true
					dfs(r.to)
					onPath[r.to] = false
				}
				path = path[:len(path)-1]
			}
		}
		dfs(start)
	}
}

func (v *validator) reportCycle(start string, hops []audienceRef, seen map[string]bool) {
	var b strings.Builder
	b.WriteString(start)
	for _, h := range hops {
		fmt.Fprintf(&b, " (%s) -> %s", v.pos(h.path), h.to)
	}
	if seen[b.String()] {
		return
	}
	seen[b.String()] = true
	if len(hops) == 1 {
		v.errorf(hops[0].path, "audience %q refers to itself: remove this reference", start)
		return
	}
	v.errorf(hops[0].path, "audiences refer to each other in a cycle: %s; remove one of these references", b.String())
}

// criterion checks one node of a criteria tree; ref is told each audience
// the node refers to, and where.
func (v *validator) criterion(path string, c *Criterion, ref func(path, name string)) {
	set := 0
	for _, isSet := range []bool{c.All != nil, c.Any != nil, c.Not != nil, c.Attribute != nil, c.Calc != nil, c.Event != nil, c.Identity != nil, c.Audience != "", c.SQL != ""} {
		if isSet {
			set++
		}
	}
	if set != 1 {
		v.errorf(path, "a criterion holds exactly one of all, any, not, attribute, calculated, event, identity, audience, sql (found %d)", set)
		return
	}
	if c.All != nil && len(c.All) == 0 || c.Any != nil && len(c.Any) == 0 {
		v.errorf(path, "an empty list of criteria matches nothing: list at least one criterion")
	}
	for i := range c.All {
		v.criterion(fmt.Sprintf("%s.all[%d]", path, i), &c.All[i], ref)
	}
	for i := range c.Any {
		v.criterion(fmt.Sprintf("%s.any[%d]", path, i), &c.Any[i], ref)
	}
	calcs := v.calculatedNames()
	switch {
	case c.Not != nil:
		v.criterion(path+".not", c.Not, ref)
	case c.Attribute != nil:
		v.predicate(path+".attribute", c.Attribute)
		if slices.Contains(calcs, c.Attribute.Key) {
			v.errorf(path+".attribute.key", "%q is a calculated attribute: write `calculated: { key: %s, … }`", c.Attribute.Key, c.Attribute.Key)
		}
	case c.Calc != nil:
		v.predicate(path+".calculated", c.Calc)
		if c.Calc.Key != "" && !slices.Contains(calcs, c.Calc.Key) {
			v.errorf(path+".calculated.key", "unknown calculated attribute %q%s", c.Calc.Key, suggestOr(c.Calc.Key, calcs))
		}
	case c.Event != nil:
		v.eventPredicate(path+".event", c.Event)
	case c.Identity != nil:
		v.identityType(path+".identity.type", c.Identity.Type)
	case c.Audience != "":
		ref(path+".audience", c.Audience)
	case c.SQL != "" && strings.TrimSpace(c.SQL) == "":
		v.errorf(path+".sql", "the query is empty: write a SELECT returning a column mpid")
	}
}

func (v *validator) calculatedNames() []string {
	var names []string
	for _, ca := range v.p.CalculatedAttributes {
		names = append(names, ca.Name)
	}
	return names
}

func (v *validator) eventPredicate(path string, e *EventPredicate) {
	if e.Name == "" {
		v.errorf(path, "event.name is required")
	}
	windows := 0
	for _, set := range []bool{e.Within != 0, e.Between != nil, e.LastOccurred != 0} {
		if set {
			windows++
		}
	}
	if windows > 1 {
		v.errorf(path, "set at most one of within, between and last_occurred")
	}
	if e.Count != nil && e.LastOccurred != 0 {
		v.errorf(path+".count", "set `count` or `last_occurred`, not both (count takes its window from within or between)")
	}
	v.window(path+".within", e.Within)
	v.window(path+".last_occurred", e.LastOccurred)
	if b := e.Between; b != nil {
		switch {
		case b.From.IsZero() || b.To.IsZero():
			v.errorf(path+".between", "between needs both from and to, e.g. { from: 60d, to: 30d } or { from: 2026-01-01, to: 2026-02-01 }")
		case b.From.Ago != 0 && b.To.Ago != 0 && b.From.Ago <= b.To.Ago,
			!b.From.At.IsZero() && !b.To.At.IsZero() && !b.From.At.Before(b.To.At):
			v.errorf(path+".between", "from (%s) must be before to (%s)", b.From, b.To)
		}
		v.window(path+".between.from", b.From.Ago)
	}
	if c := e.Count; c != nil && c.Eq == nil && c.Ne == nil && c.Gt == nil && c.Gte == nil && c.Lt == nil && c.Lte == nil {
		v.errorf(path+".count", "count needs a comparison: one or more of eq, ne, gt, gte, lt, lte")
	}
	for i := range e.Where {
		v.predicate(fmt.Sprintf("%s.where[%d]", path, i), &e.Where[i])
	}
}

func (v *validator) predicate(path string, p *Predicate) {
	if p.Key == "" {
		v.errorf(path, "key is required")
	}
	if !v.oneOf(path+".op", "operator", p.Op, PredicateOps) {
		return
	}
	vpath := path + ".value"
	if p.CaseSensitive && !hasText(p.Value) {
		v.errorf(path+".case_sensitive", "case_sensitive applies to text values only and this predicate compares none: remove it")
	}
	switch p.Op {
	case "exists":
		if p.Value != nil {
			v.errorf(vpath, "operator \"exists\" takes no value")
		}
		return
	case "in":
		list, ok := p.Value.([]any)
		if p.Value == nil || !ok || len(list) == 0 {
			v.errorf(vpathOr(p, path), "operator \"in\" needs a list of values, e.g. [gold, silver]")
			return
		}
		for i, x := range list {
			if !isScalar(x) {
				v.errorf(fmt.Sprintf("%s[%d]", vpath, i), "a value of \"in\" must be a string, number or boolean")
			}
		}
		return
	}
	if p.Value == nil {
		v.errorf(path, "operator %q needs a value", p.Op)
		return
	}
	switch p.Op {
	case "contains", "starts_with", "matches":
		s, ok := p.Value.(string)
		if !ok {
			v.errorf(vpath, "operator %q compares text: the value must be a string", p.Op)
			return
		}
		if p.Op == "matches" {
			if _, err := regexp.Compile(s); err != nil {
				v.errorf(vpath, "bad regular expression %q: %v", s, err)
			}
		}
	default:
		if !isScalar(p.Value) {
			v.errorf(vpath, "operator %q needs one string, number or boolean (for a list of values use `in`)", p.Op)
		} else if _, isBool := p.Value.(bool); isBool && p.Op != "eq" && p.Op != "ne" {
			v.errorf(vpath, "operator %q does not order booleans: use eq or ne", p.Op)
		}
	}
}

func vpathOr(p *Predicate, path string) string {
	if p.Value == nil {
		return path
	}
	return path + ".value"
}

// hasText tells whether a predicate's value is a string or a list holding
// one: what case_sensitive applies to.
func hasText(x any) bool {
	if list, ok := x.([]any); ok {
		for _, y := range list {
			if _, ok := y.(string); ok {
				return true
			}
		}
		return false
	}
	_, ok := x.(string)
	return ok
}

func isScalar(x any) bool {
	switch x.(type) {
	case string, bool, int, int64, uint64, float64:
		return true
	}
	return false
}

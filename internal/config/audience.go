package config

import (
	"fmt"
	"slices"
	"strings"
)

func (v *validator) validateAudiences() {
	names := map[string]bool{}
	deps := map[string][]string{}
	var refs [][2]string // path, audience name
	for i, a := range v.p.Audiences {
		path := fmt.Sprintf("audiences[%d]", i)
		v.unique(names, path+".name", "audience", a.Name)
		v.criterion(path+".criteria", &a.Criteria, func(refPath, ref string) {
			deps[a.Name] = append(deps[a.Name], ref)
			refs = append(refs, [2]string{refPath, ref})
		})
	}
	known := v.audienceNames()
	for _, r := range refs {
		if !slices.Contains(known, r[1]) {
			v.errorf(r[0], "unknown audience %q%s", r[1], suggestOr(r[1], known))
		}
	}
	for i, a := range v.p.Audiences {
		if cycle := findCycle(a.Name, deps, nil); cycle != nil {
			v.errorf(fmt.Sprintf("audiences[%d].criteria", i), "audience %q refers to itself: %s", a.Name, strings.Join(cycle, " -> "))
		}
	}
}

func findCycle(name string, deps map[string][]string, path []string) []string {
	if slices.Contains(path, name) {
		return append(path, name)
	}
	for _, d := range deps[name] {
		if c := findCycle(d, deps, append(slices.Clone(path), name)); c != nil && c[0] == c[len(c)-1] {
			return c
		}
	}
	return nil
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
	for i := range c.All {
		v.criterion(fmt.Sprintf("%s.all[%d]", path, i), &c.All[i], ref)
	}
	for i := range c.Any {
		v.criterion(fmt.Sprintf("%s.any[%d]", path, i), &c.Any[i], ref)
	}
	switch {
	case c.Not != nil:
		v.criterion(path+".not", c.Not, ref)
	case c.Attribute != nil:
		v.predicate(path+".attribute", c.Attribute)
	case c.Calc != nil:
		v.predicate(path+".calculated", c.Calc)
		var calcs []string
		for _, ca := range v.p.CalculatedAttributes {
			calcs = append(calcs, ca.Name)
		}
		if c.Calc.Key != "" && !slices.Contains(calcs, c.Calc.Key) {
			v.errorf(path+".calculated.key", "unknown calculated attribute %q%s", c.Calc.Key, suggestOr(c.Calc.Key, calcs))
		}
	case c.Event != nil:
		if c.Event.Name == "" {
			v.errorf(path+".event", "event.name is required")
		}
		v.window(path+".event.within", c.Event.Within)
		v.window(path+".event.last_occurred", c.Event.LastOccurred)
		for i := range c.Event.Where {
			v.predicate(fmt.Sprintf("%s.event.where[%d]", path, i), &c.Event.Where[i])
		}
	case c.Identity != nil:
		v.identityType(path+".identity.type", c.Identity.Type)
	case c.Audience != "":
		ref(path+".audience", c.Audience)
	}
}

func (v *validator) predicate(path string, p *Predicate) {
	if p.Key == "" {
		v.errorf(path, "key is required")
	}
	if v.oneOf(path+".op", "operator", p.Op, PredicateOps) && p.Op != "exists" && p.Value == nil {
		v.errorf(path, "operator %q needs a value", p.Op)
	}
}

package config

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/robfig/cron/v3"
)

// Version is the pipeline-file version this build reads.
const Version = 1

type validator struct {
	p    *Pipeline
	errs Errors
}

func (v *validator) errorf(path, format string, args ...any) {
	v.errs = append(v.errs, &Error{Pos: v.pos(path), Msg: path + ": " + fmt.Sprintf(format, args...)})
}

// pos returns the position of the value at path or, when the file does not
// set it (a missing key), of the nearest enclosing value that it does set.
func (v *validator) pos(path string) Position {
	for {
		if pos, ok := v.p.positions[path]; ok {
			return pos
		}
		if path == "" {
			return Position{File: v.p.File}
		}
		path = path[:max(strings.LastIndexAny(path, ".["), 0)]
	}
}

// oneOf reports value at path unless it is one of allowed.
func (v *validator) oneOf(path, what, value string, allowed []string) bool {
	if slices.Contains(allowed, value) {
		return true
	}
	if value == "" {
		v.errorf(path, "%s is required: one of %s", what, quoteList(allowed))
		return false
	}
	v.errorf(path, "unknown %s %q%s", what, value, suggestOr(value, allowed))
	return false
}

func (v *validator) identityType(path, t string) {
	if _, ok := CanonicalIdentityType(t); !ok {
		v.errorf(path, "unknown identity type %q%s", t, suggestOr(t, IdentityTypes))
	}
}

// unique reports a name seen before under the same list.
func (v *validator) unique(seen map[string]bool, path, what, name string) {
	if name == "" {
		v.errorf(path, "%s name is required", what)
		return
	}
	if seen[name] {
		v.errorf(path, "duplicate %s name %q: names must be unique", what, name)
	}
	seen[name] = true
}

func (v *validator) validate() {
	p := v.p
	switch {
	case p.Version == 0:
		v.errorf("version", "version is required: add `version: %d` at the top", Version)
	case p.Version != Version:
		v.errorf("version", "unsupported version %d: this mosaic reads version %d", p.Version, Version)
	}
	if p.Name == "" {
		v.errorf("name", "name is required")
	} else if !nameRE.MatchString(p.Name) {
		v.errorf("name", "bad name %q: use letters, digits and _ (start with a letter)", p.Name)
	}
	if p.Schedule != "" {
		if _, err := cron.ParseStandard(p.Schedule); err != nil {
			v.errorf("schedule", "bad cron schedule %q: %v (five fields: minute hour day-of-month month day-of-week, optionally after CRON_TZ=Zone)", p.Schedule, err)
		}
	}
	v.validateIdentity()
	for i, t := range p.SourcePriority {
		v.oneOf(fmt.Sprintf("source_priority[%d]", i), "source type", t, SourceTypes)
	}
	if len(p.Feeds) == 0 {
		v.errorf("feeds", "at least one feed is required")
	}
	names := map[string]bool{}
	for i := range p.Feeds {
		v.validateFeed(fmt.Sprintf("feeds[%d]", i), &p.Feeds[i], names)
	}
	v.validateCalculated()
	v.validateAudiences()
	v.validateOutputs()
	v.validateServe()
}

var nameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func (v *validator) validateIdentity() {
	id := v.p.Identity
	seen := map[string]bool{}
	for i, t := range id.Priority {
		path := fmt.Sprintf("identity.priority[%d]", i)
		v.identityType(path, t)
		c, _ := CanonicalIdentityType(t)
		if seen[c] {
			v.errorf(path, "identity type %q is listed twice", t)
		}
		seen[c] = true
	}
	for i, t := range id.Unique {
		v.identityType(fmt.Sprintf("identity.unique[%d]", i), t)
	}
	for i, t := range id.CaseSensitive {
		v.identityType(fmt.Sprintf("identity.case_sensitive[%d]", i), t)
	}
	for t, n := range id.Limits {
		path := "identity.limits." + t
		v.identityType(path, t)
		if n < 1 {
			v.errorf(path, "limit must be at least 1, got %d", n)
		}
	}
	for t, n := range id.MaxShared {
		path := "identity.max_shared." + t
		if t != "*" {
			v.identityType(path, t)
		}
		if n < 1 {
			v.errorf(path, "max_shared must be at least 1 (the records one value may link), got %d", n)
		}
	}
	for t, patterns := range id.Blocklist {
		if t != "*" {
			v.identityType("identity.blocklist."+t, t)
		}
		for i, re := range patterns {
			if _, err := regexp.Compile(re); err != nil {
				v.errorf(fmt.Sprintf("identity.blocklist.%s[%d]", t, i), "bad regular expression %q: %v", re, err)
			}
		}
	}
}

func (v *validator) validateFeed(path string, f *Feed, names map[string]bool) {
	v.unique(names, path+".name", "feed", f.Name)
	if f.Name != "" && !nameRE.MatchString(f.Name) {
		v.errorf(path+".name", "bad feed name %q: use letters, digits and _ (start with a letter)", f.Name)
	}
	if f.Source.Kind == "" {
		v.errorf(path+".source", "source.kind is required (files, bigquery, postgres, events_api)")
	}
	v.oneOf(path+".source_type", "source type", f.SourceType, SourceTypes)
	if f.Protection != "" {
		v.oneOf(path+".protection", "protection level", f.Protection, []string{CreateUpdate, OnlyUpdate, OnlyRead})
	}
	for col, t := range f.Identities {
		v.identityType(path+".identities."+col, t)
	}
	// Batch JSON carries its own user_identities and mpid; a columnar feed
	// must map them.
	if len(f.Identities) == 0 && f.MPID == "" && !f.Source.IsBatch() {
		v.errorf(path, "feed %q maps no identity column: add `identities: {column: type}` or `mpid: column`", f.Name)
	}
	if (f.OccurredAt != "" || f.EventAttributes != "") && f.EventName == "" {
		v.errorf(path, "feed %q maps event columns but no `event_name:` column", f.Name)
	}
	if f.Source.IsBatch() {
		for _, k := range []string{"identities", "attributes", "mpid", "timestamp", "cursor", "deleted_attributes", "event_name", "occurred_at", "event_attributes"} {
			if _, set := v.p.positions[path+"."+k]; set {
				v.errorf(path+"."+k, "a batch feed carries its own identities, attributes, times and events: remove `%s`", k)
			}
		}
	}
	keys := map[string]string{}
	cols := slices.Collect(maps.Keys(f.Attributes))
	slices.SortFunc(cols, func(a, b string) int {
		pa, pb := v.p.Pos(path+".attributes."+a), v.p.Pos(path+".attributes."+b)
		return cmp.Or(cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Col, pb.Col))
	})
	for _, col := range cols {
		key := f.Attributes[col]
		switch {
		case key == "":
			v.errorf(path+".attributes."+col, "attribute key is empty")
		case len(key) > 255:
			v.errorf(path+".attributes."+col, "attribute key is longer than 255 characters")
		case keys[key] != "":
			v.errorf(path+".attributes."+col, "columns %q and %q both map to attribute %q", min(col, keys[key]), max(col, keys[key]), key)
		}
		keys[key] = col
	}
}

func (v *validator) audienceNames() []string {
	var names []string
	for _, a := range v.p.Audiences {
		names = append(names, a.Name)
	}
	return names
}

func quoteList(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}

// suggestOr returns a "did you mean" for a near miss, else the whole list.
func suggestOr(got string, allowed []string) string {
	if s := suggest(got, allowed); s != "" {
		return s
	}
	if len(allowed) == 0 {
		return ""
	}
	return " (expected one of: " + quoteList(allowed) + ")"
}

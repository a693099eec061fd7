// Package unseen finds the names a pipeline's definitions use that no
// stored data has: the events audiences and calculated attributes count,
// and the attribute keys and identity types audiences test. A misspelt
// name is valid and matches nothing, silently: an audience stays empty
// (or, under `not:`, takes every profile) and a calculated attribute
// keeps its empty value. A run warns of each such use, naming where the
// pipeline file has it and the stored names closest to it.
package unseen

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// DB is what Find needs of the run's transaction (engine.Tx).
type DB interface {
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// kinds says, for each kind of name, that none of a name is stored.
var kinds = map[string]string{
	"event":     "no stored event is named %q",
	"attribute": "no profile has an attribute %q",
	"identity":  "no stored identity is of type %q",
}

// use is one name of a kind and where the pipeline file has it.
type use struct{ kind, path, name string }

// uses lists the names p's calculated attributes and audiences use, in
// the file's order.
func uses(p *config.Pipeline) []use {
	var out []use
	for i, c := range p.CalculatedAttributes {
		if c.Event != "" {
			out = append(out, use{"event", fmt.Sprintf("calculated_attributes[%d].event", i), c.Event})
		}
	}
	for i := range p.Audiences {
		audiences.Walk(fmt.Sprintf("audiences[%d].criteria", i), &p.Audiences[i].Criteria, func(path string, c *config.Criterion) {
			switch {
			case c.Event != nil:
				out = append(out, use{"event", path + ".event.name", c.Event.Name})
			case c.Attribute != nil:
				out = append(out, use{"attribute", path + ".attribute.key", c.Attribute.Key})
			case c.Identity != nil:
				t, _ := config.CanonicalIdentityType(c.Identity.Type) // customer_id is customerid
				out = append(out, use{"identity", path + ".identity.type", t})
			}
		})
	}
	return out
}

// Find returns a warning for each use in p of a name no stored data has,
// in the file's order, e.g.
//
//	p.yaml:21:24: audiences[0].criteria.event.name: no stored event is named "Purchase"; did you mean "purchase"?
//
// It groups each kind's stored column once, for the kinds p uses.
func Find(ctx context.Context, db DB, p *config.Pipeline) ([]string, error) {
	all := uses(p)
	if len(all) == 0 {
		return nil, nil
	}
	byKind := map[string][]string{}
	for _, u := range all {
		byKind[u.kind] = append(byKind[u.kind], u.name)
	}
	gone := map[string]map[string][]string{} // kind → missing name → the stored names close to it
	for kind, names := range byKind {
		q, err := sqlfiles.Render("unseen/names.sql.tmpl", map[string]string{"Kind": kind})
		if err != nil {
			return nil, err
		}
		near := map[string][]string{}
		var text string
		if err := db.QueryRow(ctx, q, names).Scan(&text); err != nil {
			return nil, fmt.Errorf("unseen/names.sql.tmpl (%s): %w", kind, err)
		}
		if err := json.Unmarshal([]byte(text), &near); err != nil {
			return nil, fmt.Errorf("unseen/names.sql.tmpl (%s): %w", kind, err)
		}
		gone[kind] = near
	}
	var out []string
	for _, u := range all {
		if near, ok := gone[u.kind][u.name]; ok {
			out = append(out, fmt.Sprintf("%s: %s: %s%s", p.Pos(u.path), u.path, fmt.Sprintf(kinds[u.kind], u.name), didYouMean(near)))
		}
	}
	return out, nil
}

// didYouMean suggests names, or says that a name matches nothing until
// one is stored.
func didYouMean(names []string) string {
	if len(names) == 0 {
		return " yet: it matches nothing until one is stored"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return "; did you mean " + strings.Join(q, " or ") + "?"
}

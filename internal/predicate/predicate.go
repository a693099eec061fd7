// Package predicate renders one `where:` or criteria predicate
// (config.Predicate) as a SQL condition on a JSON value: the single
// implementation behind audiences' attribute, calculated and event leaves
// and calculated attributes' `where:` (sql/predicate/condition.sql.tmpl).
//
// Semantics, by the type of the predicate's value:
//
//   - a number compares numerically with a JSON number or with text that
//     reads as a number ("12.50"); other values never match;
//   - a string compares as text with JSON strings only (a number 5 does not
//     equal "5"; lt/gt order text bytewise), case-insensitively: both sides
//     are lower-cased (matches takes the regular expression's `i` flag)
//     unless the predicate sets case_sensitive;
//   - a boolean equals a JSON boolean or the text "true"/"false" (booleans
//     are not ordered: validation refuses lt/gt on them).
//
// in is eq against any of its values (each by its own type); contains tests
// a substring of a string or an element of a list of strings; starts_with
// a prefix and matches an RE2 regular expression (unanchored), of strings
// only; exists holds for a present, non-null value.
//
// ne holds for a present, non-null value that eq does not match: a profile
// or event without the attribute (or with null) matches neither eq nor ne,
// as a comparison with NULL in SQL. mParticle's audience documentation does
// not say how "Does Not Match" treats a user lacking the attribute; "the
// value is not X" presumes a value, and `not: {attribute: {op: eq ...}}` is
// the criterion that also takes profiles without the attribute. Every condition
// is false or NULL for an absent value, so it may only be used where NULL
// means no (WHERE, AND).
package predicate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// data is what sql/predicate/condition.sql.tmpl renders.
type data struct {
	Expr, Op, Sym      string
	Text, Num, Bool    string
	Texts, Nums, Bools []string
	// Fold compares text case-insensitively: the attribute's text is
	// lower-cased in SQL, Text and Texts here (a regular expression keeps
	// its text and takes the `i` flag).
	Fold bool
}

var orderSyms = map[string]string{"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}

// Condition renders p as a condition on the JSON expression expr (SQL
// NULL when the attribute is absent). p must be valid (config checked it).
func Condition(expr string, p *config.Predicate) (string, error) {
	d := data{Expr: expr, Op: p.Op, Sym: orderSyms[p.Op]}
	if p.Op == "in" {
		list, _ := p.Value.([]any)
		for _, x := range list {
			switch v := typed(x); {
			case v.num != "":
				d.Nums = append(d.Nums, v.num)
			case v.bool != "":
				d.Bools = append(d.Bools, v.bool)
			default:
				d.Texts = append(d.Texts, v.text)
			}
		}
	} else if p.Value != nil {
		v := typed(p.Value)
		d.Text, d.Num, d.Bool = v.text, v.num, v.bool
	}
	if d.Fold = !p.CaseSensitive; d.Fold {
		if p.Op != "matches" {
			d.Text = strings.ToLower(d.Text)
		}
		for i := range d.Texts {
			d.Texts[i] = strings.ToLower(d.Texts[i])
		}
	}
	q, err := sqlfiles.Render("predicate/condition.sql.tmpl", d)
	if err != nil {
		return "", fmt.Errorf("predicate %s %s: %w", p.Key, p.Op, err)
	}
	return q, nil
}

type typedValue struct{ text, num, bool string }

// typed splits a YAML scalar into text, a number literal, or a boolean.
func typed(x any) typedValue {
	switch v := x.(type) {
	case bool:
		return typedValue{bool: strconv.FormatBool(v)}
	case int:
		return typedValue{num: strconv.Itoa(v)}
	case int64:
		return typedValue{num: strconv.FormatInt(v, 10)}
	case uint64:
		return typedValue{num: strconv.FormatUint(v, 10)}
	case float64:
		return typedValue{num: strconv.FormatFloat(v, 'g', -1, 64)}
	case string:
		return typedValue{text: v}
	}
	return typedValue{text: fmt.Sprint(x)}
}

// EventAttribute is the SQL of an event's custom attribute key, as JSON
// (SQL NULL when the event lacks it), read from the events' `attributes`
// column.
func EventAttribute(key string) (string, error) {
	return sqlfiles.Render("predicate/event_attribute.sql.tmpl", map[string]string{"Pointer": Pointer(key)})
}

// Pointer is the JSON pointer of a top-level key (RFC 6901 escaping).
func Pointer(key string) string {
	return "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}

package audiences_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// jsonValues are the attribute values random stores draw from: every JSON
// type, numeric text, case variants and lists.
var jsonValues = []string{`"gold"`, `"Gold"`, `"silver"`, `5`, `"5"`, `12.5`, `"12.50"`, `-3`, `true`, `"true"`, `false`, `null`, `["a","gold"]`, `"a,gold"`, `"golden"`}

// randomStore returns statements filling a store with 150 random profiles
// (and a few stale mpids that are no longer profiles, and aliases): user and
// calculated attributes k1..k3 / c1, c2, identities, events e1..e3 over
// the 80 days before now with attributes amount and coupon.
func randomStore(r *rand.Rand, now time.Time) []string {
	const profiles = 150
	ts := func(d time.Duration) string {
		return "TIMESTAMPTZ '" + now.Add(-d).Format("2006-01-02 15:04:05Z07:00") + "'"
	}
	mpid := func() int { // mostly profiles, sometimes a stale one
		if r.IntN(20) == 0 {
			return 1000 + r.IntN(10)
		}
		return 1 + r.IntN(profiles)
	}
	out := []string{fmt.Sprintf(`INSERT INTO _mosaic.profiles (mpid, created_at, updated_at, last_seen_at) SELECT range, now(), now(), now() FROM range(1, %d)`, profiles+1),
		`INSERT INTO _mosaic.aliases (alias_mpid, mpid, merged_at, run_id) VALUES (1001, 3, now(), 1), (1002, 4, now(), 1)`}
	var rows, calcRows []string
	seen := map[string]bool{}
	for range 400 {
		m, key, calc := mpid(), fmt.Sprintf("k%d", 1+r.IntN(3)), false
		if r.IntN(4) == 0 {
			key, calc = fmt.Sprintf("c%d", 1+r.IntN(2)), true
		}
		id := fmt.Sprint(m, key)
		if seen[id] {
			continue
		}
		seen[id] = true
		value := jsonValues[r.IntN(len(jsonValues))]
		if calc { // calculated attribute c1 or c2: definition 1 or 2
			calcRows = append(calcRows, fmt.Sprintf("(%d, %s, '%s', now())", m, key[1:], value))
		} else {
			rows = append(rows, fmt.Sprintf("(%d, '%s', '%s', 'sdk', 'f', now())", m, key, value))
		}
	}
	out = append(out, `INSERT INTO _mosaic.attributes (mpid, key, value, source_type, feed, updated_at) VALUES `+strings.Join(rows, ", "),
		`INSERT INTO _mosaic.calc_state (name, definition, lower_at, upper_at, run_id, id) VALUES ('c1', '', now(), now(), 1, 1), ('c2', '', now(), now(), 1, 2)`,
		`INSERT INTO _mosaic.calc_values (mpid, attr, value, updated_at) VALUES `+strings.Join(calcRows, ", "))
	rows = rows[:0]
	var ids []string
	types := []string{"email", "customerid", "ios_idfa", "android_uuid"}
	for i := range 200 {
		ids = append(ids, fmt.Sprintf("(%d, '%s', 'v%d', %d)", i+1, types[r.IntN(len(types))], i, i))
		rows = append(rows, fmt.Sprintf("(%d, now(), now(), 'f', %d)", mpid(), i+1))
	}
	out = append(out, `INSERT INTO _mosaic.identity_dict (id, identity_type, identity_value, seed) VALUES `+strings.Join(ids, ", "),
		`INSERT INTO _mosaic.identities (mpid, first_seen_at, last_seen_at, feed, identity_id) VALUES `+strings.Join(rows, ", "))
	rows = rows[:0]
	for i := range 1500 {
		at := ts(time.Duration(r.IntN(80*24)) * time.Hour)
		amount := []string{`5`, `60`, `"75.5"`, `120`, `"x"`}[r.IntN(5)]
		coupon := []string{`true`, `false`, `"true"`}[r.IntN(3)]
		m := fmt.Sprint(mpid())
		if r.IntN(30) == 0 {
			m = "NULL"
		}
		rows = append(rows, fmt.Sprintf(`('e%d', %s, 'f', 'custom_event', 'e%d', %s, '{"amount": %s, "coupon": %s}', NULL, CAST(%s AS DATE), 1)`, i, m, 1+r.IntN(3), at, amount, coupon, at))
	}
	return append(out, `INSERT INTO _mosaic.events (event_id, mpid, feed, event_type, event_name, occurred_at, attributes, batch_id, occurred_day, run_id) VALUES `+strings.Join(rows, ", "))
}

// randomCriterion returns a random criteria tree of audience i (as YAML
// flow), whose audience leaves refer to earlier audiences only.
func randomCriterion(r *rand.Rand, i, depth int) string {
	if depth > 0 && r.IntN(3) > 0 {
		switch r.IntN(3) {
		case 0, 1:
			op := []string{"all", "any"}[r.IntN(2)]
			var kids []string
			for range 1 + r.IntN(3) {
				kids = append(kids, randomCriterion(r, i, depth-1))
			}
			return fmt.Sprintf("{ %s: [ %s ] }", op, strings.Join(kids, ", "))
		default:
			return fmt.Sprintf("{ not: %s }", randomCriterion(r, i, depth-1))
		}
	}
	switch k := r.IntN(12); {
	case k < 3:
		return fmt.Sprintf("{ attribute: %s }", randomPredicate(r, fmt.Sprintf("k%d", 1+r.IntN(3))))
	case k < 4:
		return fmt.Sprintf("{ calculated: %s }", randomPredicate(r, fmt.Sprintf("c%d", 1+r.IntN(2))))
	case k < 5:
		return fmt.Sprintf("{ identity: { type: %s } }", []string{"email", "customerid", "ios_idfa", "android_uuid"}[r.IntN(4)])
	case k < 6 && i > 0:
		return fmt.Sprintf("{ audience: a%d }", r.IntN(i))
	case k < 7:
		return fmt.Sprintf("{ sql: %q }", []string{"SELECT mpid FROM profiles WHERE mpid % 3 = 0", "SELECT 1001 AS mpid", "SELECT mpid FROM profile_attributes WHERE key = 'k1'"}[r.IntN(3)])
	default:
		return randomEvent(r)
	}
}

// randomEvent returns a random event leaf: window, count, last occurrence
// and where predicates on the events' attributes.
func randomEvent(r *rand.Rand) string {
	var parts []string
	parts = append(parts, fmt.Sprintf("name: e%d", 1+r.IntN(3)))
	last := false
	switch r.IntN(4) {
	case 0:
		parts = append(parts, fmt.Sprintf("within: %dd", 1+r.IntN(60)))
	case 1:
		from := 2 + r.IntN(60)
		parts = append(parts, fmt.Sprintf("between: { from: %dd, to: %dd }", from, r.IntN(from-1)+1))
	case 2:
		parts = append(parts, fmt.Sprintf("last_occurred: %dd", 1+r.IntN(40)))
		last = true
	}
	if !last && r.IntN(2) == 0 {
		var cmps []string
		for _, op := range r.Perm(6)[:1+r.IntN(2)] {
			cmps = append(cmps, fmt.Sprintf("%s: %d", []string{"eq", "ne", "gt", "gte", "lt", "lte"}[op], r.IntN(4)))
		}
		parts = append(parts, "count: { "+strings.Join(cmps, ", ")+" }")
	}
	if r.IntN(3) == 0 {
		w := []string{"{ key: amount, op: gt, value: 50 }", "{ key: coupon, op: eq, value: true }", "{ key: amount, op: exists }", "{ key: amount, op: eq, value: \"x\" }"}
		parts = append(parts, "where: ["+w[r.IntN(len(w))]+"]")
	}
	return "{ event: { " + strings.Join(parts, ", ") + " } }"
}

// randomPredicate returns a random valid predicate on key.
func randomPredicate(r *rand.Rand, key string) string {
	num := []string{"5", "12.5", "-3", "0"}[r.IntN(4)]
	str := []string{`"gold"`, `"5"`, `"silver"`, `"a"`}[r.IntN(4)]
	switch r.IntN(8) {
	case 0:
		return fmt.Sprintf("{ key: %s, op: %s, value: %s }", key, []string{"eq", "ne"}[r.IntN(2)], []string{num, str, "true", "false"}[r.IntN(4)])
	case 1, 2:
		return fmt.Sprintf("{ key: %s, op: %s, value: %s }", key, []string{"lt", "lte", "gt", "gte"}[r.IntN(4)], []string{num, str}[r.IntN(2)])
	case 3:
		return fmt.Sprintf("{ key: %s, op: in, value: [%s, %s, true] }", key, str, num)
	case 4:
		return fmt.Sprintf("{ key: %s, op: contains, value: %s }", key, str)
	case 5:
		return fmt.Sprintf("{ key: %s, op: starts_with, value: \"go\" }", key)
	case 6:
		return fmt.Sprintf("{ key: %s, op: matches, value: \"^[gs].l\" }", key)
	}
	return fmt.Sprintf("{ key: %s, op: exists }", key)
}

package audiences_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/predicate"
)

// TestSharedLeavesMatchPerLeaf: on random stores and random criteria
// (every leaf kind, nested all/any/not, audiences of audiences, the same
// leaf in several audiences, more leaves than one mask word holds), Run's
// members equal a straightforward evaluation: each leaf's set of mpids by
// its own query (event counts and last occurrences compared in Go), and
// all/any/not as set operations over the current profiles. Run twice: on
// the first evaluation (every audience new) and two days later, when
// members enter and exit.
func TestSharedLeavesMatchPerLeaf(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for seed := range uint64(6) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			s, err := engine.Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"), engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			tx, err := s.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			for _, q := range randomStore(r, now) {
				if _, err := tx.Exec(ctx, q); err != nil {
					t.Fatalf("%v\n%s", err, q)
				}
			}
			n := 12 + r.IntN(12)
			if seed == 0 {
				n = 40 // well past one 62-bit word of leaves
			}
			src := "version: 1\nname: p\nretention: { events: 90d }\nfeeds:\n  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }\n" +
				"calculated_attributes:\n  - { name: c1, calculation: count, event: e1 }\n  - { name: c2, calculation: count, event: e2 }\naudiences:\n"
			for i := range n {
				src += fmt.Sprintf("  - { name: a%d, criteria: %s }\n", i, randomCriterion(r, i, 3))
			}
			p, err := config.Parse("p.yaml", []byte(src))
			if err != nil {
				t.Fatalf("%v\n%s", err, src)
			}
			if err := audiences.Check(ctx, p); err != nil {
				t.Fatal(err)
			}
			// Two days earlier every audience is new (Level.First), then
			// the windows slide and members enter and exit (the delta).
			for run, at := range []time.Time{now.Add(-48 * time.Hour), now} {
				if _, err := audiences.Run(ctx, tx, p, int64(run+1), at); err != nil {
					t.Fatal(err)
				}
				o := oracle{t: t, tx: tx, now: at, done: map[string]map[int64]bool{}}
				o.profiles = o.set(`SELECT mpid FROM main.profiles`)
				for _, a := range p.Audiences { // the generator refers only to earlier audiences
					want := o.eval(&a.Criteria)
					got := o.set(`SELECT mpid FROM main.audience_members WHERE audience = $1`, a.Name)
					if diff := cmp.Diff(keys(want), keys(got)); diff != "" {
						t.Errorf("run %d, audience %s: %s\nmembers (-want +got):\n%s", run+1, a.Name, src[strings.Index(src, "name: "+a.Name+","):][:200], diff)
					}
					o.done[a.Name] = want
				}
			}
		})
	}
}

// oracle evaluates criteria leaf by leaf.
type oracle struct {
	t        *testing.T
	tx       *engine.Tx
	now      time.Time
	profiles map[int64]bool
	done     map[string]map[int64]bool
}

// rows runs q (its first column: mpid) and returns its rows.
func (o *oracle) rows(q string, args ...any) [][]*int64 {
	o.t.Helper()
	var text string
	err := o.tx.QueryRow(context.Background(), `SELECT coalesce(CAST(json_group_array(json_array(*COLUMNS(*))) AS VARCHAR), '[]') FROM (`+q+`)`, args...).Scan(&text)
	if err != nil {
		o.t.Fatalf("%v\n%s", err, q)
	}
	var out [][]*int64
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		o.t.Fatal(err)
	}
	return out
}

// set runs q and returns its mpids.
func (o *oracle) set(q string, args ...any) map[int64]bool {
	o.t.Helper()
	out := map[int64]bool{}
	for _, row := range o.rows(q, args...) {
		if row[0] != nil {
			out[*row[0]] = true
		}
	}
	return out
}

// eval returns the current profiles that meet c.
func (o *oracle) eval(c *config.Criterion) map[int64]bool {
	o.t.Helper()
	out := map[int64]bool{}
	keep := func(in func(int64) bool) map[int64]bool {
		for m := range o.profiles {
			if in(m) {
				out[m] = true
			}
		}
		return out
	}
	switch {
	case c.All != nil:
		sets := make([]map[int64]bool, len(c.All))
		for i := range c.All {
			sets[i] = o.eval(&c.All[i])
		}
		return keep(func(m int64) bool { return !slices.ContainsFunc(sets, func(s map[int64]bool) bool { return !s[m] }) })
	case c.Any != nil:
		sets := make([]map[int64]bool, len(c.Any))
		for i := range c.Any {
			sets[i] = o.eval(&c.Any[i])
		}
		return keep(func(m int64) bool { return slices.ContainsFunc(sets, func(s map[int64]bool) bool { return s[m] }) })
	case c.Not != nil:
		s := o.eval(c.Not)
		return keep(func(m int64) bool { return !s[m] })
	case c.Audience != "":
		s := o.done[c.Audience]
		return keep(func(m int64) bool { return s[m] })
	case c.Attribute != nil, c.Calc != nil:
		pr, calc := c.Attribute, "NOT calculated"
		if pr == nil {
			pr, calc = c.Calc, "calculated"
		}
		cond, err := predicate.Condition("value", pr)
		if err != nil {
			o.t.Fatal(err)
		}
		s := o.set(`SELECT mpid FROM main.profile_attributes WHERE key = $1 AND `+calc+` AND (`+cond+`)`, pr.Key)
		return keep(func(m int64) bool { return s[m] })
	case c.Identity != nil:
		s := o.set(`SELECT mpid FROM main.profile_identities WHERE identity_type = $1`, c.Identity.Type)
		return keep(func(m int64) bool { return s[m] })
	case c.SQL != "":
		s := o.set(`SELECT coalesce(al.mpid, q.mpid) FROM (` + audiences.UserQuery(c.SQL) + `) q LEFT JOIN main.profile_aliases al ON al.alias_mpid = q.mpid`)
		return keep(func(m int64) bool { return s[m] })
	case c.Event != nil:
		return keep(o.event(c.Event))
	}
	o.t.Fatal("empty criterion")
	return nil
}

// event returns an event leaf's test, from each profile's count and most
// recent time of the matching events.
func (o *oracle) event(e *config.EventPredicate) func(int64) bool {
	o.t.Helper()
	from, to, toIncl := time.Time{}, o.now, true
	switch {
	case e.Within != 0:
		from = o.now.Add(-time.Duration(e.Within))
	case e.Between != nil:
		from, to, toIncl = o.now.Add(-time.Duration(e.Between.From.Ago)), o.now.Add(-time.Duration(e.Between.To.Ago)), false
	}
	q := `SELECT mpid, count(*), epoch_us(max(occurred_at)) FROM main.events WHERE mpid IS NOT NULL AND event_name = $1 AND occurred_at >= $2 AND occurred_at ` +
		map[bool]string{true: "<=", false: "<"}[toIncl] + ` $3`
	for i := range e.Where {
		expr, err := predicate.EventAttribute(e.Where[i].Key)
		if err != nil {
			o.t.Fatal(err)
		}
		cond, err := predicate.Condition(expr, &e.Where[i])
		if err != nil {
			o.t.Fatal(err)
		}
		q += " AND (" + cond + ")"
	}
	counts, last := map[int64]float64{}, map[int64]time.Time{}
	for _, row := range o.rows(q+" GROUP BY mpid", e.Name, from, to) {
		counts[*row[0]], last[*row[0]] = float64(*row[1]), time.UnixMicro(*row[2])
	}
	return func(m int64) bool {
		if e.LastOccurred != 0 {
			return !last[m].IsZero() && !last[m].Before(o.now.Add(-time.Duration(e.LastOccurred)))
		}
		n, c := counts[m], e.Count
		if c == nil {
			return n >= 1
		}
		ok := func(v *float64, f func(float64) bool) bool { return v == nil || f(*v) }
		return ok(c.Eq, func(v float64) bool { return n == v }) && ok(c.Ne, func(v float64) bool { return n != v }) &&
			ok(c.Gt, func(v float64) bool { return n > v }) && ok(c.Gte, func(v float64) bool { return n >= v }) &&
			ok(c.Lt, func(v float64) bool { return n < v }) && ok(c.Lte, func(v float64) bool { return n <= v })
	}
}

func keys(s map[int64]bool) []int64 {
	out := make([]int64, 0, len(s))
	for m := range s {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

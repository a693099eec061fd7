package audiences

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/predicate"
)

// bitsPerWord is how many leaves one BIGINT word of a profile's leaf mask
// holds (bits 0..61: a positive BIGINT whatever is set).
const bitsPerWord = 62

// leaves collects the distinct leaves of one level's audiences, grouped by
// the table that decides them, for sql/audiences/leaves.sql.tmpl. Leaf
// number 0 is "is a current profile"; the others are numbered as they are
// first met, and the same leaf met twice keeps its first number.
type leaves struct {
	n     int            // leaves numbered so far, the profile bit included
	seen  map[string]int // a leaf's identity → its number
	attrs []bitCond      // attribute and calculated leaves (Cond on a row)
	keys  []string       // attribute keys they read
	ids   []bitCond      // identity leaves (Cond on a row)
	types []string       // identity types they read
	evs   []*eventGroup  // event leaves, one group per event name
	sets  []setLeaf      // audience and sql leaves

	p        *config.Pipeline
	stored   map[string]bool   // audiences a reference reads from the store
	inlining map[string]bool   // audiences being inlined (a guard against cycles)
	refs     map[string]string // an inlined audience → its condition's column or leaf
	derived  []derivedCol      // the inlined audiences' conditions, in order
}

// derivedCol is the column of members.sql.tmpl holding an inlined
// audience's condition, computed once however often it is referred to (a
// chain of references repeated as text would grow the SQL exponentially).
type derivedCol struct {
	Col, Cond, Name string
}

// bitCond is one leaf of a source: bit Bit of word Word is set on a row
// when Cond holds (always when Cond is empty).
type bitCond struct {
	Word      int
	Bit, Cond string
}

// setLeaf is a leaf given as a query returning mpids.
type setLeaf struct {
	query string
	bit   bitCond
}

func newLeaves(p *config.Pipeline, stored map[string]bool) *leaves {
	return &leaves{n: 1, seen: map[string]int{}, p: p, stored: stored, inlining: map[string]bool{}, refs: map[string]string{}}
}

// oneLeaf matches a condition that is one leaf's column.
var oneLeaf = regexp.MustCompile(`^l[0-9]+$`)

// inline compiles a reference to audience name as that audience's own
// criteria: a column of members.sql.tmpl (derived), or its leaf when the
// criteria are one leaf.
func (l *leaves) inline(name string) (string, error) {
	if c, ok := l.refs[name]; ok {
		return c, nil
	}
	i := slices.IndexFunc(l.p.Audiences, func(a config.Audience) bool { return a.Name == name })
	if i < 0 {
		return "", fmt.Errorf("unknown audience %q", name)
	}
	if l.inlining[name] {
		return "", fmt.Errorf("audience %q refers to itself through other audiences", name)
	}
	l.inlining[name] = true
	defer delete(l.inlining, name)
	cond, err := l.cond(&l.p.Audiences[i].Criteria)
	if err != nil {
		return "", err
	}
	if !oneLeaf.MatchString(cond) {
		d := derivedCol{Col: "a" + strconv.Itoa(len(l.derived)+1), Cond: cond, Name: name}
		l.derived = append(l.derived, d)
		cond = d.Col
	}
	l.refs[name] = cond
	return cond, nil
}

// number returns the number of the leaf identified by key, numbering it if
// it is new (added reports that).
func (l *leaves) number(key string) (n int, added bool) {
	if n, ok := l.seen[key]; ok {
		return n, false
	}
	n = l.n
	l.n++
	l.seen[key] = n
	return n, true
}

// col is the column of leaf n in members.sql.tmpl.
func col(n int) string { return "l" + strconv.Itoa(n) }

// bit is leaf n's place in the mask words.
func bit(n int, cond string) bitCond {
	return bitCond{Word: n / bitsPerWord, Bit: strconv.FormatInt(int64(1)<<(n%bitsPerWord), 10), Cond: cond}
}

// attribute adds an attribute or calculated leaf and returns its column.
func (l *leaves) attribute(p *config.Predicate, calculated bool) (string, error) {
	cond, err := condition("value", p)
	if err != nil {
		return "", err
	}
	row, err := render("audiences/attribute.sql.tmpl", map[string]any{"Key": p.Key, "Calculated": calculated, "Cond": cond})
	if err != nil {
		return "", err
	}
	n, added := l.number("attribute\x00" + row)
	if added {
		l.attrs = append(l.attrs, bit(n, row))
		l.keys = appendNew(l.keys, p.Key)
	}
	return col(n), nil
}

// identity adds an identity leaf and returns its column.
func (l *leaves) identity(c *config.IdentityCheck) (string, error) {
	t, _ := config.CanonicalIdentityType(c.Type)
	row, err := render("audiences/identity.sql.tmpl", map[string]string{"Type": t})
	if err != nil {
		return "", err
	}
	n, added := l.number("identity\x00" + row)
	if added {
		l.ids = append(l.ids, bit(n, row))
		l.types = appendNew(l.types, t)
	}
	return col(n), nil
}

// set adds a leaf given by a query returning mpids and returns its column.
func (l *leaves) set(query string) string {
	n, added := l.number("set\x00" + query)
	if added {
		l.sets = append(l.sets, setLeaf{query, bit(n, "")})
	}
	return col(n)
}

// condition is predicate.Condition without its trailing line break.
func condition(expr string, p *config.Predicate) (string, error) {
	c, err := predicate.Condition(expr, p)
	return strings.TrimRight(c, "\n"), err
}

// data is what sql/audiences/leaves.sql.tmpl renders.
func (l *leaves) data() (map[string]any, error) {
	words := l.words()
	byWord := func(bs []bitCond) [][]bitCond {
		out := make([][]bitCond, words)
		for _, b := range bs {
			out[b.Word] = append(out[b.Word], b)
		}
		return out
	}
	d := map[string]any{"Profile": byWord([]bitCond{bit(0, "")}), "Attributes": nil, "Identities": nil, "Bare": false}
	if len(l.attrs) > 0 {
		d["Attributes"] = map[string]any{"Keys": l.keys, "Cols": byWord(l.attrs)}
	}
	if len(l.ids) > 0 {
		d["Identities"] = map[string]any{"Types": l.types, "Cols": byWord(l.ids)}
	}
	for _, g := range l.evs {
		if g.open {
			g.From = nil
		}
		bits := make([]bitCond, len(g.leaves))
		for i, e := range g.leaves {
			if len(g.Filters) > 1 {
				e.test.Filter = g.Filters[e.filter]
			}
			test, err := render("audiences/having.sql.tmpl", e.test)
			if err != nil {
				return nil, err
			}
			bits[i] = bit(e.n, test)
		}
		g.Cols = byWord(bits)
	}
	d["Events"] = l.evs
	type set struct {
		Query string
		Cols  [][]bitCond
	}
	sets := make([]set, len(l.sets))
	for i, s := range l.sets {
		sets[i] = set{s.query, byWord([]bitCond{s.bit})}
	}
	d["Sets"] = sets
	return d, nil
}

// leafCol is a leaf's column for sql/audiences/members.sql.tmpl: bit Bit
// of word mWord.
type leafCol struct {
	Col, Bit string
	Word     int
}

// columns lists the leaf columns, in order.
func (l *leaves) columns() []leafCol {
	out := make([]leafCol, 0, l.n-1)
	for n := 1; n < l.n; n++ {
		b := bit(n, "")
		out = append(out, leafCol{Col: col(n), Word: b.Word, Bit: b.Bit})
	}
	return out
}

// words is how many mask words the leaves take.
func (l *leaves) words() int { return (l.n-1)/bitsPerWord + 1 }

// negate is the condition that c does not hold.
func negate(c string) (string, error) {
	return render("audiences/bool.sql.tmpl", map[string]any{"Op": "not", "Terms": []string{c}})
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

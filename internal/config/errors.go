package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Position is a place in a pipeline file. Line and Col are 1-based; zero
// means unknown.
type Position struct {
	File string
	Line int
	Col  int
}

func (p Position) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Error is one problem in a pipeline file, at a position.
type Error struct {
	Pos Position
	Msg string
	// NoData marks a source whose data has not arrived yet (a files feed
	// whose glob matches no file): `mosaic validate` and `mosaic check`
	// report it, a run warns and reads nothing from that feed.
	NoData bool
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Errors is every problem found in a pipeline file, in file order. It is
// returned whole so that a user fixes them all in one go.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// ErrInvalid is matched by errors.Is for every validation failure.
var ErrInvalid = errors.New("invalid pipeline file")

func (es Errors) Is(target error) bool { return target == ErrInvalid }
func (e *Error) Is(target error) bool  { return target == ErrInvalid }

func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].Pos, es[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return es
}

// suggest returns ", did you mean "x"?" when one candidate is close to got:
// at most 2 edits in 5 characters of the longer of the two, or else a
// candidate that got starts with or that starts with got ("mobile" for
// "mobile_number", "equals" for "eq").
func suggest(got string, candidates []string) string {
	best, bestD := "", 0
	for _, c := range candidates {
		d := editDistance(got, c)
		if d*5 <= 2*max(len(got), len(c)) && (best == "" || d < bestD) {
			best, bestD = c, d
		}
	}
	for _, c := range candidates {
		if best == "" && min(len(got), len(c)) >= 2 && (strings.HasPrefix(c, got) || strings.HasPrefix(got, c)) {
			best = c
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(", did you mean %q?", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

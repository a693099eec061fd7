package config

import (
	"fmt"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// Bound is one end of an event window: either a duration before the run's
// clock (`30d`: Ago) or a fixed time (`2026-01-01`, midnight UTC, or an RFC
// 3339 time: At). The zero Bound is unset.
type Bound struct {
	Ago Duration
	At  time.Time
}

// IsZero tells whether the bound is unset.
func (b Bound) IsZero() bool { return b.Ago == 0 && b.At.IsZero() }

func (b Bound) String() string {
	if b.Ago != 0 {
		return b.Ago.String()
	}
	if b.At.Equal(b.At.Truncate(24 * time.Hour)) {
		return b.At.UTC().Format(time.DateOnly)
	}
	return b.At.UTC().Format(time.RFC3339)
}

// Time is the bound's instant for a run whose clock is now.
func (b Bound) Time(now time.Time) time.Time {
	if b.Ago != 0 {
		return now.Add(-time.Duration(b.Ago))
	}
	return b.At
}

func (b *Bound) decodeNode(_ *decoder, node ast.Node, _ string) error {
	s, ok := scalarString(node)
	if !ok {
		return fmt.Errorf("expected a duration before the run (30d) or a date (2026-01-01), got %s", describe(node))
	}
	if d, err := ParseDuration(s); err == nil {
		b.Ago = d
		return nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			b.At = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("bad window bound %q: write a duration before the run (30d) or a date (2026-01-01) or time (2026-01-01T12:00:00Z)", s)
}

package config

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// Duration is a pipeline-file duration: a whole number and one unit,
// `90d`, `2w`, `12h`, `30m` or `45s`. Zero means not set.
type Duration time.Duration

var durationRE = regexp.MustCompile(`^([0-9]+)([wdhms])$`)

var durationUnits = map[string]time.Duration{
	"w": 7 * 24 * time.Hour, "d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second,
}

// maxDuration is the longest duration a pipeline file may hold.
const maxDuration = 36500 * 24 * time.Hour

// ParseDuration parses `90d`, `12h`, `30m`.
func ParseDuration(s string) (Duration, error) {
	m := durationRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("bad duration %q: write a whole number and one unit of w, d, h, m or s, like 90d or 12h", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 || n > 100*365 {
		return 0, fmt.Errorf("bad duration %q: the number must be between 1 and 36500", s)
	}
	unit := durationUnits[m[2]]
	if n > int64(maxDuration/unit) {
		return 0, fmt.Errorf("bad duration %q: at most 100 years (36500d)", s)
	}
	return Duration(time.Duration(n) * unit), nil
}

func (d Duration) String() string {
	td := time.Duration(d)
	for _, u := range []string{"w", "d", "h", "m"} {
		if td%durationUnits[u] == 0 {
			return strconv.FormatInt(int64(td/durationUnits[u]), 10) + u
		}
	}
	return strconv.FormatInt(int64(td/time.Second), 10) + "s"
}

func (d *Duration) decodeNode(_ *decoder, node ast.Node, _ string) error {
	s, ok := scalarString(node)
	if !ok {
		return fmt.Errorf("expected a duration like 90d, got %s", describe(node))
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

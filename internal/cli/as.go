package cli

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// protectionOverrides is `mosaic run --dry-run --as FEED=LEVEL`, repeated:
// feed name to protection level.
type protectionOverrides map[string]string

func (o protectionOverrides) String() string {
	var parts []string
	for _, f := range slices.Sorted(maps.Keys(o)) {
		parts = append(parts, f+"="+o[f])
	}
	return strings.Join(parts, ",")
}

func (o protectionOverrides) Set(v string) error {
	feed, level, ok := strings.Cut(v, "=")
	levels := []string{config.CreateUpdate, config.OnlyUpdate, config.OnlyRead}
	if !ok || feed == "" || !slices.Contains(levels, level) {
		return fmt.Errorf("write FEED=LEVEL, LEVEL one of %s", strings.Join(levels, ", "))
	}
	o[feed] = level
	return nil
}

// apply sets the overridden feeds' protection in p, or names a feed p
// does not have.
func (o protectionOverrides) apply(p *config.Pipeline) error {
	for feed, level := range o {
		i := slices.IndexFunc(p.Feeds, func(f config.Feed) bool { return f.Name == feed })
		if i < 0 {
			names := make([]string, len(p.Feeds))
			for j, f := range p.Feeds {
				names[j] = f.Name
			}
			return fmt.Errorf("--as %s=%s: pipeline %s has no feed %q (its feeds: %s)", feed, level, p.Name, feed, strings.Join(names, ", "))
		}
		p.Feeds[i].Protection = level
	}
	return nil
}

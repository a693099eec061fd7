package outputs

import (
	"fmt"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// refreshAfter asks o's destination, when it is a connectors.Refresher,
// how old a held record's delivery may get before it is sent again (0:
// never). Events outputs are never refreshed.
func (s *Syncer) refreshAfter(o *config.Output, p *config.Pipeline) (time.Duration, error) {
	if o.Send == config.SendEvents {
		return 0, nil
	}
	d, err := s.Registry.Destination(o.Kind)
	if err != nil {
		return 0, err
	}
	r, ok := d.(connectors.Refresher)
	if !ok {
		return 0, nil
	}
	after, err := r.RefreshAfter(connectors.OutputRequest{Output: *o, Resolve: p.Resolve})
	switch {
	case err != nil:
		return 0, err
	case after < 0:
		return 0, fmt.Errorf("destination %s asked to refresh records %s after their delivery: a refresh interval is positive, or 0 for never", o.Kind, after)
	case after > 0 && after < time.Second:
		return 0, fmt.Errorf("destination %s asked to refresh records %s after their delivery: the engine refreshes to the second", o.Kind, after)
	}
	return after, nil
}

package pipeline

import (
	"context"
	"fmt"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// CheckOwner refuses a store that belongs to another pipeline (engine's
// Store.Owner): a pipeline written from another's file, its name changed
// but its state: kept, would otherwise take over the other's profiles,
// empty its audiences and have its outputs remove their members.
// renameFrom names the store's pipeline when p is that pipeline renamed
// (`mosaic run --rename-from`); the run's success makes the store p's.
func CheckOwner(ctx context.Context, store *engine.Store, p *config.Pipeline, renameFrom string) error {
	o, ok, err := store.Owner(ctx)
	if err != nil || !ok || o.Pipeline == p.Name {
		return err
	}
	if renameFrom != "" && renameFrom == o.Pipeline {
		return nil
	}
	return &config.Error{Pos: p.Pos("name"), Msg: fmt.Sprintf(
		"the store %s belongs to pipeline %q (its last run, %d, succeeded at %s), not to %q: "+
			"a new pipeline needs a store of its own, so give it another state: (or run with --state PATH); "+
			"if %q is %q renamed, run it once with `mosaic run %s --rename-from %s`",
		store.Path(), o.Pipeline, o.Run, o.Finished.UTC().Format("2006-01-02 15:04 UTC"), p.Name,
		p.Name, o.Pipeline, p.File, o.Pipeline)}
}

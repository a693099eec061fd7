package schedule

import (
	"context"
	"log/slog"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// Pipelines is the production Runner: each run is one pipeline.Runner run,
// which opens the pipeline's store (failing fast with engine.ErrLocked when
// another run holds it), commits in one transaction and closes the store.
type Pipelines struct {
	Registry *connectors.Registry
	Log      *slog.Logger
	// MemoryLimit is DuckDB's memory limit for each store (pipeline.Runner).
	MemoryLimit string
}

// Run implements Runner.
func (r Pipelines) Run(ctx context.Context, p *config.Pipeline) (Outcome, error) {
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pr := &pipeline.Runner{Registry: r.Registry, Log: log.With("pipeline", p.Name), MemoryLimit: r.MemoryLimit}
	res, err := pr.Run(ctx, p, pipeline.Options{})
	var out Outcome
	if res != nil {
		out.RunID, out.Status = res.Run.ID, res.Run.Status
		for _, f := range res.Stats.Feeds {
			out.Rows += f.Read
		}
	}
	return out, err
}

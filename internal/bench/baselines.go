package bench

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// baselines measures the floor query and label propagation on the store
// the full rebuild wrote. Both only read the store (label propagation
// works in temporary tables).
func baselines(ctx context.Context, state string, opts Options, rep *Report, log *slog.Logger) error {
	store, err := engine.Open(ctx, state, engine.Options{Command: "mosaic bench", MemoryLimit: opts.MemoryLimit})
	if err != nil {
		return err
	}
	defer store.Close()
	conn := store.Conn()
	if err := conn.QueryRowContext(ctx, sqlfiles.Get("bench/identity_rows.sql")).Scan(&rep.IdentityRows); err != nil {
		return fmt.Errorf("bench: count identity rows: %w", err)
	}

	log.Info("floor query")
	start := time.Now()
	if err := conn.QueryRowContext(ctx, sqlfiles.Get("bench/floor.sql")).Scan(&rep.DistinctIdentities); err != nil {
		return fmt.Errorf("bench: floor query: %w", err)
	}
	rep.Floor = time.Since(start)

	log.Info("label propagation")
	start = time.Now()
	init, err := sqlfiles.File("bench/lp_init.sql", nil)
	if err != nil {
		return err
	}
	for _, s := range init {
		if _, err := conn.ExecContext(ctx, s.SQL); err != nil {
			return fmt.Errorf("bench: label propagation: %w", s.Wrap(err))
		}
	}
	step, err := sqlfiles.File("bench/lp_step.sql", nil)
	if err != nil {
		return err
	}
	for rep.LabelRounds = 1; ; rep.LabelRounds++ {
		var changed int64
		for _, s := range step {
			if s.Name == "changed" {
				err = conn.QueryRowContext(ctx, s.SQL).Scan(&changed)
			} else {
				_, err = conn.ExecContext(ctx, s.SQL)
			}
			if err != nil {
				return fmt.Errorf("bench: label propagation round %d: %w", rep.LabelRounds, s.Wrap(err))
			}
		}
		if _, err := conn.ExecContext(ctx, sqlfiles.Get("bench/lp_swap.sql")); err != nil {
			return fmt.Errorf("bench: label propagation round %d: %w", rep.LabelRounds, err)
		}
		log.Info("label propagation round", "round", rep.LabelRounds, "changed", changed)
		if changed == 0 {
			rep.LabelPropConverged = true
			break
		}
		if opts.MaxRounds > 0 && rep.LabelRounds >= opts.MaxRounds {
			break
		}
	}
	if err := conn.QueryRowContext(ctx, sqlfiles.Get("bench/lp_done.sql")).Scan(&rep.LabelComponents); err != nil {
		return fmt.Errorf("bench: label propagation: %w", err)
	}
	rep.LabelPropagation = time.Since(start)
	return nil
}

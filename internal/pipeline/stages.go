package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/attributes"
	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/calculated"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/events"
	"github.com/mosaic-cdp/mosaic/internal/forget"
	"github.com/mosaic-cdp/mosaic/internal/identity"
	"github.com/mosaic-cdp/mosaic/internal/profiledocs"
	"github.com/mosaic-cdp/mosaic/internal/retention"
	"github.com/mosaic-cdp/mosaic/internal/unseen"
)

// runState is what the stages after staging share: the run's
// transaction, pipeline, id and clock, and the result they fill in.
type runState struct {
	tx    *engine.Tx
	p     *config.Pipeline
	runID int64
	now   time.Time
	res   *Result
	log   *slog.Logger
	// id is the identity stage's figures, for the count of updated
	// profiles after the attribute stage.
	id identity.Stats
}

// stage is one stage of a run after staging. run records its own figures
// in the result's stats and returns the rows it handled (StageStats.Rows).
type stage struct {
	name string // as in runs.stats.stages and the progress line
	run  func(ctx context.Context, s *runState) (rows int64, err error)
}

// stages are the stages after staging, in the order a run runs them.
var stages = []stage{
	{"identity", func(ctx context.Context, s *runState) (int64, error) {
		if err := forget.DropBlocked(ctx, s.tx, s.p, s.runID); err != nil {
			return 0, err
		}
		id, err := identity.Run(ctx, s.tx, s.p, s.runID)
		if err != nil {
			return 0, err
		}
		s.id = id
		s.res.Stats.Profiles = ProfileStats{Created: id.Created, Merged: id.Merged, IdentitiesAdded: id.IdentitiesAdded, Largest: id.Largest,
			SharedValues: id.SharedValues, Shared: id.Shared}
		s.log.Info("identities resolved", "rows", id.Rows, "created", id.Created, "matched", id.Matched, "merged", id.Merged)
		return id.Rows, nil
	}},
	{"attributes", func(ctx context.Context, s *runState) (int64, error) {
		st, err := attributes.Run(ctx, s.tx, s.p, s.runID)
		s.res.Stats.Attributes = st
		if err != nil {
			return 0, err
		}
		// updated_at moves in both stages: the profiles it moved for are
		// known now.
		s.res.Stats.Profiles.Updated, err = identity.Updated(ctx, s.tx, s.id)
		return st.Written + st.Ignored, err
	}},
	{"events", func(ctx context.Context, s *runState) (int64, error) {
		return events.Run(ctx, s.tx, s.p, s.runID)
	}},
	{"calculated", func(ctx context.Context, s *runState) (int64, error) {
		st, err := calculated.Run(ctx, s.tx, s.p, s.runID, s.now)
		s.res.Stats.Calculated = st
		return st.Changed, err
	}},
	{"retention", func(ctx context.Context, s *runState) (int64, error) {
		st, err := retention.Run(ctx, s.tx, s.p.Retention, s.now)
		s.res.Stats.Retention = st
		return st.EventsDeleted + st.ProfilesDeleted + st.DroppedRowsDeleted, err
	}},
	{"audiences", func(ctx context.Context, s *runState) (int64, error) {
		aud, err := audiences.Run(ctx, s.tx, s.p, s.runID, s.now)
		if err != nil {
			return 0, err
		}
		s.res.Stats.Audiences, s.res.Stats.AudiencesRemoved = aud.Audiences, aud.Removed
		// The names the definitions use, checked once the store holds the
		// run's data: a misspelt one matches nothing, silently. A failed
		// statement fails the run: DuckDB aborts the transaction it ran in.
		if s.res.Stats.UnseenNames, err = unseen.Find(ctx, s.tx, s.p); err != nil {
			return 0, err
		}
		for _, w := range s.res.Stats.UnseenNames {
			s.log.Warn("a name matches no stored data", "where", w)
		}
		return int64(len(aud.Audiences)), nil
	}},
	{"profile_docs", func(ctx context.Context, s *runState) (int64, error) {
		st, err := profiledocs.Run(ctx, s.tx, s.p, s.runID, s.now)
		if profiledocs.Enabled(s.p) {
			s.res.Stats.ProfileDocs = &st
		}
		return st.Written, err
	}},
}

// runStages runs every stage in order, each timed (wall and CPU) into
// runs.stats.stages and announced to Progress as step first+i of total.
func (r *Runner) runStages(ctx context.Context, s *runState, first, total int) error {
	for i, st := range stages {
		r.progress(Step{Index: first + i, Total: total, Stage: st.name})
		start, cpu := time.Now(), cpuTime()
		rows, err := st.run(ctx, s)
		if err != nil {
			return err
		}
		ss := StageStats{Millis: time.Since(start).Milliseconds(), Rows: rows, CPUMillis: (cpuTime() - cpu).Milliseconds()}
		s.res.Stats.Stages[st.name] = ss
		s.log.Debug("stage done", "stage", st.name, "rows", rows, "ms", ss.Millis, "cpu_ms", ss.CPUMillis)
	}
	return nil
}

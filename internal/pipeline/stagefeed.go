package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// feedState is a feed's read state after staging, saved by the run's
// transaction.
type feedState struct {
	feed, watermark string
	state           json.RawMessage
}

// stageFeed stages feed i; a full refresh reads it from the start.
func (r *Runner) stageFeed(ctx context.Context, tx *engine.Tx, p *config.Pipeline, i int, runID int64, now time.Time, fullRefresh bool) (engine.FeedStats, json.RawMessage, error) {
	f := &p.Feeds[i]
	src, err := r.Registry.Source(f.Source.Kind)
	if err != nil {
		return engine.FeedStats{}, nil, err
	}
	var state json.RawMessage
	var watermark string
	if !fullRefresh {
		if state, watermark, err = tx.SourceState(ctx, f.Name); err != nil {
			return engine.FeedStats{}, nil, err
		}
	}
	stage := tx.StageFeed(p, i, runID, now)
	defer stage.Close(ctx)
	var warnings []string
	req := connectors.ReadRequest{
		ValidateRequest: validateRequest(p, i),
		Columns:         stage.Columns(),
		Cursor:          f.Cursor,
		Watermark:       watermark,
		State:           state,
		Cores:           r.Cores,
		Background:      r.Background,
		RawBatches:      connectors.RawBatches{All: engine.ForwardsEvents(p)},
		Judge:           engine.JudgeIdentity(p),
		Warn:            func(msg string) { warnings = append(warnings, msg) },
	}
	newState, err := src.Read(ctx, req, stage)
	if err != nil {
		return engine.FeedStats{}, nil, feedErr(f.Name, err)
	}
	st, err := stage.Finish(ctx, watermark)
	if err != nil {
		return st, nil, err
	}
	st.ReadPath = readPath(newState)
	st.Warnings = warnings
	return st, newState, nil
}

// readPath is the "path" a source's state names (the read path that ran,
// for sources with several: see connectors.Source), or "".
func readPath(state json.RawMessage) string {
	var s struct {
		Path string `json:"path"`
	}
	if json.Unmarshal(state, &s) != nil {
		return ""
	}
	return s.Path
}

// feedErr names the feed in a read's error once: sources and the stage
// name it in most of theirs (their messages serve `mosaic check` too),
// and the rest get it here.
func feedErr(feed string, err error) error {
	if strings.HasPrefix(err.Error(), "feed "+feed+": ") {
		return err
	}
	return fmt.Errorf("feed %s: %w", feed, err)
}

package bench

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/gen"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// segmentDefinitions are the 15 calculated attributes and 20 audiences the
// segments benchmark appends to the generated pipeline.
//
//go:embed segments.yaml
var segmentDefinitions string

// SegmentsReport holds the figures of MeasureSegments.
type SegmentsReport struct {
	Users int
	// Base is the run that built the store the segment runs start from
	// (zero when an existing one was reused).
	Base Run
	// Fresh computes every calculated attribute and audience from scratch
	// on a copy of the base store, at the data's anchor; NextDay runs a day
	// later on what Fresh committed, with no new data (windows slide).
	Fresh, NextDay Run
	Events         int64 // stored events
	Profiles       int64
}

// MeasureSegments measures the segments figure: the calculated-attribute and
// audience stages of the generated data set with segments.yaml appended.
// The generated data (shared with Measure, under Dir/users-N/parts/base)
// and a base store without segments (Dir/users-N/segments-base.duckdb,
// built unless it exists) are reused across invocations; each invocation
// copies the base store and runs `mosaic run` twice on the copy. Concurrent
// invocations on one data set take turns (lockData).
func MeasureSegments(ctx context.Context, opts Options) (*SegmentsReport, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	data := filepath.Join(opts.Dir, fmt.Sprintf("users-%d", opts.Users))
	unlock, err := lockData(ctx, data, log)
	if err != nil {
		return nil, err
	}
	defer unlock()
	pipelineFile, err := prepare(ctx, data, opts, log)
	if err != nil {
		return nil, err
	}
	events := filepath.Join(data, "parts", "base", "purchase_events.csv")
	if _, err := os.Stat(events); err != nil {
		if err := purchaseEvents(ctx, filepath.Join(data, "parts", "base", gen.PurchasesFile), events); err != nil {
			return nil, err
		}
	}
	src, err := os.ReadFile(pipelineFile)
	if err != nil {
		return nil, err
	}
	text := string(src)
	from := "path: parts/*/" + gen.PurchasesFile + ", format: csv }"
	if !strings.Contains(text, from) {
		return nil, fmt.Errorf("bench: the generated pipeline has no %q", from)
	}
	text = strings.Replace(text, from, "path: parts/base/purchase_events.csv, format: csv }\n    event_name: event\n    event_attributes: props", 1)
	// Only the base data: bench/identity.sh leaves its +1% delta beside it.
	text = strings.ReplaceAll(text, "path: parts/*/", "path: parts/base/")
	baseState, state := filepath.Join(data, "segments-base.duckdb"), filepath.Join(data, "segments.duckdb")
	basePipeline, segPipeline := filepath.Join(data, "segments-base.yaml"), filepath.Join(data, "segments.yaml")
	if err := os.WriteFile(basePipeline, []byte(withState(text, baseState)), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(segPipeline, []byte(withState(text, state)+"\n"+segmentDefinitions), 0o644); err != nil {
		return nil, err
	}
	rep := &SegmentsReport{Users: opts.Users}
	if _, err := os.Stat(baseState); err != nil {
		log.Info("building the base store", "users", opts.Users, "store", baseState)
		if rep.Base, err = runMosaic(ctx, opts.Mosaic, basePipeline, baseState, "--now", gen.Anchor.Format(time.RFC3339)); err != nil {
			os.Remove(baseState)
			os.Remove(baseState + ".wal")
			return nil, err
		}
	}
	for _, f := range []string{state, state + ".wal"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	if err := copyFile(baseState, state); err != nil {
		return nil, err
	}
	log.Info("segments from scratch")
	if rep.Fresh, err = runMosaic(ctx, opts.Mosaic, segPipeline, state, "--now", gen.Anchor.Format(time.RFC3339)); err != nil {
		return nil, err
	}
	log.Info("segments a day later")
	if rep.NextDay, err = runMosaic(ctx, opts.Mosaic, segPipeline, state, "--now", gen.Anchor.Add(24*time.Hour).Format(time.RFC3339)); err != nil {
		return nil, err
	}
	store, err := engine.Open(ctx, state, engine.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	if err := store.Conn().QueryRowContext(ctx, sqlfiles.Get("bench/segments_size.sql")).Scan(&rep.Events, &rep.Profiles); err != nil {
		return nil, fmt.Errorf("bench: count events and profiles: %w", err)
	}
	return rep, nil
}

// withState points a pipeline's `state:` at path.
func withState(text, path string) string {
	return strings.Replace(text, "state: ./mosaic.duckdb", "state: "+path, 1)
}

// purchaseEvents writes the purchases as events (sql/bench/purchase_events.sql.tmpl).
func purchaseEvents(ctx context.Context, from, to string) error {
	q, err := sqlfiles.Render("bench/purchase_events.sql.tmpl", map[string]string{"From": from, "To": to})
	if err != nil {
		return err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, q); err != nil {
		os.Remove(to)
		return fmt.Errorf("bench: write %s: %w", to, err)
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

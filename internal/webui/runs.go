package webui

import (
	"cmp"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

type runRow struct {
	ID                  int64
	Status, Error       string
	Started             time.Time
	Duration            time.Duration
	Read, Kept, Dropped int64
}

func (h *Handler) runs(w http.ResponseWriter, r *http.Request) {
	var list []runRow
	err := each(h.DB.QueryContext(r.Context(), stmt("webui/runs.sql", "list")))(func(rows *sql.Rows) error {
		var x runRow
		var finished sql.NullTime
		err := rows.Scan(&x.ID, &x.Status, &x.Started, &finished, &x.Read, &x.Kept, &x.Dropped, &x.Error)
		if finished.Valid {
			x.Duration = finished.Time.Sub(x.Started)
		}
		list = append(list, x)
		return err
	})
	if err != nil {
		h.fail(w, r, fmt.Errorf("read the runs: %w", err))
		return
	}
	h.page(w, r, http.StatusOK, "runs", "Runs", list)
}

type runPage struct {
	ID                int64
	Pipeline, Status  string
	Error             string
	Started, Finished time.Time
	Duration          time.Duration
	Stats             pipeline.Stats
	Stages            hbarChart
	Feeds             []feedRow
	Dropped           []dropReason
	FullRefresh       bool
}

type feedRow struct {
	Name                string
	Read, Kept, Dropped int64
}

type dropReason struct {
	Reason  string
	Count   int64
	Samples []dropSample
}

type dropSample struct {
	Feed, Row string
}

// stageOrder is the order a run runs its stages in (internal/pipeline).
var stageOrder = []string{"staging", "identity", "attributes", "events", "calculated", "retention", "audiences"}

func (h *Handler) run(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r, fmt.Sprintf("%q is not a run ID.", r.PathValue("id")))
		return
	}
	p := runPage{ID: id}
	var finished sql.NullTime
	var stats string
	err = h.DB.QueryRowContext(r.Context(), stmt("webui/runs.sql", "run"), id).Scan(&p.Pipeline, &p.Status, &p.Started, &finished, &p.Error, &stats)
	if errors.Is(err, sql.ErrNoRows) {
		h.notFound(w, r, fmt.Sprintf("There is no run %d.", id))
		return
	}
	if err != nil {
		h.fail(w, r, fmt.Errorf("read run %d: %w", id, err))
		return
	}
	if finished.Valid {
		p.Finished, p.Duration = finished.Time, finished.Time.Sub(p.Started)
	}
	if err := json.Unmarshal([]byte(stats), &p.Stats); err != nil {
		h.log().Warn("web view: run stats not read", "run", id, "err", err)
	}
	p.FullRefresh = p.Stats.FullRefresh
	p.Stages = stageChart(p.Stats.Stages)
	for name, f := range p.Stats.Feeds {
		p.Feeds = append(p.Feeds, feedRow{Name: name, Read: f.Read, Kept: f.Kept, Dropped: f.Dropped})
	}
	slices.SortFunc(p.Feeds, func(a, b feedRow) int { return cmp.Compare(h.feedPos(a.Name), h.feedPos(b.Name)) })
	samples := map[string][]dropSample{}
	err = each(h.DB.QueryContext(r.Context(), stmt("webui/runs.sql", "samples"), id))(func(rows *sql.Rows) error {
		var reason string
		var s dropSample
		var feed, row sql.NullString
		err := rows.Scan(&reason, &feed, &row)
		s.Feed, s.Row = feed.String, row.String
		samples[reason] = append(samples[reason], s)
		return err
	})
	if err != nil {
		h.fail(w, r, fmt.Errorf("read the dropped rows of run %d: %w", id, err))
		return
	}
	for reason, n := range p.Stats.DroppedByReason {
		p.Dropped = append(p.Dropped, dropReason{Reason: reason, Count: n, Samples: samples[reason]})
		delete(samples, reason)
	}
	for reason, s := range samples { // reasons the stats do not count
		p.Dropped = append(p.Dropped, dropReason{Reason: reason, Count: int64(len(s)), Samples: s})
	}
	slices.SortFunc(p.Dropped, func(a, b dropReason) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	h.page(w, r, http.StatusOK, "run", fmt.Sprintf("Run %d", id), p)
}

// feedPos is a feed's position in the pipeline file (feeds it no longer
// has go last).
func (h *Handler) feedPos(name string) int {
	if h.Pipeline != nil {
		for i, f := range h.Pipeline.Feeds {
			if f.Name == name {
				return i
			}
		}
	}
	return 1 << 30
}

// stageChart draws each stage's wall time, in the order a run runs them.
func stageChart(stages map[string]pipeline.StageStats) hbarChart {
	names := make([]string, 0, len(stages))
	for name := range stages {
		names = append(names, name)
	}
	pos := func(n string) int {
		if i := slices.Index(stageOrder, n); i >= 0 {
			return i
		}
		return len(stageOrder)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(pos(a), pos(b)), cmp.Compare(a, b)) })
	values := make([]int64, len(names))
	for i, n := range names {
		values[i] = stages[n].Millis
	}
	return newHBarChart(names, values, " ms")
}

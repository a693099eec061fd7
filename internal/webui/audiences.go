package webui

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/audiences"
)

type audienceRow struct {
	Name    string
	Members int64
	Changed time.Time
}

func (h *Handler) audienceNames() []string {
	var names []string
	if h.Pipeline != nil {
		for _, a := range h.Pipeline.Audiences {
			names = append(names, a.Name)
		}
	}
	return names
}

func (h *Handler) audiences(w http.ResponseWriter, r *http.Request) {
	var list []audienceRow
	err := each(h.DB.QueryContext(r.Context(), stmt("webui/audiences.sql", "list"), h.audienceNames()))(func(rows *sql.Rows) error {
		var a audienceRow
		var changed sql.NullTime
		err := rows.Scan(&a.Name, &a.Members, &changed)
		a.Changed = changed.Time
		list = append(list, a)
		return err
	})
	if err != nil {
		h.fail(w, r, fmt.Errorf("read the audiences: %w", err))
		return
	}
	h.page(w, r, http.StatusOK, "audiences", "Audiences", list)
}

type audiencePage struct {
	Name    string
	Size    int64
	Chart   vbarChart
	Runs    []audienceRun
	Changes []audienceChange
}

type audienceRun struct {
	Run     int64
	Started time.Time
	audiences.Stats
}

type audienceChange struct {
	Change string
	MPID   int64
	At     time.Time
	Run    int64
	HasRun bool
}

func (h *Handler) audience(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := audiencePage{Name: r.PathValue("name")}
	var known bool
	if err := h.DB.QueryRowContext(ctx, stmt("webui/audiences.sql", "known"), p.Name).Scan(&known); err != nil {
		h.fail(w, r, fmt.Errorf("read audience %q: %w", p.Name, err))
		return
	}
	for _, n := range h.audienceNames() {
		known = known || n == p.Name
	}
	if !known {
		h.notFound(w, r, fmt.Sprintf("There is no audience %q.", p.Name))
		return
	}
	if err := h.DB.QueryRowContext(ctx, stmt("webui/audiences.sql", "size"), p.Name).Scan(&p.Size); err != nil {
		h.fail(w, r, fmt.Errorf("read the size of audience %q: %w", p.Name, err))
		return
	}
	err := each(h.DB.QueryContext(ctx, stmt("webui/audiences.sql", "runs"), p.Name))(func(rows *sql.Rows) error {
		var a audienceRun
		var figures string
		if err := rows.Scan(&a.Run, &a.Started, &figures); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(figures), &a.Stats); err != nil {
			return fmt.Errorf("run %d: %w", a.Run, err)
		}
		p.Runs = append(p.Runs, a)
		return nil
	})
	if err != nil {
		h.fail(w, r, fmt.Errorf("read the runs of audience %q: %w", p.Name, err))
		return
	}
	labels, values, titles := make([]string, len(p.Runs)), make([]int64, len(p.Runs)), make([]string, len(p.Runs))
	for i, a := range p.Runs {
		labels[i] = "run " + strconv.FormatInt(a.Run, 10)
		values[i] = a.Size
		titles[i] = fmt.Sprintf("run %d: %s members (+%s, -%s)", a.Run, formatInt(a.Size), formatInt(a.Entered), formatInt(a.Exited))
	}
	p.Chart = newVBarChart(labels, values, titles)
	err = each(h.DB.QueryContext(ctx, stmt("webui/audiences.sql", "changes"), p.Name))(func(rows *sql.Rows) error {
		var c audienceChange
		var run sql.NullInt64
		err := rows.Scan(&c.Change, &c.MPID, &c.At, &run)
		c.Run, c.HasRun = run.Int64, run.Valid
		p.Changes = append(p.Changes, c)
		return err
	})
	if err != nil {
		h.fail(w, r, fmt.Errorf("read the changes of audience %q: %w", p.Name, err))
		return
	}
	// Newest runs first in the table; the chart reads oldest to newest.
	for i, j := 0, len(p.Runs)-1; i < j; i, j = i+1, j-1 {
		p.Runs[i], p.Runs[j] = p.Runs[j], p.Runs[i]
	}
	h.page(w, r, http.StatusOK, "audience", "Audience "+p.Name, p)
}

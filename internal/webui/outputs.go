package webui

import (
	"database/sql"
	"fmt"
	"net/http"
	"time"
)

type outputsPage struct {
	Outputs  []outputRow
	Failures []failureRow
}

type outputRow struct {
	Name, Status, Error                                       string
	Finished                                                  time.Time
	Run                                                       int64
	HasRun                                                    bool
	Added, Changed, Removed, Refreshed, Invalid, Failed, Held int64
}

type failureRow struct {
	Output, Key, Operation, Error string
	Sync, Run                     int64
	Attempts                      int64
}

func (h *Handler) outputs(w http.ResponseWriter, r *http.Request) {
	var names []string
	if h.Pipeline != nil {
		for _, o := range h.Pipeline.Outputs {
			names = append(names, o.Name)
		}
	}
	var p outputsPage
	err := each(h.DB.QueryContext(r.Context(), stmt("webui/outputs.sql", "list"), names))(func(rows *sql.Rows) error {
		var o outputRow
		var finished sql.NullTime
		var run sql.NullInt64
		err := rows.Scan(&o.Name, &o.Status, &finished, &run, &o.Added, &o.Changed, &o.Removed, &o.Refreshed, &o.Invalid, &o.Failed, &o.Held, &o.Error)
		o.Finished, o.Run, o.HasRun = finished.Time, run.Int64, run.Valid
		p.Outputs = append(p.Outputs, o)
		return err
	})
	if err != nil {
		h.fail(w, r, fmt.Errorf("read the outputs: %w", err))
		return
	}
	err = each(h.DB.QueryContext(r.Context(), stmt("webui/outputs.sql", "failures")))(func(rows *sql.Rows) error {
		var f failureRow
		err := rows.Scan(&f.Output, &f.Sync, &f.Run, &f.Key, &f.Operation, &f.Attempts, &f.Error)
		p.Failures = append(p.Failures, f)
		return err
	})
	if err != nil {
		h.fail(w, r, fmt.Errorf("read the output failures: %w", err))
		return
	}
	h.page(w, r, http.StatusOK, "outputs", "Outputs", p)
}

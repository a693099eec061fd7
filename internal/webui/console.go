package webui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

const (
	consoleTimeout = 10 * time.Second
	consoleRows    = 1000
	consoleMaxText = 64 << 10
)

type consolePage struct {
	Query   string
	Views   []string
	Ran     bool
	Refused string
	Error   string
	Columns []string
	Rows    [][]cell
	More    bool
	Took    time.Duration
}

// cell is one value of a result: Null marks SQL NULL.
type cell struct {
	Text string
	Null bool
}

// console is the SQL console: GET shows the form (with ?q= filled in),
// POST runs the query.
func (h *Handler) console(w http.ResponseWriter, r *http.Request) {
	p := consolePage{Query: r.URL.Query().Get("q")}
	a, err := loadAllowed(r.Context(), h.DB)
	if err != nil {
		h.fail(w, r, fmt.Errorf("the console's views and functions: %w", err))
		return
	}
	for v := range a.views {
		p.Views = append(p.Views, v)
	}
	slices.Sort(p.Views)
	status := http.StatusOK
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, consoleMaxText+4096)
		if err := r.ParseForm(); err != nil {
			h.page(w, r, http.StatusBadRequest, "sql", "SQL", consolePage{Refused: "The form could not be read (a query is at most 64 KB)."})
			return
		}
		p.Query = r.PostForm.Get("q")
		if strings.TrimSpace(p.Query) != "" {
			p.Ran = true
			status = h.runConsole(r.Context(), &p, a)
		}
	}
	if p.Query == "" {
		p.Query = "SELECT identity_type, count(*) AS identities\nFROM profile_identities\nGROUP BY ALL\nORDER BY identities DESC"
	}
	h.page(w, r, status, "sql", "SQL", p)
}

// runConsole checks and runs p.Query, filling in its result or why not,
// and returns the page's status.
func (h *Handler) runConsole(ctx context.Context, p *consolePage, a allowed) int {
	timeout := h.queryTimeout
	if timeout == 0 {
		timeout = consoleTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := checkSQL(ctx, h.DB, p.Query, a); err != nil {
		if errors.Is(err, ErrRefused) {
			p.Refused = strings.TrimPrefix(err.Error(), ErrRefused.Error()+": ")
			return http.StatusBadRequest
		}
		p.Error = err.Error()
		return http.StatusInternalServerError
	}
	start := time.Now()
	err := h.query(ctx, p)
	p.Took = time.Since(start)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		p.Error = fmt.Sprintf("The query was stopped after %s: narrow it down (a WHERE, a LIMIT).", timeout)
		p.Rows, p.More = nil, false
		return http.StatusBadRequest
	case err != nil:
		p.Error = err.Error()
		return http.StatusBadRequest
	}
	h.log().Info("web view: console query", "rows", len(p.Rows), "more", p.More, "took", p.Took)
	return http.StatusOK
}

// query runs p.Query and keeps its first consoleRows rows.
func (h *Handler) query(ctx context.Context, p *consolePage) error {
	rows, err := h.DB.QueryContext(ctx, p.Query)
	if err != nil {
		return fmt.Errorf("the query failed: %w", err)
	}
	defer rows.Close()
	if p.Columns, err = rows.Columns(); err != nil {
		return fmt.Errorf("the query's columns: %w", err)
	}
	values := make([]any, len(p.Columns))
	ptrs := make([]any, len(values))
	for i := range values {
		ptrs[i] = &values[i]
	}
	for rows.Next() {
		if len(p.Rows) == consoleRows {
			p.More = true
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read a row: %w", err)
		}
		row := make([]cell, len(values))
		for i, v := range values {
			row[i] = formatValue(v)
		}
		p.Rows = append(p.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("the query failed: %w", err)
	}
	return nil
}

// formatValue writes one result value as text: times in UTC, lists,
// structs, maps and JSON as JSON.
func formatValue(v any) cell {
	switch v := v.(type) {
	case nil:
		return cell{Text: "NULL", Null: true}
	case string:
		return cell{Text: v}
	case []byte:
		return cell{Text: fmt.Sprintf("%x", v)}
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
			return cell{Text: v.UTC().Format("2006-01-02 15:04:05")}
		}
		return cell{Text: v.UTC().Format("2006-01-02 15:04:05.999999")}
	case []any, map[string]any:
		b, err := json.Marshal(v)
		if err != nil {
			return cell{Text: fmt.Sprint(v)}
		}
		return cell{Text: string(b)}
	}
	return cell{Text: fmt.Sprint(v)}
}

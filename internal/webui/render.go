package webui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds one template set per page: the base layout with that page's
// "content".
var pages = func() map[string]*template.Template {
	funcs := template.FuncMap{
		"time":     formatTime,
		"duration": formatDuration,
		"num":      formatInt,
		"lower":    strings.ToLower,
	}
	names, err := templateFS.ReadDir("templates")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, e := range names {
		name := strings.TrimSuffix(e.Name(), ".html")
		if name == "base" || name == "charts" {
			continue
		}
		out[name] = template.Must(template.New("base.html").Funcs(funcs).ParseFS(templateFS, "templates/base.html", "templates/charts.html", "templates/"+e.Name()))
	}
	return out
}()

// layout is what the base template gets: the page's own data in Data.
type layout struct {
	Title       string
	Pipeline    string
	Nav         string // the nav entry to highlight
	LoggedIn    bool
	ShowOutputs bool
	Data        any
}

// navOf is the nav entry of each page.
var navOf = map[string]string{
	"search": "profiles", "profile": "profiles", "audiences": "audiences", "audience": "audiences",
	"runs": "runs", "run": "runs", "outputs": "outputs", "sql": "sql",
}

// page renders the page named name with data, inside the base layout.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t, ok := pages[name]
	if !ok {
		panic("webui: no template " + name)
	}
	l := layout{Title: title, Nav: navOf[name], Data: data, LoggedIn: name != "login" && h.live(r)}
	if h.Pipeline != nil {
		l.Pipeline = h.Pipeline.Name
	}
	if l.LoggedIn {
		l.ShowOutputs = h.showOutputs(r)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, l); err != nil {
		h.log().Error("web view: render failed", "page", name, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// showOutputs reports whether the nav links the outputs page: the
// pipeline has outputs, or some output has synced.
func (h *Handler) showOutputs(r *http.Request) bool {
	if h.Pipeline != nil && len(h.Pipeline.Outputs) > 0 {
		return true
	}
	var synced bool
	if err := h.DB.QueryRowContext(r.Context(), stmt("webui/outputs.sql", "any")).Scan(&synced); err != nil {
		h.log().Warn("web view: output syncs not read", "err", err)
		return false
	}
	return synced
}

var (
	stmtMu sync.Mutex
	stmts  = map[string]string{}
)

// stmt returns the statement called name in the SQL file file. A missing
// one is a programming error and panics.
func stmt(file, name string) string {
	stmtMu.Lock()
	defer stmtMu.Unlock()
	key := file + "#" + name
	if s, ok := stmts[key]; ok {
		return s
	}
	all, err := sqlfiles.File(file, nil)
	if err != nil {
		panic(err)
	}
	for _, s := range all {
		if s.Name == name {
			stmts[key] = s.SQL
			return s.SQL
		}
	}
	panic(fmt.Sprintf("webui: no statement %s in %s", name, file))
}

func formatTime(t any) string {
	switch t := t.(type) {
	case time.Time:
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05")
	case *time.Time:
		if t == nil {
			return "—"
		}
		return formatTime(*t)
	}
	return fmt.Sprint(t)
}

func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// formatInt writes n with thin thousands separators.
func formatInt(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

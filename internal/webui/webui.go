// Package webui is the User Activity web view of `mosaic serve`: server-
// rendered HTML pages under /ui/ to look up a profile (its identities,
// attributes, audiences, aliases and latest events), the audiences and
// their sizes per run, the run history with each run's stages and dropped
// rows, the outputs' syncs, and a read-only SQL console over the public
// views. Charts are inline SVG drawn on the server; the pages carry no
// JavaScript.
//
// # Use
//
// Build a Handler with every field set, then call Register once with the
// server's mux before serving; the handler holds no state of its own and
// serves requests concurrently:
//
//	h := &webui.Handler{DB: store.Readers(4), Pipeline: p, Sessions: tokens, Log: log}
//	h.Register(mux)
//
// DB must read the store as last committed (engine.Store.Readers), so a
// page never sees a run's half-written transaction.
//
// # Sessions and CSRF
//
// A user logs in at /ui/login with the Profile API's OAuth client id and
// secret (Sessions.CheckFrom); the page then sets the cookie mosaic_session
// (HttpOnly, SameSite=Strict, Path /ui/, Secure under TLS) to a token from
// Sessions.Issue. Every other page answers a request without a live token
// with a redirect to /ui/login. A session token is an ordinary Profile API
// token and lives as long, unless the user logs out: POST /ui/logout
// revokes the cookie's token (Sessions.Revoke), for the web view and the
// Profile API alike, and clears the cookie, so a copy of the cookie taken
// before the logout is refused as well.
//
// Forms that change something or run SQL are POSTs (login, logout, the SQL
// console). They are protected against cross-site request forgery twice:
// the SameSite=Strict cookie is never sent with a request another site
// starts, and a POST whose Origin header (or, without one, Referer) does
// not name the request's own host is refused with 403, as is a POST with
// neither header. Pages are served with a Content-Security-Policy that
// allows no script and no framing.
//
// # The SQL console
//
// /ui/sql runs one SELECT over the public views (those the migrations
// create in main) and the table functions range, generate_series and
// unnest; anything else (files, private tables, other statements) is
// refused before it runs: see sqlcheck.go. A query runs at most 10 s and
// shows at most 1,000 rows.
package webui

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Sessions checks the login's credentials and issues and checks session
// tokens (*profileapi.Tokens).
type Sessions interface {
	// CheckFrom checks credentials (in constant time) from a request's
	// remote address; wait > 0 refuses them unchecked, for that long:
	// the address sent too many wrong ones.
	CheckFrom(addr, id, secret string) (ok bool, wait time.Duration)
	Issue() string
	Live(token string) bool
	// Revoke ends a token before its expiry: Live is false from then on.
	Revoke(token string)
}

// Handler serves the web view. Set every field before Register.
type Handler struct {
	DB       *sql.DB          // reading connections: the store as last committed
	Pipeline *config.Pipeline // its identity rules, outputs, name
	Sessions Sessions
	Log      *slog.Logger

	// queryTimeout bounds a console query; zero means consoleTimeout.
	queryTimeout time.Duration
}

// cookieName is the session cookie.
const cookieName = "mosaic_session"

// Register adds the web view's routes, all under /ui/, to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /ui/login", h.loginForm)
	mux.HandleFunc("POST /ui/login", h.sameOrigin(h.login))
	mux.HandleFunc("POST /ui/logout", h.sameOrigin(h.logout))
	mux.HandleFunc("GET /ui", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ui/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /ui/{$}", h.authed(h.search))
	mux.HandleFunc("GET /ui/profiles/{mpid}", h.authed(h.profile))
	mux.HandleFunc("GET /ui/audiences", h.authed(h.audiences))
	mux.HandleFunc("GET /ui/audiences/{name}", h.authed(h.audience))
	mux.HandleFunc("GET /ui/runs", h.authed(h.runs))
	mux.HandleFunc("GET /ui/runs/{id}", h.authed(h.run))
	mux.HandleFunc("GET /ui/outputs", h.authed(h.outputs))
	mux.HandleFunc("GET /ui/sql", h.authed(h.console))
	mux.HandleFunc("POST /ui/sql", h.sameOrigin(h.authed(h.console)))
	mux.HandleFunc("/ui/", h.authed(func(w http.ResponseWriter, r *http.Request) {
		h.notFound(w, r, "There is no page at "+r.URL.Path+".")
	}))
}

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}

// authed lets through requests with a live session, and sends the others
// to the login page.
func (h *Handler) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.live(r) {
			http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
			return
		}
		next(w, r)
	}
}

// live reports whether r carries a live session.
func (h *Handler) live(r *http.Request) bool {
	c, err := r.Cookie(cookieName)
	return err == nil && h.Sessions.Live(c.Value)
}

// sameOrigin refuses a POST that another site may have started: its
// Origin (or, without one, its Referer) must name the request's own host.
func (h *Handler) sameOrigin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		from := r.Header.Get("Origin")
		if from == "" || from == "null" {
			from = r.Header.Get("Referer")
		}
		u, err := url.Parse(from)
		if from == "" || err != nil || u.Host != r.Host {
			h.log().Warn("web view: cross-origin form refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"), "referer", r.Header.Get("Referer"), "host", r.Host)
			h.page(w, r, http.StatusForbidden, "error", "Refused", errorPage{Message: "This form was not sent from this site's own pages (its Origin or Referer names another host), so it was refused."})
			return
		}
		next(w, r)
	}
}

type loginPage struct {
	Message string
	ID      string
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if h.live(r) {
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
		return
	}
	h.page(w, r, http.StatusOK, "login", "Log in", loginPage{})
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.page(w, r, http.StatusBadRequest, "login", "Log in", loginPage{Message: "The form could not be read."})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	ok, wait := h.Sessions.CheckFrom(r.RemoteAddr, id, secret)
	if wait > 0 {
		h.log().Warn("web view: login refused, too many wrong ones", "remote", r.RemoteAddr)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		h.page(w, r, http.StatusTooManyRequests, "login", "Log in", loginPage{Message: "Too many wrong logins from this address: try again in a minute.", ID: id})
		return
	}
	if !ok {
		h.log().Warn("web view: login refused", "remote", r.RemoteAddr)
		h.page(w, r, http.StatusUnauthorized, "login", "Log in", loginPage{Message: "Unknown client id or wrong secret.", ID: id})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: h.Sessions.Issue(), Path: "/ui/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	http.Redirect(w, r, "/ui/", http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		h.Sessions.Revoke(c.Value)
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: "", Path: "/ui/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}

type errorPage struct {
	Message string
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	h.page(w, r, http.StatusNotFound, "error", "Not found", errorPage{Message: msg})
}

// fail answers a failed query: logged, and a 500 page that says what
// failed (a cancelled request gets no page).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(r.Context().Err(), context.Canceled) {
		return
	}
	h.log().Error("web view: page failed", "path", r.URL.Path, "err", err)
	h.page(w, r, http.StatusInternalServerError, "error", "Error", errorPage{Message: fmt.Sprintf("The page could not be built: %v", err)})
}

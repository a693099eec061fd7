// Package server is `mosaic serve`: one process that holds a pipeline's
// store (its single DuckDB writer), runs the pipeline on its schedule, and
// serves HTTP: the Events API (package ingest), the Profile API (package
// profileapi), the User Activity web view (package webui), erasure
// requests (package erasure), the read commands' queries (package
// remote), /metrics, /healthz and /readyz. Runs and erasures write the
// store in turn, never at once (Server.lockWriter).
//
// Call order: New checks the configuration and reads the credentials from
// the environment; Run listens, opens the store and the landing logs,
// serves until ctx ends, then shuts down: it stops taking requests, lets
// a running run finish within the grace period (or cancels it: it rolls
// back), seals the landing logs and closes the store.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/erasure"
	"github.com/mosaic-cdp/mosaic/internal/forget"
	"github.com/mosaic-cdp/mosaic/internal/ingest"
	"github.com/mosaic-cdp/mosaic/internal/landing"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
	"github.com/mosaic-cdp/mosaic/internal/profileapi"
	"github.com/mosaic-cdp/mosaic/internal/profiledocs"
	"github.com/mosaic-cdp/mosaic/internal/remote"
	"github.com/mosaic-cdp/mosaic/internal/webui"
)

// readers is how many connections read the store for HTTP requests.
const readers = 4

// Options are the server's settings beside the pipeline file's.
type Options struct {
	// Addr overrides serve.addr ("127.0.0.1:0" picks a free port).
	Addr string
	// Grace is how long a running run may take to finish at shutdown.
	Grace time.Duration
	// RunNow runs the pipeline once at start.
	RunNow      bool
	MemoryLimit string
	Log         *slog.Logger
	// Ready, when set, is called with the address once the server
	// answers requests.
	Ready func(addr string)
	// Progress, when set, is told each step of a run as it starts
	// (pipeline.Runner.Progress).
	Progress func(pipeline.Step)
	// RunCores bounds the cores a run keeps busy (pipeline.Runner.Cores),
	// so that requests find one free; 0 means all but one (at least one).
	RunCores int
}

// cores is the number of Go processors the process started with: one
// per core, or per CPU of a container's limit, or GOMAXPROCS when set
// (read before Procs raises it).
var cores = runtime.GOMAXPROCS(0)

// RunCores is the number of cores a run keeps busy under Options.RunCores
// n: n, or for 0 all but one (at least one).
func RunCores(n int) int {
	if n > 0 {
		return n
	}
	return max(1, cores-1)
}

// Procs is the number of Go processors (GOMAXPROCS) a server wants when
// runs keep runCores cores busy (Options.RunCores): one per core, plus one
// for each goroutine a run locks to a lowered thread (its own and its
// batch decoders'). Such a thread keeps its processor while the system
// makes it wait for a core, so with one processor per core a request can
// find none free until the Go scheduler preempts the run, about 10 ms
// later; with these extra ones it always finds one, and its thread, at
// normal priority, gets a core ahead of the run's.
func Procs(runCores int) int { return cores + 1 + RunCores(runCores) }

// Server is one `mosaic serve`.
type Server struct {
	p        *config.Pipeline
	registry *connectors.Registry
	opts     Options
	log      *slog.Logger
	feeds    []feedCreds
	profile  *config.ProfileAPI // nil: the Profile API is off
	// profileAPI serves it, once registered; runs drop its cache.
	profileAPI *profileapi.Handler
	clientID   string
	secret     string
	metrics    *metrics
	runNow     chan time.Time
	ready      atomic.Bool
	// writer is held by whatever writes through the store's connection:
	// a run, or an erasure (erasure.Service), never both.
	writer chan struct{}
	// erasures carries out erasure requests, once registered.
	erasures *erasure.Service
}

type feedCreds struct{ name, key, secret string }

// RunNow asks for a run as soon as none is running (a run already
// asked for and not started yet counts once).
func (s *Server) RunNow() {
	select {
	case s.runNow <- time.Now():
	default:
	}
}

// Run serves until ctx ends; see the package documentation.
func (s *Server) Run(ctx context.Context) error {
	addr := s.opts.Addr
	if addr == "" {
		addr = s.p.Serve.Addr
	}
	if addr == "" {
		addr = config.DefaultServeAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server on it? set serve.addr or --addr)", addr, err)
	}
	defer ln.Close()
	store, err := engine.Open(ctx, s.p.State, engine.Options{Command: "mosaic serve " + s.p.Name, Addr: ln.Addr().String(), Logger: s.log, MemoryLimit: s.opts.MemoryLimit})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := pipeline.CheckOwner(ctx, store, s.p, ""); err != nil {
		return err
	}
	token, removeToken, err := remote.WriteToken(s.p.State)
	if err != nil {
		return err
	}
	defer removeToken()
	logs, err := s.openLogs()
	defer closeLogs(logs, s.log)
	if err != nil {
		return err
	}

	// The Profile API reads documents the runs keep; a store whose last
	// run kept none gets them now.
	start := time.Now()
	if wrote, err := profiledocs.Ensure(ctx, store, s.p); err != nil {
		return err
	} else if wrote {
		s.log.Info("profile documents written", "ms", time.Since(start).Milliseconds())
	}
	mux := http.NewServeMux()
	if err := s.routes(ctx, mux, store, logs); err != nil {
		return err
	}
	(&remote.Handler{DB: store.Readers(readers), Token: token}).Register(mux)
	srv := &http.Server{Handler: s.metrics.instrument(mux), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.ready.Store(true)
	s.log.Info("serving", "addr", ln.Addr().String(), "pipeline", s.p.Name, "store", s.p.State, "events_api_feeds", len(s.feeds), "profile_api", s.profile != nil, "runs_on", s.runsOn(), "procs", runtime.GOMAXPROCS(0))
	if s.opts.Ready != nil {
		s.opts.Ready(ln.Addr().String())
	}

	// The scheduler stops with ctx, or when the HTTP server fails.
	schedCtx, stopSched := context.WithCancel(ctx)
	defer stopSched()
	var wg sync.WaitGroup
	schedErr := make(chan error, 1)
	wg.Go(func() { schedErr <- s.schedule(schedCtx, store, logs) })
	if s.erasures != nil {
		wg.Go(func() { s.erasures.Work(schedCtx) })
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
		stopSched()
	}
	s.ready.Store(false)
	s.log.Info("stopping: no new requests")
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), max(s.opts.Grace, 5*time.Second))
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		s.log.Warn("requests still open at shutdown were cut", "err", err)
	}
	wg.Wait()
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", serveErr)
	}
	return <-schedErr
}

// openLogs opens the landing log of every events_api feed.
func (s *Server) openLogs() (map[string]*landing.Log, error) {
	logs := map[string]*landing.Log{}
	for _, f := range s.feeds {
		l, err := landing.Open(landing.Dir(s.p.State, f.name), landing.Options{Logger: s.log.With("feed", f.name)})
		if err != nil {
			return logs, fmt.Errorf("feed %s: %w", f.name, err)
		}
		logs[f.name] = l
	}
	return logs, nil
}

func closeLogs(logs map[string]*landing.Log, log *slog.Logger) {
	for name, l := range logs {
		if err := l.Close(); err != nil {
			log.Error("closing a landing log failed", "feed", name, "err", err)
		}
	}
}

func (s *Server) routes(ctx context.Context, mux *http.ServeMux, store *engine.Store, logs map[string]*landing.Log) error {
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !s.ready.Load() {
			http.Error(w, "stopping", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	if len(s.feeds) > 0 {
		feeds := make([]ingest.Feed, len(s.feeds))
		for i, f := range s.feeds {
			feeds[i] = ingest.Feed{Name: f.name, Key: f.key, Secret: f.secret, Log: logs[f.name]}
		}
		ingest.New(feeds, s.log).Register(mux)
		s.metrics.landing(logs)
	}
	if s.profile != nil {
		ttl := time.Duration(s.profile.TokenTTL)
		if ttl == 0 {
			ttl = config.DefaultTokenTTL
		}
		tokens := &profileapi.Tokens{ClientID: s.clientID, ClientSecret: s.secret, TTL: ttl}
		h, err := profileapi.New(ctx, store.Readers(readers), tokens, s.p.Identity, s.profile.ResolveTypes(), s.log)
		if err != nil {
			return err
		}
		h.Register(mux)
		s.profileAPI = h
		s.metrics.profileCache(h)
		// The User Activity web view: its login takes the same client.
		(&webui.Handler{DB: store.Readers(readers), Pipeline: s.p, Sessions: tokens, Log: s.log}).Register(mux)
		mux.Handle("GET /{$}", http.RedirectHandler("/ui/", http.StatusFound))
		// An operator with the API's client may ask for a run now.
		mux.HandleFunc("POST /v1/runs", h.Authorized(func(w http.ResponseWriter, r *http.Request) {
			s.RunNow()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
			w.Write([]byte(`{"run":"requested"}` + "\n"))
		}))
		// Erasure requests, taken from the same clients.
		s.erasures = &erasure.Service{Store: store, DB: store.Readers(readers), Pipeline: s.p, Registry: s.registry,
			Lock: s.lockWriter, Erased: func(res forget.Result) { h.Forget([]int64{res.MPID}) },
			Grace: s.opts.Grace, Log: s.log}
		s.erasures.Register(mux, h.Authorized)
	}
	return nil
}

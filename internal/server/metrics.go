package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mosaic-cdp/mosaic/internal/landing"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
	"github.com/mosaic-cdp/mosaic/internal/profileapi"
)

// metrics are what GET /metrics shows, in a registry of the server's own.
type metrics struct {
	reg      *prometheus.Registry
	runs     *prometheus.CounterVec
	stages   *prometheus.HistogramVec
	rows     *prometheus.CounterVec
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mosaic_runs_total", Help: "Pipeline runs by status (succeeded, failed, cancelled).",
		}, []string{"status"}),
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mosaic_stage_duration_seconds", Help: "Time of each stage of the runs that committed.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 9),
		}, []string{"stage"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mosaic_feed_rows_total", Help: "Rows of committed runs per feed: read, kept and dropped.",
		}, []string{"feed", "outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mosaic_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mosaic_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, 1, 5},
		}, []string{"route"}),
	}
	m.reg.MustRegister(m.runs, m.stages, m.rows, m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the registry's metrics.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// run records a finished run.
func (m *metrics) run(status string, res *pipeline.Result) {
	m.runs.WithLabelValues(status).Inc()
	if res == nil || status != "succeeded" {
		return
	}
	for stage, st := range res.Stats.Stages {
		m.stages.WithLabelValues(stage).Observe(float64(st.Millis) / 1000)
	}
	for feed, f := range res.Stats.Feeds {
		m.rows.WithLabelValues(feed, "read").Add(float64(f.Read))
		m.rows.WithLabelValues(feed, "kept").Add(float64(f.Kept))
		m.rows.WithLabelValues(feed, "dropped").Add(float64(f.Dropped))
	}
}

// instrument counts and times every request by the route (the mux
// pattern) that served it.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// profileCache adds counters of the Profile API's reads of a document:
// from memory or from the store.
func (m *metrics) profileCache(h *profileapi.Handler) {
	for _, result := range []string{"hit", "miss"} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "mosaic_profile_api_cache_reads_total", Help: "Profile API document reads answered from memory (hit) or from the store (miss).",
			ConstLabels: prometheus.Labels{"result": result},
		}, func() float64 {
			hits, misses := h.CacheReads()
			if result == "hit" {
				return float64(hits)
			}
			return float64(misses)
		}))
	}
}

// landing adds gauges of each landing log: bytes accepted and not yet
// read by a committed run, and its sealed segments.
func (m *metrics) landing(logs map[string]*landing.Log) {
	for name, l := range logs {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "mosaic_landing_unread_bytes", Help: "Events API bytes landed and not yet read by a committed run (the landing log's lag).",
			ConstLabels: prometheus.Labels{"feed": name},
		}, func() float64 { return float64(l.Stats().UnreadBytes) }))
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "mosaic_landing_segments", Help: "Sealed segments of the landing log on disk.",
			ConstLabels: prometheus.Labels{"feed": name},
		}, func() float64 { return float64(l.Stats().Segments) }))
	}
}

package bench

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// ServeOptions say how hard to load `mosaic serve`.
type ServeOptions struct {
	Options
	// Rate is the Profile API's requests a second (default 2000).
	Rate float64
	// Phase is how long each fixed-length phase lasts (default 10s).
	Phase time.Duration
	// Clients post to the Events API at once (default 32), each request
	// a bulk of BulkBatches (default 100) batches.
	Clients, BulkBatches int
}

// ServeReport holds the serve benchmark's figures.
type ServeReport struct {
	Users int
	// Healthz is the floor: GET /healthz at the same rate (HTTP on
	// loopback and the load generator, no store).
	Healthz, Profile, ProfileDuringRun Latency
	// HealthzDuringRun is the floor during that run: GET /healthz at a
	// tenth of the rate, beside the Profile API's requests.
	HealthzDuringRun Latency
	// Cold is the first pass over the sampled profiles, at the same rate.
	Cold Latency
	// Events is the Events API flat out; EventsDuringRun the same while
	// a run stages what the previous phase landed.
	Events, EventsDuringRun Throughput
	RunWall                 time.Duration
	// Start is how long the server took to answer, the Profile API's
	// documents of every profile written first (the copied store's runs
	// kept none).
	Start time.Duration
}

// MeasureServe loads a `mosaic serve` on a copy of the benchmark's store
// (building it when missing): the floor, the Profile API at a fixed rate,
// the Events API flat out, then the Profile API again while a run stages
// what the Events API took.
func MeasureServe(ctx context.Context, opts ServeOptions) (*ServeReport, error) {
	opts.Rate = cmp.Or(opts.Rate, 2000)
	opts.Phase = cmp.Or(opts.Phase, 10*time.Second)
	opts.Clients, opts.BulkBatches = cmp.Or(opts.Clients, 32), cmp.Or(opts.BulkBatches, 100)
	data := filepath.Join(opts.Dir, fmt.Sprintf("users-%d", opts.Users))
	unlock, err := lockData(ctx, data, opts.Log)
	if err != nil {
		return nil, err
	}
	defer unlock()
	pipelineFile, state, err := serveStore(ctx, data, opts.Options)
	if err != nil {
		return nil, err
	}
	sample, err := sampleProfiles(ctx, state)
	if err != nil {
		return nil, err
	}
	started := time.Now()
	srv, err := startServe(ctx, opts.Mosaic, pipelineFile)
	if err != nil {
		return nil, err
	}
	rep := &ServeReport{Users: opts.Users, Start: time.Since(started)}
	defer srv.stop()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 60 * time.Second}
	token, err := srv.token(c)
	if err != nil {
		return nil, err
	}
	get := func(path string, auth bool) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.url+path, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %d", path, resp.StatusCode)
		}
		return nil
	}
	profile := func(i int) error {
		return get(fmt.Sprintf("/userprofile/v1/1/1/1/%d", sample[i%len(sample)].mpid), true)
	}
	opts.Log.Info("floor: GET /healthz", "rate", opts.Rate, "for", opts.Phase)
	rep.Healthz = atRate(ctx, opts.Rate, opts.Phase, 64, nil, func(int) error { return get("/healthz", false) })
	// The first read of each sampled profile loads its block of the store
	// from disk; the phases measure the steady state after that pass.
	opts.Log.Info("Profile API: one cold pass over the sample", "profiles", len(sample))
	rep.Cold = atRate(ctx, opts.Rate, time.Duration(float64(len(sample))/opts.Rate*float64(time.Second)), 64, nil, profile)
	opts.Log.Info("Profile API", "rate", opts.Rate, "for", opts.Phase)
	rep.Profile = atRate(ctx, opts.Rate, opts.Phase, 64, nil, profile)
	opts.Log.Info("Events API", "clients", opts.Clients, "batches_per_request", opts.BulkBatches, "for", opts.Phase)
	rep.Events = events(ctx, c, srv.url, sample, opts, opts.Phase, nil)
	opts.Log.Info("Profile API during a run", "rate", opts.Rate)
	start := time.Now()
	done, err := srv.runNow(ctx, c, token)
	if err != nil {
		return nil, err
	}
	var floor sync.WaitGroup
	floor.Go(func() {
		rep.HealthzDuringRun = atRate(ctx, opts.Rate/10, 30*time.Minute, 8, done, func(int) error { return get("/healthz", false) })
	})
	rep.ProfileDuringRun = atRate(ctx, opts.Rate, 30*time.Minute, 64, done, profile)
	floor.Wait()
	for !done() {
		time.Sleep(100 * time.Millisecond)
	}
	rep.RunWall = time.Since(start)

	// The Events API while a run stages what the last phase landed.
	opts.Log.Info("Events API during a run: landing batches for the run first", "for", opts.Phase)
	events(ctx, c, srv.url, sample, opts, opts.Phase, nil)
	if done, err = srv.runNow(ctx, c, token); err != nil {
		return nil, err
	}
	opts.Log.Info("Events API during a run")
	rep.EventsDuringRun = events(ctx, c, srv.url, sample, opts, 30*time.Minute, done)
	return rep, nil
}

// runNow asks the server for a run and returns a function that tells
// whether it has finished.
func (s *served) runNow(ctx context.Context, c *http.Client, token string) (func() bool, error) {
	before := s.runs(c)
	req, _ := http.NewRequestWithContext(ctx, "POST", s.url+"/v1/runs", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return func() bool { return s.runs(c) != before }, nil
}

// serveStore copies the benchmark's store (running the full rebuild
// first when there is none) and writes a pipeline that serves it, with an
// Events API feed.
func serveStore(ctx context.Context, data string, opts Options) (pipelineFile, state string, err error) {
	base, err := prepare(ctx, data, opts, opts.Log)
	if err != nil {
		return "", "", err
	}
	built := filepath.Join(data, "mosaic.duckdb")
	if _, err := os.Stat(built); err != nil {
		opts.Log.Info("full rebuild", "users", opts.Users)
		if _, err := runMosaic(ctx, opts.Mosaic, base, built); err != nil {
			return "", "", err
		}
	}
	state = filepath.Join(data, "serve.duckdb")
	for _, f := range []string{state, state + ".wal", state + ".events"} {
		if err := os.RemoveAll(f); err != nil {
			return "", "", err
		}
	}
	if err := copyFile(built, state); err != nil {
		return "", "", err
	}
	// A writer brings the copy to this mosaic's schema.
	store, err := engine.Open(ctx, state, engine.Options{Command: "mosaic-bench"})
	if err != nil {
		return "", "", err
	}
	if err := store.Close(); err != nil {
		return "", "", err
	}
	src, err := os.ReadFile(base)
	if err != nil {
		return "", "", err
	}
	text := regexp.MustCompile(`(?m)^state: .*$`).ReplaceAllString(string(src), "state: ./serve.duckdb")
	feed := "feeds:\n  - name: api\n    source: { kind: events_api, key_env: BENCH_EVENTS_KEY, secret_env: BENCH_EVENTS_SECRET }\n    source_type: events_api\n    protection: create_update\n"
	if !strings.Contains(text, "\nfeeds:\n") {
		return "", "", errors.New("bench: the generated pipeline has no `feeds:` line")
	}
	text = strings.Replace(text, "\nfeeds:\n", "\n"+feed, 1)
	text += "\nserve:\n  profile_api: { client_id_env: BENCH_CLIENT_ID, client_secret_env: BENCH_CLIENT_SECRET }\n"
	pipelineFile = filepath.Join(data, "serve.yaml")
	return pipelineFile, state, os.WriteFile(pipelineFile, []byte(text), 0o644)
}

type sampled struct {
	mpid       int64
	customerID string
}

func sampleProfiles(ctx context.Context, state string) ([]sampled, error) {
	store, err := engine.Open(ctx, state, engine.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	rows, err := store.Conn().QueryContext(ctx, sqlfiles.Get("bench/serve_sample.sql"))
	if err != nil {
		return nil, fmt.Errorf("bench: sample profiles: %w", err)
	}
	defer rows.Close()
	var out []sampled
	for rows.Next() {
		var s sampled
		if err := rows.Scan(&s.mpid, &s.customerID); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("bench: the store has no profiles")
	}
	return out, rows.Err()
}

// Throughput is one phase of the Events API flat out.
type Throughput struct {
	Batches          float64 // answered 202, a second
	Requests, Errors int
}

// events posts bulk requests from opts.Clients clients for d, or until
// until (when set) returns true, checked every 100 ms.
func events(ctx context.Context, c *http.Client, url string, sample []sampled, opts ServeOptions, d time.Duration, until func() bool) Throughput {
	var accepted, requests, errs atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if until != nil {
		go func() {
			for ctx.Err() == nil && !until() {
				time.Sleep(100 * time.Millisecond)
			}
			cancel()
		}()
	}
	start := time.Now()
	done := make(chan struct{})
	for g := range opts.Clients {
		go func() {
			defer func() { done <- struct{}{} }()
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for i := 0; ctx.Err() == nil; i++ {
				body := bulkBody(rng, sample, opts.BulkBatches, fmt.Sprintf("c%d-%d", g, i))
				req, _ := http.NewRequestWithContext(ctx, "POST", url+"/v2/bulkevents", strings.NewReader(body))
				req.SetBasicAuth("bench-key", "bench-secret")
				resp, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				requests.Add(1)
				if resp.StatusCode == http.StatusAccepted {
					accepted.Add(int64(opts.BulkBatches))
				} else {
					errs.Add(1)
				}
			}
		}()
	}
	for range opts.Clients {
		<-done
	}
	return Throughput{Batches: float64(accepted.Load()) / time.Since(start).Seconds(), Requests: int(requests.Load()), Errors: int(errs.Load())}
}

// bulkBody is a bulk request of n batches of sampled customers: two
// events and an attribute each, about 600 bytes a batch.
func bulkBody(rng *rand.Rand, sample []sampled, n int, id string) string {
	var b strings.Builder
	b.WriteString("[")
	now := time.Now().UnixMilli()
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		s := sample[rng.IntN(len(sample))]
		fmt.Fprintf(&b, `{"environment":"production","source_request_id":"%s-%d","user_identities":{"customerid":%q},`+
			`"user_attributes":{"last_plan":"plan-%d"},"events":[`+
			`{"event_type":"screen_view","data":{"screen_name":"home","timestamp_unixtime_ms":%d}},`+
			`{"event_type":"custom_event","data":{"event_name":"add_to_cart","custom_event_type":"transaction","timestamp_unixtime_ms":%d,"custom_attributes":{"sku":"sku-%d","price":%d}}}]}`,
			id, i, s.customerID, rng.IntN(5), now, now, rng.IntN(1000), rng.IntN(200))
	}
	b.WriteString("]")
	return b.String()
}

// served is a running `mosaic serve`.
type served struct {
	cmd *exec.Cmd
	url string
}

func startServe(ctx context.Context, mosaic, pipelineFile string) (*served, error) {
	cmd := exec.CommandContext(ctx, mosaic, "serve", pipelineFile, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "BENCH_EVENTS_KEY=bench-key", "BENCH_EVENTS_SECRET=bench-secret", "BENCH_CLIENT_ID=bench", "BENCH_CLIENT_SECRET=bench-secret")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr := regexp.MustCompile(`msg=serving addr=(\S+)`)
	sc := bufio.NewScanner(stderr)
	var seen strings.Builder
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		if m := addr.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stderr)
			return &served{cmd: cmd, url: "http://" + m[1]}, nil
		}
	}
	cmd.Wait()
	return nil, fmt.Errorf("bench: mosaic serve did not start:\n%s", seen.String())
}

func (s *served) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
}

func (s *served) token(c *http.Client) (string, error) {
	resp, err := c.Post(s.url+"/oauth/token", "application/json", strings.NewReader(`{"client_id":"bench","client_secret":"bench-secret","grant_type":"client_credentials"}`))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil || t.AccessToken == "" {
		return "", fmt.Errorf("bench: no token (HTTP %d): %v", resp.StatusCode, err)
	}
	return t.AccessToken, nil
}

// runs is the server's count of finished runs, from /metrics.
func (s *served) runs(c *http.Client) string {
	resp, err := c.Get(s.url + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var n []string
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(line, "mosaic_runs_total{") {
			n = append(n, line)
		}
	}
	return strings.Join(n, ";")
}

// ServeTargets checks the report against the serve targets
// (docs/performance.md); loose are CI's bounds on a small store, about
// 10× what this machine measures, to catch a harness that rotted or a
// path 10× slower.
func (r *ServeReport) ServeTargets(loose bool) []Check {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
	p99, during := 5*time.Millisecond, 5*time.Millisecond
	minBatches := 20000.0
	suffix := ""
	if loose {
		p99, during, minBatches, suffix = 100*time.Millisecond, 500*time.Millisecond, 2000, " (loose, CI)"
	}
	return []Check{
		{fmt.Sprintf("Profile API p99 ≤ %s at %.0f/s%s", ms(p99), r.Profile.Rate, suffix), ms(r.Profile.P99), r.Profile.P99 <= p99 && r.Profile.Errors == 0},
		{fmt.Sprintf("Profile API p99 during a run ≤ %s%s", ms(during), suffix), ms(r.ProfileDuringRun.P99), r.ProfileDuringRun.P99 <= during && r.ProfileDuringRun.Errors == 0},
		{fmt.Sprintf("Events API ≥ %.0f batches/s accepted durably%s", minBatches, suffix), fmt.Sprintf("%.0f/s", r.Events.Batches), r.Events.Batches >= minBatches && r.Events.Errors == 0},
		{fmt.Sprintf("the same while a run writes%s", suffix), fmt.Sprintf("%.0f/s", r.EventsDuringRun.Batches), r.EventsDuringRun.Batches >= minBatches && r.EventsDuringRun.Errors == 0},
	}
}

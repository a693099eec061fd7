package bench

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Latency summarises one phase of load at a fixed rate.
type Latency struct {
	Requests, Errors int
	Rate             float64 // requests a second achieved
	P50, P99, Max    time.Duration
}

// atRate calls do at rate requests a second, open loop, for d (or until
// until returns true, checked every 100 ms), from workers goroutines. A
// request's latency counts from when it was due, not when a worker took
// it, so a stalled server shows in the figures (no coordinated omission).
func atRate(ctx context.Context, rate float64, d time.Duration, workers int, until func() bool, do func(i int) error) Latency {
	type job struct {
		at time.Time
		i  int
	}
	due := make(chan job, workers*4)
	type result struct {
		lat time.Duration
		err bool
	}
	results := make(chan result, 1024)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range due {
				err := do(j.i)
				results <- result{time.Since(j.at), err != nil}
			}
		})
	}
	var lats []time.Duration
	errs := 0
	collected := make(chan struct{})
	go func() {
		for r := range results {
			lats = append(lats, r.lat)
			if r.err {
				errs++
			}
		}
		close(collected)
	}()
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	lastCheck := start
loop:
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if (until == nil && at.Sub(start) >= d) || ctx.Err() != nil {
			break
		}
		if until != nil && time.Since(lastCheck) > 100*time.Millisecond {
			lastCheck = time.Now()
			if until() || time.Since(start) > d {
				break loop
			}
		}
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait)
		}
		due <- job{at, i}
	}
	close(due)
	wg.Wait()
	close(results)
	<-collected
	return summarize(lats, errs, time.Since(start))
}

func summarize(lats []time.Duration, errs int, wall time.Duration) Latency {
	l := Latency{Requests: len(lats), Errors: errs}
	if len(lats) == 0 {
		return l
	}
	slices.Sort(lats)
	l.Rate = float64(len(lats)) / wall.Seconds()
	l.P50 = lats[len(lats)/2]
	l.P99 = lats[min(len(lats)-1, len(lats)*99/100)]
	l.Max = lats[len(lats)-1]
	return l
}

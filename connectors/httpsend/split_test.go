package httpsend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// batchServer receives JSON arrays of record numbers. It answers
// reject(records) when that is not 0, else 200 and keeps the records.
type batchServer struct {
	*httptest.Server
	mu       sync.Mutex
	got      map[int]int // record → times delivered
	requests int
}

func newBatchServer(t *testing.T, reject func(recs []int) int) *batchServer {
	s := &batchServer{got: map[int]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var recs []int
		if err := json.NewDecoder(r.Body).Decode(&recs); err != nil {
			t.Errorf("decode request: %v", err)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests++
		if st := reject(recs); st != 0 {
			http.Error(w, fmt.Sprintf(`{"error":"refused %v"}`, recs), st)
			return
		}
		for _, r := range recs {
			s.got[r]++
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// sendRange posts records [lo,hi) of 0..n-1 as a JSON array.
func sendRange(c *Client, url string) func(ctx context.Context, lo, hi int) error {
	return func(ctx context.Context, lo, hi int) error {
		recs := make([]int, 0, hi-lo)
		for i := lo; i < hi; i++ {
			recs = append(recs, i)
		}
		body, _ := json.Marshal(recs)
		_, err := c.Do(ctx, NewRequest(http.MethodPost, url, nil, body))
		return err
	}
}

func containsAny(recs []int, bad ...int) bool {
	for _, r := range recs {
		if slices.Contains(bad, r) {
			return true
		}
	}
	return false
}

// checkIsolated checks that exactly the bad records failed, each with a
// RecordError of status, and that every other record was delivered once.
func checkIsolated(t *testing.T, s *batchServer, errs []error, n, status int, bad ...int) {
	t.Helper()
	if len(errs) != n {
		t.Fatalf("%d results for %d records", len(errs), n)
	}
	for i, err := range errs {
		if !slices.Contains(bad, i) {
			if err != nil || s.got[i] != 1 {
				t.Errorf("record %d: %v, delivered %d times; want acknowledged once", i, err, s.got[i])
			}
			continue
		}
		var re *connectors.RecordError
		if !errors.As(err, &re) || re.Status != status || s.got[i] != 0 {
			t.Errorf("record %d: %v (delivered %d times), want a RecordError with status %d", i, err, s.got[i], status)
		}
	}
	if Failed(errs) != nil {
		t.Errorf("Failed(errs) = %v, want nil: records were delivered", Failed(errs))
	}
}

func TestSplitIsolatesRefusedRecords(t *testing.T) {
	const n = 37
	bad := []int{0, 17, 18, 36}
	s := newBatchServer(t, func(recs []int) int {
		if containsAny(recs, bad...) {
			return 400
		}
		return 0
	})
	errs := Split(context.Background(), n, sendRange(fast(Options{}), s.URL))
	checkIsolated(t, s, errs, n, 400, bad...)
	var re *connectors.RecordError
	if errors.As(errs[17], &re) && re.Msg != `refused with HTTP 400 Bad Request: {"error":"refused [17]"}` {
		t.Errorf("record 17's error: %q", re.Msg)
	}
	// 4 bad records among 37: at most 1 + 2·4·⌈log2 37⌉ = 49 requests;
	// the halving makes it 35.
	if s.requests != 35 {
		t.Errorf("%d requests to isolate %d records among %d", s.requests, len(bad), n)
	}
}

func TestSplitTooLarge(t *testing.T) {
	const n = 20
	// At most 6 records a request, and record 9 is too large on its own.
	s := newBatchServer(t, func(recs []int) int {
		if len(recs) > 6 || slices.Contains(recs, 9) {
			return 413
		}
		return 0
	})
	errs := Split(context.Background(), n, sendRange(fast(Options{}), s.URL))
	checkIsolated(t, s, errs, n, 413, 9)
}

func TestSplitDoesNotSplitOtherErrors(t *testing.T) {
	for _, status := range []int{503, 401, 404} {
		s := newBatchServer(t, func(recs []int) int { return status })
		errs := Split(context.Background(), 10, sendRange(fast(Options{MaxTries: 3}), s.URL))
		err := Failed(errs)
		var se *StatusError
		if !errors.As(err, &se) || se.Status != status {
			t.Errorf("HTTP %d: Failed(errs) = %v, want the %d for every record", status, err, status)
		}
		want := 1
		if Retryable(status) {
			want = 3
		}
		if s.requests != want {
			t.Errorf("HTTP %d: %d requests, want %d: one request, retried, not split", status, s.requests, want)
		}
	}
}

func TestSplitStopsAfterExhaustedRetries(t *testing.T) {
	// Record 2 is refused; once the server goes down (any request holding
	// record 5 or later), the range that met it ([4,8)) fails with the 503.
	s := newBatchServer(t, func(recs []int) int {
		switch {
		case slices.Contains(recs, 2):
			return 400
		case slices.Max(recs) >= 5:
			return 503
		}
		return 0
	})
	errs := Split(context.Background(), 8, sendRange(fast(Options{MaxTries: 2}), s.URL))
	var re *connectors.RecordError
	if !errors.As(errs[2], &re) {
		t.Errorf("record 2: %v, want a RecordError", errs[2])
	}
	for i, err := range errs {
		var se *StatusError
		switch {
		case i == 2:
		case i < 4 && (err != nil || s.got[i] != 1):
			t.Errorf("record %d: %v, want acknowledged", i, err)
		case i >= 4 && (!errors.As(err, &se) || se.Status != 503):
			t.Errorf("record %d: %v, want the 503", i, err)
		}
	}
	// [0,8) 400 → [0,4) 400 → [0,2) ok, [2,4) 400 → [2] 400, [3] ok;
	// [4,8) 503 twice; nothing after.
	if s.requests != 8 {
		t.Errorf("%d requests, want 8", s.requests)
	}
}

func TestSplitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	errs := Split(ctx, 5, func(ctx context.Context, lo, hi int) error { calls++; return nil })
	if calls != 0 || !errors.Is(Failed(errs), context.Canceled) {
		t.Errorf("Split with ctx done: %d sends, Failed %v; want none sent, context.Canceled", calls, Failed(errs))
	}
	if errs := Split(ctx, 0, nil); len(errs) != 0 {
		t.Errorf("Split of nothing: %v", errs)
	}
}

func TestSplitRecordErrorFromSend(t *testing.T) {
	// A destination that answers 200 with per-record refusals reports them
	// as a RecordError: a range is split, a single record keeps it.
	errs := Split(context.Background(), 6, func(ctx context.Context, lo, hi int) error {
		if lo <= 4 && 4 < hi {
			return &connectors.RecordError{Status: 7, Msg: "invalid email"}
		}
		return nil
	})
	for i, err := range errs {
		if (i == 4) != (err != nil) {
			t.Errorf("record %d: %v", i, err)
		}
	}
	if re, ok := errs[4].(*connectors.RecordError); !ok || re.Status != 7 {
		t.Errorf("record 4: %v, want the send's RecordError", errs[4])
	}
}

func TestSplitSendsNothingAfterExhaustedRetries(t *testing.T) {
	// [0,8) is refused (record 6), then [0,4) meets a 503 past its
	// retries: [4,8) is not sent, and every record fails with the 503.
	s := newBatchServer(t, func(recs []int) int {
		switch {
		case slices.Contains(recs, 6):
			return 400
		case slices.Contains(recs, 3):
			return 503
		}
		return 0
	})
	errs := Split(context.Background(), 8, sendRange(fast(Options{MaxTries: 2}), s.URL))
	var se *StatusError
	if err := Failed(errs); !errors.As(err, &se) || se.Status != 503 {
		t.Errorf("Failed(errs) = %v, want the 503 for every record (%v)", err, errs)
	}
	if s.requests != 3 {
		t.Errorf("%d requests, want 3: [0,8), then [0,4) twice", s.requests)
	}
}

func TestSplitGivesUpWhenEverythingIsRefused(t *testing.T) {
	const n = 100
	s := newBatchServer(t, func(recs []int) int { return 422 })
	errs := Split(context.Background(), n, sendRange(fast(Options{}), s.URL))
	// Depth-first: [0,100) [0,50) [0,25) [0,12) [0,6) [0,3) [0] [1,3) [1]
	// [2] [3,6) [3] [4,6) [4] [5] [6,12) [6,9) [6] [7,9) [7]: 8 alone.
	if s.requests != 20 {
		t.Errorf("%d requests, want 20: stop after 8 records refused alone", s.requests)
	}
	var re *connectors.RecordError
	var se *StatusError
	for i, err := range errs {
		switch {
		case i < MaxLoneRefusals && (!errors.As(err, &re) || re.Status != 422):
			t.Errorf("record %d: %v, want its RecordError", i, err)
		case i >= MaxLoneRefusals && (errors.As(err, &re) || !errors.As(err, &se) || se.Status != 422):
			t.Errorf("record %d: %v, want the 422, not a RecordError", i, err)
		}
	}
	// Once a request succeeded, refusals are records' own: 20 refused
	// records among 50 are all isolated.
	var bad []int
	for i := 10; i < 30; i++ {
		bad = append(bad, i)
	}
	s = newBatchServer(t, func(recs []int) int {
		if containsAny(recs, bad...) {
			return 422
		}
		return 0
	})
	checkIsolated(t, s, Split(context.Background(), 50, sendRange(fast(Options{}), s.URL)), 50, 422, bad...)
}

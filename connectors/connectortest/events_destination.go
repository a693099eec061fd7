package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// EventsFixture lets RunEventsDestination see the batches an events
// destination received.
type EventsFixture struct {
	// Output returns the kind-specific lines of the output named name, as
	// in DestinationFixture (the suite asks for "events" only).
	Output func(t *testing.T, dir, name string) string
	// Batches returns every batch the destination took for output name, in
	// any order; a batch sent again may appear twice.
	Batches func(t *testing.T, name string) []json.RawMessage
	// Fail, when set, makes the destination refuse the next n requests
	// (e.g. answering 500): the suite expects the sync to fail and the
	// next one to deliver.
	Fail func(t *testing.T, n int)
}

// eventsOutput is the events suite's one output.
const eventsOutput = "events"

// RunEventsDestination runs the suite's three runs through an events
// output of destination d: after each run the destination must have taken
// every stored batch so far (each batch names its source_request_id),
// enriched with its profile's MPID and identities, and nothing else; then
// an outage (with Fail), a sync killed midway and a lost acknowledgement,
// each followed by a sync that must deliver what is missing (a batch taken twice is allowed: its
// receiver knows it by its source_request_id).
func RunEventsDestination(t *testing.T, kind string, d connectors.Destination, f EventsFixture) {
	t.Run("converges", func(t *testing.T) {
		h := newDestHarnessOf(t, kind, d, f.Output, eventsOutput)
		for range destinationRuns {
			if _, err := h.next(context.Background()); err != nil {
				t.Fatalf("run %d: %v", h.run, err)
			}
			h.checkBatches(f, fmt.Sprintf("run %d", h.run))
		}
	})
	if f.Fail != nil {
		t.Run("failures are retried", func(t *testing.T) {
			h := newDestHarnessOf(t, kind, d, f.Output, eventsOutput)
			if _, err := h.next(context.Background()); err != nil {
				t.Fatal(err)
			}
			f.Fail(t, 1000)
			res, err := h.next(context.Background())
			if err == nil {
				t.Fatal("run 2 succeeded while the destination refused every request")
			}
			wantNamedOnce(t, res, err)
			f.Fail(t, 0)
			if err := h.sync(context.Background()); err != nil {
				t.Fatalf("the sync after the failure: %v", err)
			}
			h.checkBatches(f, "after the retry")
		})
	}
	for _, c := range []struct {
		name  string
		after func(cancel context.CancelFunc) error
	}{
		{"killed mid-sync, the next sync converges", func(cancel context.CancelFunc) error { cancel(); return nil }},
		{"a lost acknowledgement is sent again harmlessly", func(context.CancelFunc) error { return errors.New("the acknowledgement was lost") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			h := newDestHarnessOf(t, kind, d, f.Output, eventsOutput)
			h.setDestination(kind, interfering{Destination: d, after: func() error { return c.after(cancel) }})
			if _, err := h.next(ctx); err == nil {
				t.Fatal("the run's sync succeeded although its deliveries were interfered with")
			}
			h.setDestination(kind, d)
			if err := h.sync(context.Background()); err != nil {
				t.Fatalf("the sync after: %v", err)
			}
			h.checkBatches(f, "after")
		})
	}
}

// checkBatches compares the source_request_ids the destination took with
// those of every batch written so far, and checks each is enriched.
func (h *destHarness) checkBatches(f EventsFixture, when string) {
	h.t.Helper()
	var want []string
	for _, lines := range destinationRuns[:h.run] {
		for _, l := range lines {
			var b struct {
				ID string `json:"source_request_id"`
			}
			if err := json.Unmarshal([]byte(l), &b); err != nil {
				h.t.Fatal(err)
			}
			want = append(want, b.ID)
		}
	}
	seen := map[string]bool{}
	for _, raw := range f.Batches(h.t, eventsOutput) {
		var b struct {
			ID         string            `json:"source_request_id"`
			MPID       *int64            `json:"mpid"`
			Identities map[string]string `json:"user_identities"`
			Events     []json.RawMessage `json:"events"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			h.t.Fatalf("%s: a batch that is not JSON: %s", when, raw)
		}
		seen[b.ID] = true
		if b.MPID == nil || len(b.Identities) == 0 || len(b.Events) == 0 {
			h.t.Errorf("%s: batch %s is not enriched with its profile, or lost its events: %s", when, b.ID, raw)
		}
	}
	got := make([]string, 0, len(seen))
	for id := range seen {
		got = append(got, id)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		h.t.Errorf("%s: batches the destination took (-stored +destination):\n%s", when, diff)
	}
}

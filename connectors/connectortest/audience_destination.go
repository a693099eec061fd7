package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// AudienceFixture lets RunAudienceDestination see what an ad platform's
// audience holds. Such a platform keeps a set of members, each known by
// the identifiers uploaded for it (hashed as the platform requires), not
// mosaic's records: the suite compares those sets.
type AudienceFixture struct {
	// Output returns the kind-specific lines of the output named name, as
	// in DestinationFixture (the suite asks for "gold" only).
	Output func(t *testing.T, dir, name string) string
	// Members returns what the platform audience of output name holds:
	// one string per identifier, as the test server saw it (for example
	// "EMAIL:" and the SHA-256 hex the upload carried).
	Members func(t *testing.T, name string) []string
	// Member returns the string Members holds for an identity of type typ
	// (an identity type the output lists, e.g. "email") whose raw value is
	// value: the suite's expectation, so it applies the platform's
	// normalisation and hashing (from its published rules, not the
	// destination's code path where it can).
	Member func(t *testing.T, typ, value string) string
	// Fail, when set, makes the platform refuse the next n requests (e.g.
	// answering 500): the suite expects the sync to fail and the next one
	// to deliver.
	Fail func(t *testing.T, n int)
}

// audienceOutput is the suite's one output: the gold audience, sending
// identities [email] (SuiteOutputs["gold"]).
const audienceOutput = "gold"

// RunAudienceDestination runs the destination suite on an ad-platform
// destination d of kind, which takes only `send: audience` outputs: the
// three runs of RunDestination (profiles enter and leave gold, ann's two
// profiles merge, bob is deleted by retention) with only the gold output,
// after each of which the platform audience must hold exactly the gold
// members' identities, as the platform expects them (after run 2, cat is
// erased with mosaic forget and the platform must lose her); then an
// outage, a
// sync killed midway and a lost acknowledgement, each followed by a sync
// that must converge.
func RunAudienceDestination(t *testing.T, kind string, d connectors.Destination, f AudienceFixture) {
	t.Run("converges", func(t *testing.T) {
		h := newDestHarnessOf(t, kind, d, f.Output, audienceOutput)
		for range destinationRuns {
			if _, err := h.next(context.Background()); err != nil {
				t.Fatalf("run %d: %v", h.run, err)
			}
			h.checkMembers(f, fmt.Sprintf("run %d", h.run))
			if h.run == 2 {
				h.forget("cat@x.com")
				h.checkMembers(f, "after forgetting cat")
			}
		}
	})
	if f.Fail != nil {
		t.Run("failures are retried", func(t *testing.T) {
			h := newDestHarnessOf(t, kind, d, f.Output, audienceOutput)
			if _, err := h.next(context.Background()); err != nil {
				t.Fatal(err)
			}
			f.Fail(t, 1000)
			res, err := h.next(context.Background())
			if err == nil {
				t.Fatal("run 2 succeeded while the platform refused every request")
			}
			wantNamedOnce(t, res, err)
			f.Fail(t, 0)
			if err := h.sync(context.Background()); err != nil {
				t.Fatalf("the sync after the failure: %v", err)
			}
			h.checkMembers(f, "after the retry")
		})
	}
	t.Run("killed mid-sync, the next sync converges", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		audienceInterfered(t, kind, d, f, ctx, func() error { cancel(); return nil })
	})
	t.Run("a lost acknowledgement is sent again harmlessly", func(t *testing.T) {
		audienceInterfered(t, kind, d, f, context.Background(), func() error { return errors.New("the acknowledgement was lost") })
	})
}

// audienceInterfered is interfered for the gold output alone.
func audienceInterfered(t *testing.T, kind string, d connectors.Destination, f AudienceFixture, ctx context.Context, after func() error) {
	h := newDestHarnessOf(t, kind, d, f.Output, audienceOutput)
	h.setDestination(kind, interfering{Destination: d, after: after})
	if _, err := h.next(ctx); err == nil {
		t.Fatal("the run's sync succeeded although its deliveries were interfered with")
	}
	h.setDestination(kind, d)
	if err := h.sync(context.Background()); err != nil {
		t.Fatalf("the sync after: %v", err)
	}
	h.checkMembers(f, "after")
}

// checkMembers compares the platform's members with the identities of the
// oracle's gold members (Desired also checks output_records against it).
func (h *destHarness) checkMembers(f AudienceFixture, when string) {
	h.t.Helper()
	want := map[string]bool{}
	records := Desired(h.t, filepath.Join(h.dir, "store.duckdb"), audienceOutput)
	if len(records) == 0 {
		h.t.Fatalf("%s: the gold audience is empty: the suite's data must give it members", when)
	}
	for key, payload := range records {
		var rec struct {
			Identities map[string][]string `json:"identities"`
		}
		if err := json.Unmarshal([]byte(payload), &rec); err != nil {
			h.t.Fatalf("record %s: %v", key, err)
		}
		for typ, values := range rec.Identities {
			for _, v := range values {
				want[f.Member(h.t, typ, v)] = true
			}
		}
	}
	got := map[string]bool{}
	for _, m := range f.Members(h.t, audienceOutput) {
		got[m] = true
	}
	if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
		h.t.Errorf("%s: the platform audience holds (-gold members' identities +platform):\n%s", when, diff)
	}
}

func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

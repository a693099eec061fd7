package outputs_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/files"
	"github.com/mosaic-cdp/mosaic/connectors/webhook"
	"github.com/mosaic-cdp/mosaic/connectors/webhook/webhooktest"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/outputs"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// remembering is the webhook destination that, at each Open, reads what
// its state kept (how many syncs opened it), keeps one more entry tagged
// by sync, and drops the entries of the first sync on the third.
type remembering struct {
	connectors.Destination
	seen []string // "opens=N entries=M dropped=D" per Open
}

func (r *remembering) Open(ctx context.Context, req connectors.OutputRequest) (connectors.Writer, error) {
	st := req.State
	if st == nil {
		return nil, fmt.Errorf("Open got no state")
	}
	got, err := st.Get(ctx, []string{"opens", "s1", "s2", "s3", "nothing"})
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(got["opens"])
	n++
	var dropped int64
	if n == 3 {
		dropped, err = st.DropTagged(ctx, []string{"t1"})
		if err != nil {
			return nil, err
		}
	}
	r.seen = append(r.seen, fmt.Sprintf("opens=%d entries=%d dropped=%d", n-1, len(got), dropped))
	key := "s" + strconv.Itoa(n)
	if err := st.Put(ctx, []connectors.StateEntry{{Key: "opens", Value: "x"}, {Key: "opens", Value: strconv.Itoa(n)}, {Key: key, Value: "v", Tag: "t" + strconv.Itoa(n)}}); err != nil {
		return nil, err
	}
	return r.Destination.Open(ctx, req)
}

// TestOutputState: what a destination keeps in its state at one sync it
// reads at the next (the last of two values of a key wins), and
// DropTagged deletes by tag.
func TestOutputState(t *testing.T) {
	dir := t.TempDir()
	rc := webhooktest.New(t, secret)
	t.Setenv("MOSAIC_TEST_HOOK_SECRET", secret)
	t.Setenv("MOSAIC_TEST_HOOK_GOLD", rc.URL)
	d := &remembering{Destination: webhook.New()}
	reg := connectors.NewRegistry()
	reg.RegisterSource("files", files.New())
	reg.RegisterDestination("webhook", d)
	yaml := `version: 1
name: state
state: ./store.duckdb
feeds:
  - { name: users, source: { kind: files, path: "data/*.ndjson", format: batch }, source_type: sdk }
outputs:
  - { name: gold, kind: webhook, url_env: MOSAIC_TEST_HOOK_GOLD, secret_env: MOSAIC_TEST_HOOK_SECRET, send: profiles, key: email, fields: { email: identity.email, tier: attribute.tier } }
`
	if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		line := fmt.Sprintf(`{"environment": "production", "user_identities": {"email": "a@x.com"}, "user_attributes": {"tier": "t%d"}, "timestamp_unixtime_ms": 1780228800000}`, i)
		if err := os.WriteFile(filepath.Join(dir, "data", fmt.Sprintf("%d.ndjson", i)), []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), reg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&pipeline.Runner{Registry: reg}).Run(context.Background(), p, pipeline.Options{NoSync: true}); err != nil {
			t.Fatal(err)
		}
		store, err := engine.Open(context.Background(), p.State, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = (&outputs.Syncer{Registry: reg}).Sync(context.Background(), store, p, outputs.Options{})
		store.Close()
		if err != nil {
			t.Fatalf("sync %d: %v", i, err)
		}
	}
	want := []string{"opens=0 entries=0 dropped=0", "opens=1 entries=2 dropped=0", "opens=2 entries=3 dropped=1"}
	if fmt.Sprint(d.seen) != fmt.Sprint(want) {
		t.Errorf("the destination saw %q, want %q", d.seen, want)
	}
}

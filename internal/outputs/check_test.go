package outputs_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/outputs"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// checking is a destination that checks records: it refuses those whose
// fields hold "bad", and fails the check at batch failAt (counted from
// 1), or at OpenValidate when openErr is set.
type checking struct {
	t       *testing.T
	batches []int
	failAt  int
	openErr error
}

func (d *checking) Validate(connectors.OutputRequest) error { return nil }

func (d *checking) Open(context.Context, connectors.OutputRequest) (connectors.Writer, error) {
	d.t.Error("a dry run opened the destination for a sync")
	return nil, errors.New("not on a dry run")
}

func (d *checking) OpenValidate(context.Context, connectors.OutputRequest) (connectors.Writer, error) {
	return d, d.openErr
}

func (d *checking) Write(_ context.Context, b connectors.Batch) ([]error, error) {
	d.batches = append(d.batches, len(b.Records))
	if len(d.batches) == d.failAt {
		return nil, errors.New("the destination is down")
	}
	errs := make([]error, len(b.Records))
	for i, r := range b.Records {
		if strings.Contains(string(r.Fields), "bad") {
			errs[i] = &connectors.RecordError{Msg: "bad e-mail"}
		}
	}
	return errs, nil
}

func (d *checking) Close() error { return nil }

// never is a destination that cannot check: a dry run never calls it.
type never struct{ t *testing.T }

func (d never) Validate(connectors.OutputRequest) error { return nil }
func (d never) Open(context.Context, connectors.OutputRequest) (connectors.Writer, error) {
	d.t.Error("a dry run opened a destination that cannot check")
	return nil, errors.New("not on a dry run")
}

// TestDryRunChecksWithAValidator: a dry run hands a Validator's writer
// the batches a sync would write, counts what it refuses and keeps the
// first refusals; a failing check is reported and the dry run stands; a
// destination that cannot check is not called.
func TestDryRunChecksWithAValidator(t *testing.T) {
	dir := t.TempDir()
	yaml := connectortest.GoldPipeline("check", `  - { name: checked, kind: checking, send: audience, audience: gold, identities: [email], batch_size: 2 }
  - { name: plain, kind: never, send: audience, audience: gold, identities: [email] }
`)
	var data strings.Builder
	for _, e := range []string{"a@x.com", "bad1@x.com", "c@x.com", "bad2@x.com", "e@x.com"} {
		data.WriteString(connectortest.GoldUser(e, "gold") + "\n")
	}
	for name, text := range map[string]string{"pipeline.yaml": yaml, "data/1.ndjson": data.String()} {
		os.MkdirAll(filepath.Join(dir, "data"), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dest := &checking{t: t}
	reg := builtin.Registry()
	reg.RegisterDestination("checking", dest)
	reg.RegisterDestination("never", never{t})
	p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&pipeline.Runner{Registry: reg}).Run(context.Background(), p, pipeline.Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), NoSync: true}); err != nil {
		t.Fatal(err)
	}
	store, err := engine.Open(context.Background(), p.State, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	dryRun := func() (checked, plain outputs.Result) {
		t.Helper()
		dest.batches = nil
		res, err := (&outputs.Syncer{Registry: reg}).Sync(context.Background(), store, p, outputs.Options{DryRun: true, Samples: 1})
		if err != nil || len(res) != 2 {
			t.Fatalf("dry run: %v, %d results", err, len(res))
		}
		if res[1].Check != nil || res[1].Added != 5 {
			t.Errorf("plain: check %+v, added %d; want no check, 5 adds", res[1].Check, res[1].Added)
		}
		return res[0], res[1]
	}

	res, _ := dryRun()
	c := res.Check
	if res.Status != outputs.StatusDryRun || c == nil || c.Err != nil || c.Checked != 5 || c.Rejected != 2 || len(c.Rejections) != 1 {
		t.Fatalf("checked: status %s, check %+v; want 5 checked, 2 refused, the first kept", res.Status, c)
	}
	if r := c.Rejections[0]; r.Op != connectors.OpAdd || !strings.HasPrefix(r.Key, "gold:") || r.Reason != "bad e-mail" {
		t.Errorf("rejection %+v", r)
	}
	if want := []int{2, 2, 1}; !slices.Equal(dest.batches, want) {
		t.Errorf("batches %v, want %v (batch_size 2)", dest.batches, want)
	}

	dest.failAt = 2
	if res, _ = dryRun(); res.Check == nil || res.Check.Checked != 2 || res.Check.Err == nil || res.Err != nil || res.Added != 5 {
		t.Errorf("the check failing at batch 2: err %v, added %d, check %+v; want 2 checked, the error, the dry run's counts", res.Err, res.Added, res.Check)
	}
	dest.failAt, dest.openErr = 0, errors.New("set MOSAIC_TEST_CREDS")
	if res, _ = dryRun(); res.Check == nil || res.Check.Checked != 0 || res.Check.Err != dest.openErr || res.Err != nil || len(dest.batches) != 0 {
		t.Errorf("OpenValidate failing: err %v, check %+v, batches %v; want its error, nothing checked", res.Err, res.Check, dest.batches)
	}
}

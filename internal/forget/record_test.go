package forget_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/forget"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestForgetRecordCommitsWithTheErasure: what Request.Record writes
// commits in the erasure's transaction, seeing its result; a Record that
// fails rolls the erasure back.
func TestForgetRecordCommitsWithTheErasure(t *testing.T) {
	ctx := context.Background()
	dir := pipelineDir(t, "priority: [customerid, email]", "")
	run(t, dir, 1, ann, bob)
	p, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	store, err := engine.Open(ctx, p.State, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Conn().ExecContext(ctx, "CREATE TABLE main.recorded (forget_id BIGINT, mpid BIGINT)"); err != nil {
		t.Fatal(err)
	}
	profiles := func() (n int) {
		t.Helper()
		if err := store.Conn().QueryRowContext(ctx, "SELECT count(*) FROM profiles").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	req := forget.ForPipeline(p, builtin.Registry())
	req.IdentityType, req.Identity = "email", "bob@x.com"

	full := errors.New("the record table is full")
	req.Record = func(context.Context, *engine.Tx, forget.Result) error { return full }
	if _, err := forget.Forget(ctx, store, req); !errors.Is(err, full) {
		t.Fatalf("a failing Record: %v, want its error", err)
	}
	if n := profiles(); n != 2 {
		t.Fatalf("profiles after a failing Record: %d, want bob's kept (2)", n)
	}

	req.Record = func(ctx context.Context, tx *engine.Tx, res forget.Result) error {
		_, err := tx.Exec(ctx, "INSERT INTO main.recorded VALUES ($1, $2)", res.ForgetID, res.MPID)
		return err
	}
	res, err := forget.Forget(ctx, store, req)
	if err != nil || res.MPID == 0 {
		t.Fatalf("forget: %+v, %v", res, err)
	}
	var id, mpid int64
	if err := store.Conn().QueryRowContext(ctx, "SELECT forget_id, mpid FROM main.recorded").Scan(&id, &mpid); err != nil || id != res.ForgetID || mpid != res.MPID {
		t.Errorf("recorded %d, %d (%v), want %d, %d", id, mpid, err, res.ForgetID, res.MPID)
	}
	if n := profiles(); n != 1 {
		t.Errorf("profiles: %d, want ann alone", n)
	}
}

package bench

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"
)

// TestLockDataSerialises takes a data set twice: the second waits while
// the first holds it (here until its context ends) and gets it once the
// first lets go.
func TestLockDataSerialises(t *testing.T) {
	data := filepath.Join(t.TempDir(), "users-10")
	log := slog.New(slog.DiscardHandler)
	unlock, err := lockData(context.Background(), data, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if _, err := lockData(ctx, data, log); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock while the first is held: err = %v, want it to wait until its context ends", err)
	}
	unlock()
	unlock2, err := lockData(context.Background(), data, log)
	if err != nil {
		t.Fatalf("lock after the first was released: %v", err)
	}
	unlock2()
}

package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockData takes the data set folder data for one invocation: the stores
// and files under it sit at fixed paths (the generated data, the base
// store, the copy segments runs on), so two invocations on the same data
// set must not interleave. A second one waits, saying so, until the first
// ends or ctx does. The lock is an flock on data/.bench.lock; it dies with
// the process. Call the returned function to release it.
func lockData(ctx context.Context, data string, log *slog.Logger) (func(), error) {
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(data, ".bench.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("bench: lock %s: %w", data, err)
	}
	waiting := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("bench: lock %s: %w", data, err)
		}
		if !waiting {
			log.Info("waiting for another bench invocation on this data set to finish", "dir", data)
			waiting = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("bench: waiting for %s: %w", data, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

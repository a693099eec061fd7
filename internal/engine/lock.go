package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// ErrLocked is matched by errors.Is when another process holds the store.
var ErrLocked = errors.New("store is in use")

// Holder describes who holds a store's lock; it is written into the lock
// file so that the next comer can name it.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
	// Addr is where the holder serves HTTP, if it does.
	Addr string `json:"addr,omitempty"`
}

func (h Holder) String() string {
	return fmt.Sprintf("%q (pid %d on %s, since %s)", h.Command, h.PID, h.Host, h.Since.UTC().Format(time.RFC3339))
}

// lockFile takes an exclusive, non-blocking flock on path. flock locks
// belong to the open file, so a second open in the same process conflicts
// too. The lock dies with the process, so a killed run never leaves a stale
// lock behind.
func lockFile(path string, h Holder) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: held by %s; wait for it to finish or stop it", ErrLocked, readHolder(path))
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	h.PID, h.Since = os.Getpid(), time.Now()
	h.Host, _ = os.Hostname()
	b, _ := json.Marshal(h)
	// The holder's line is what a second writer's error names.
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lock holder in %s: %w", path, err)
	}
	if _, err := f.WriteAt(b, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lock holder in %s: %w", path, err)
	}
	return f, nil
}

// readHolder names the lock's holder as well as its file tells.
func readHolder(path string) string {
	h, ok := LockHolder(strings.TrimSuffix(path, ".lock"))
	if !ok {
		return "another process"
	}
	return h.String()
}

// LockHolder reads who holds the store at path, from its lock file; ok
// is false when the file is missing or holds no record.
func LockHolder(path string) (h Holder, ok bool) {
	b, err := os.ReadFile(path + ".lock")
	if err != nil || json.Unmarshal(b, &h) != nil {
		return h, false
	}
	return h, true
}

func unlockFile(f *os.File) error {
	if f == nil {
		return nil
	}
	f.Truncate(0)
	return f.Close()
}

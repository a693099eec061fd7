package landing

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

const (
	sealedSuffix = ".ndjson"
	openSuffix   = ".open"
	seqDigits    = 12
)

func segmentName(seq uint64) string {
	return fmt.Sprintf("%0*d%s", seqDigits, seq, sealedSuffix)
}

// parseSegment parses a segment's base name: its sequence number and
// whether it is an active (.open) one.
func parseSegment(name string) (seq uint64, open, ok bool) {
	base, open := strings.CutSuffix(name, openSuffix)
	digits, found := strings.CutSuffix(base, sealedSuffix)
	if !found || len(digits) != seqDigits {
		return 0, false, false
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, false, false
	}
	return seq, open, true
}

// Recover makes a log directory readable by a one-off reader with no server:
// when it can take dir's LOCK it does Open's recovery and releases the
// LOCK. Recovery cuts each leftover active segment (*.ndjson.open) to its
// last complete line, logging at Warn the bytes of a torn tail cut off, then
// seals it, or removes it when nothing is left. When a live Log holds the
// LOCK, Recover touches nothing and returns nil: that log seals its
// segments itself (Rotate) before a run. A missing dir is not an error.
func Recover(dir string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	lock, err := lockDir(dir)
	if errors.Is(err, ErrLocked) {
		return nil
	}
	if err != nil {
		return err
	}
	defer lock.Close()
	_, _, err = recoverDir(dir, log)
	return err
}

// lockDir takes an exclusive, non-blocking flock on dir/LOCK; closing the
// file releases it.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("landing: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("landing: %s: %w", dir, ErrLocked)
		}
		return nil, fmt.Errorf("landing: lock %s: %w", dir, err)
	}
	return f, nil
}

// recoverDir seals or removes dir's leftover active segments and returns
// its sealed segments, in order, and the next sequence number. The caller
// holds dir's LOCK.
func recoverDir(dir string, log *slog.Logger) ([]segment, uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, fmt.Errorf("landing: %w", err)
	}
	var next uint64 = 1
	changed := false
	for _, e := range entries {
		seq, open, ok := parseSegment(e.Name())
		if !ok || e.IsDir() {
			continue
		}
		next = max(next, seq+1)
		if !open {
			continue
		}
		if err := recoverSegment(dir, e.Name(), log); err != nil {
			return nil, 0, err
		}
		changed = true
	}
	if changed {
		if err := syncDir(dir); err != nil {
			return nil, 0, err
		}
		if entries, err = os.ReadDir(dir); err != nil {
			return nil, 0, fmt.Errorf("landing: %w", err)
		}
	}
	var sealed []segment
	for _, e := range entries {
		if _, open, ok := parseSegment(e.Name()); !ok || open || e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, 0, fmt.Errorf("landing: %w", err)
		}
		sealed = append(sealed, segment{name: e.Name(), size: info.Size()})
	}
	sort.Slice(sealed, func(i, j int) bool { return sealed[i].name < sealed[j].name })
	return sealed, next, nil
}

// recoverSegment cuts the active segment name to its last complete line,
// fsyncs it and seals it, or removes it when empty.
func recoverSegment(dir, name string, log *slog.Logger) error {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("landing: recover: %w", err)
	}
	defer f.Close()
	keep, size, err := completeLines(f)
	if err != nil {
		return fmt.Errorf("landing: recover %s: %w", path, err)
	}
	if keep < size {
		log.Warn("landing: cut a torn tail off a crashed segment", "segment", path, "bytes", size-keep)
		if err := f.Truncate(keep); err != nil {
			return fmt.Errorf("landing: recover: %w", err)
		}
	}
	if keep == 0 {
		f.Close()
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("landing: recover: %w", err)
		}
		return nil
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("landing: recover: fsync %s: %w", path, err)
	}
	sealed := filepath.Join(dir, strings.TrimSuffix(name, openSuffix))
	if _, err := os.Lstat(sealed); err == nil {
		return fmt.Errorf("landing: recover %s: %s exists already", path, sealed)
	}
	if err := os.Rename(path, sealed); err != nil {
		return fmt.Errorf("landing: recover: %w", err)
	}
	log.Info("landing: sealed a crashed segment", "segment", sealed, "bytes", keep)
	return nil
}

// completeLines returns the length of f's longest prefix ending in a
// newline, and f's size.
func completeLines(f *os.File) (keep, size int64, err error) {
	info, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	size = info.Size()
	buf := make([]byte, 64<<10)
	for end := size; end > 0; {
		start := max(end-int64(len(buf)), 0)
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil && err != io.EOF {
			return 0, 0, err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return start + int64(i) + 1, size, nil
		}
		end = start
	}
	return 0, size, nil
}

// syncDir fsyncs dir, making its renames, creations and removals durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("landing: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("landing: fsync %s: %w", dir, err)
	}
	return nil
}

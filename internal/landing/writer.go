package landing

import (
	"fmt"
	"os"
	"path/filepath"
)

// run is the writer goroutine: it takes every request queued so far and
// handles them in order, writing consecutive appends with one write and
// one fsync.
func (l *Log) run() {
	defer close(l.stopped)
	var reqs []*request
	for {
		l.mu.Lock()
		for len(l.queue) == 0 {
			l.cond.Wait()
		}
		reqs, l.queue = l.queue, reqs[:0]
		l.mu.Unlock()
		stop := l.handle(reqs)
		clear(reqs)
		if stop {
			return
		}
	}
}

// handle handles one drained queue; it reports whether it closed the log.
func (l *Log) handle(reqs []*request) bool {
	var group []*request // appends in l.buf, not yet written
	for _, req := range reqs {
		switch req.op {
		case opAppend:
			if err := l.failure(); err != nil {
				l.finish([]*request{req}, err)
				continue
			}
			pending := l.active + int64(len(l.buf))
			if pending > 0 && pending+req.size > l.opts.SegmentBytes {
				l.flush(group)
				group = group[:0]
				if l.failure() == nil {
					l.fail(l.seal())
				}
				if err := l.failure(); err != nil {
					l.finish([]*request{req}, err)
					continue
				}
			}
			for _, r := range req.records {
				l.buf = append(l.buf, r...)
				l.buf = append(l.buf, '\n')
			}
			group = append(group, req)
		case opRotate, opClose:
			l.flush(group)
			group = group[:0]
			err := l.failure()
			if err == nil {
				err = l.seal()
				l.fail(err)
			}
			if req.op == opClose {
				if l.f != nil {
					l.f.Close() // a failed log's segment: Open's recovery seals it
					l.f = nil
				}
				req.done <- err
				return true
			}
			req.done <- err
		}
	}
	l.flush(group)
	return false
}

// flush writes l.buf, the records of group, to the active segment, opening
// it if needed, fsyncs it and completes group's calls.
func (l *Log) flush(group []*request) {
	if len(group) == 0 {
		return
	}
	err := l.write()
	l.buf = l.buf[:0]
	l.fail(err)
	l.finish(group, err)
}

func (l *Log) write() error {
	if l.f == nil {
		if err := l.create(); err != nil {
			return err
		}
	}
	n, err := l.f.Write(l.buf)
	l.active += int64(n)
	if err != nil {
		return fmt.Errorf("landing: write %s: %w", l.f.Name(), err)
	}
	err = l.f.Sync()
	l.syncs.Add(1)
	if l.opts.syncHook != nil {
		l.opts.syncHook()
	}
	if err != nil {
		return fmt.Errorf("landing: fsync %s: %w", l.f.Name(), err)
	}
	return nil
}

// finish completes reqs with err, moving their bytes from queued to unread
// when written.
func (l *Log) finish(reqs []*request, err error) {
	var size int64
	var records uint64
	for _, req := range reqs {
		size += req.size
		records += uint64(len(req.records))
	}
	l.mu.Lock()
	l.queued -= size
	if err == nil {
		l.unread += size
	}
	l.publish()
	l.mu.Unlock()
	if err == nil {
		l.appends.Add(uint64(len(reqs)))
		l.records.Add(records)
	}
	for _, req := range reqs {
		req.done <- err
	}
}

// create creates the active segment and makes its name durable.
func (l *Log) create() error {
	path := filepath.Join(l.dir, segmentName(l.seq)+openSuffix)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("landing: %w", err)
	}
	if err := syncDir(l.dir); err != nil {
		f.Close()
		return err
	}
	l.f, l.active = f, 0
	return nil
}

// seal closes the active segment, if any, and renames it to its sealed
// name. Its bytes were fsync'd by the flush that wrote them.
func (l *Log) seal() error {
	if l.f == nil {
		return nil
	}
	f, size := l.f, l.active
	l.f, l.active = nil, 0
	if err := f.Close(); err != nil {
		return fmt.Errorf("landing: close %s: %w", f.Name(), err)
	}
	name := segmentName(l.seq)
	l.seq++
	if size == 0 {
		if err := os.Remove(f.Name()); err != nil {
			return fmt.Errorf("landing: %w", err)
		}
		return syncDir(l.dir)
	}
	if err := os.Rename(f.Name(), filepath.Join(l.dir, name)); err != nil {
		return fmt.Errorf("landing: seal: %w", err)
	}
	if err := syncDir(l.dir); err != nil {
		return err
	}
	l.mu.Lock()
	l.sealed = append(l.sealed, segment{name: name, size: size})
	l.publish()
	l.mu.Unlock()
	l.log.Debug("landing: sealed segment", "dir", l.dir, "segment", name, "bytes", size)
	return nil
}

func (l *Log) failure() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failed
}

// fail marks the log failed with err, if not nil and not failed already.
func (l *Log) fail(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	if l.failed == nil {
		l.failed = err
		l.log.Error("landing: log failed", "dir", l.dir, "err", err)
	}
	l.mu.Unlock()
}

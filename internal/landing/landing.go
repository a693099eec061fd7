// Package landing is the Events API's durable landing log: a directory of
// NDJSON segment files to which accepted event batches are appended, each
// made durable (fsync'd) before its HTTP request is answered.
//
// A log is one directory (see [Dir]). The active segment is
// NNNNNNNNNNNN.ndjson.open, a 12-digit sequence number; a sealed segment is
// NNNNNNNNNNNN.ndjson and never changes again. A pipeline run reads only
// sealed segments (it globs *.ndjson), one compact JSON batch per line.
//
// Call order:
//
//  1. [Open] the directory: it takes the directory's LOCK (one process at a
//     time) and recovers what a crash left behind (see [Recover]).
//  2. [Log.Append] from any number of goroutines, one call per request.
//     Calls queued while the previous group is being written are written
//     together and share one fsync (group commit).
//  3. Before each pipeline run, [Log.Rotate] seals the active segment so
//     that the run sees every batch accepted so far; once the run has
//     committed, [Log.Release] the segments it read. The log never deletes
//     a segment, and `mosaic serve` keeps those its runs read: they are
//     the feed's only copy of its batches, which a full refresh stages
//     again. Deleting old ones is the operator's call.
//  4. [Log.Close] completes what is queued, seals, and releases the LOCK.
//
// A one-off reader with no server (a CLI run) calls [Recover] first, which
// seals a crashed server's leftovers unless a live server holds the LOCK.
//
// Failures: a write, fsync or seal error fails every call of its group and
// then the whole log: every later Append and Rotate returns that error
// (after a failed fsync the kernel may have dropped the dirty pages, so a
// retry could report durable what is not). Close the log and Open it again
// once the cause is fixed; recovery keeps every complete line.
//
// Numbering: a log numbers its segments on from the highest one left in
// the directory when it was opened. Once every sealed segment has been
// deleted, numbering may start again at 1 after a restart, so a reader
// should glob what is there rather than remember the last name across
// deletions.
//
// Duplicates: a call that returned an error (its context cancelled, a failed
// write) may still have been written and become durable, and Open's recovery
// keeps complete lines whose fsync was never acknowledged. Readers dedupe by
// request (batch) id.
package landing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

var (
	// ErrBehind is returned by Append, without writing, when too many bytes
	// are queued or unread; the caller should answer 503 and have the
	// client retry later.
	ErrBehind = errors.New("landing: log is behind")
	// ErrClosed is returned by Append and Rotate after Close.
	ErrClosed = errors.New("landing: log is closed")
	// ErrLocked is wrapped by Open's error when another Log holds the
	// directory's LOCK.
	ErrLocked = errors.New("locked by another log")
)

// Options tunes a Log; the zero value takes the defaults.
type Options struct {
	// SegmentBytes: roll to a new segment after this many bytes (default
	// 64 MiB). A call is never split: one that would take a non-empty
	// segment past SegmentBytes starts the next one, and one larger than
	// SegmentBytes gets a segment of its own.
	SegmentBytes int64
	// MaxQueuedBytes: Append fails fast with ErrBehind when this many
	// bytes are waiting to be written (default 64 MiB). A call arriving at
	// an empty queue is always taken, whatever its size.
	MaxQueuedBytes int64
	// MaxUnreadBytes: Append fails fast with ErrBehind when the bytes of
	// sealed and active segments not yet released (see Log.Release), plus
	// those queued, would exceed this (0 = no limit). A call is always
	// taken when nothing is unread or queued.
	MaxUnreadBytes int64
	// Logger receives the log's warnings (a torn tail cut by recovery) and
	// debug lines; nil discards them.
	Logger *slog.Logger

	// syncHook, if set, runs after each group's fsync (tests use it to give
	// a fast disk a real disk's fsync latency).
	syncHook func()
}

const defaultBytes = 64 << 20

// Stats are the log's counters, for metrics.
type Stats struct {
	Segments    int    // sealed segments on disk not yet released
	UnreadBytes int64  // bytes of sealed and active segments not yet released
	QueuedBytes int64  // bytes accepted by Append, not yet written
	Appends     uint64 // Append calls written and fsync'd
	Records     uint64 // records written and fsync'd
	Syncs       uint64 // fsyncs of written groups
}

// Log is an open landing log. Its methods are safe for concurrent use.
type Log struct {
	dir  string
	opts Options
	log  *slog.Logger
	lock *os.File

	mu     sync.Mutex
	cond   *sync.Cond // signals the writer: queue non-empty
	queue  []*request
	closed bool
	failed error
	sealed []segment // sealed segments not yet released, in order
	queued int64
	unread int64

	stopped chan struct{} // closed when the writer returns

	// Owned by the writer goroutine.
	seq    uint64   // sequence number of the active (or next) segment
	f      *os.File // active segment, nil until the first write
	active int64    // bytes in f
	buf    []byte

	segments, unreadBytes, queuedBytes atomic.Int64
	appends, records, syncs            atomic.Uint64
}

type segment struct {
	name string // base name, NNNNNNNNNNNN.ndjson
	size int64
}

type op int

const (
	opAppend op = iota
	opRotate
	opClose
)

type request struct {
	op      op
	records [][]byte
	size    int64      // bytes written for records, newlines included
	done    chan error // buffered: the writer never blocks on it
}

// Dir is the landing log directory of a store's feed:
// <store>.events/<feed>.
func Dir(store, feed string) string {
	return filepath.Join(store+".events", feed)
}

// Open opens the log in dir, creating dir if needed. It fails with an error
// wrapping ErrLocked when another Log holds dir's LOCK, and seals or removes
// whatever active segment a crash left behind (see Recover).
func Open(dir string, opts Options) (*Log, error) {
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = defaultBytes
	}
	if opts.MaxQueuedBytes <= 0 {
		opts.MaxQueuedBytes = defaultBytes
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("landing: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	sealed, next, err := recoverDir(dir, logger)
	if err != nil {
		lock.Close()
		return nil, err
	}
	l := &Log{dir: dir, opts: opts, log: logger, lock: lock, sealed: sealed, seq: next, stopped: make(chan struct{})}
	l.cond = sync.NewCond(&l.mu)
	for _, s := range sealed {
		l.unread += s.size
	}
	l.publish()
	go l.run()
	return l, nil
}

// Append writes records, one line each, contiguously in one segment, and
// returns nil once they are fsync'd. Each record must be non-empty compact
// JSON with no newline. Append returns ErrBehind at once, writing nothing,
// when the log is too far behind (see Options), ErrClosed after Close, and
// the log's failure once it has failed. When ctx is done first it returns
// ctx.Err(), but the records may still be written and become durable.
// Append with no records returns nil.
func (l *Log) Append(ctx context.Context, records ...[]byte) error {
	var size int64
	for i, r := range records {
		if len(r) == 0 {
			return fmt.Errorf("landing: record %d is empty", i)
		}
		if bytes.IndexByte(r, '\n') >= 0 {
			return fmt.Errorf("landing: record %d holds a newline", i)
		}
		size += int64(len(r)) + 1
	}
	if len(records) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &request{op: opAppend, records: records, size: size, done: make(chan error, 1)}
	return l.submit(ctx, req, func() error {
		switch {
		case l.queued > 0 && l.queued+size > l.opts.MaxQueuedBytes:
			return fmt.Errorf("%w: %d bytes queued", ErrBehind, l.queued)
		case l.opts.MaxUnreadBytes > 0 && l.unread+l.queued > 0 && l.unread+l.queued+size > l.opts.MaxUnreadBytes:
			return fmt.Errorf("%w: %d bytes unread", ErrBehind, l.unread+l.queued)
		}
		l.queued += size
		l.queuedBytes.Store(l.queued)
		return nil
	})
}

// Rotate waits for the calls queued before it to be written, then seals the
// active segment if it holds any bytes; the next Append starts a new one.
// When ctx is done first Rotate returns ctx.Err() and the seal still
// happens.
func (l *Log) Rotate(ctx context.Context) error {
	return l.submit(ctx, &request{op: opRotate, done: make(chan error, 1)}, nil)
}

// submit queues req for the writer, unless the log is closed or has
// failed or admit (called under the lock, when set) refuses it, and waits
// for it to be done or for ctx.
func (l *Log) submit(ctx context.Context, req *request, admit func() error) error {
	l.mu.Lock()
	err := l.failed
	if l.closed {
		err = ErrClosed
	}
	if err == nil && admit != nil {
		err = admit()
	}
	if err != nil {
		l.mu.Unlock()
		return err
	}
	l.enqueue(req)
	l.mu.Unlock()
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Release tells the log that the sealed segments up to and including the
// one named upTo (a base name such as 000000000042.ndjson, or a path to
// it) have been read and committed: they stop counting as unread for
// MaxUnreadBytes and in Stats. Releasing again, or a name the log never
// sealed, is harmless. After Open, every sealed segment found on disk
// counts as unread until released.
func (l *Log) Release(upTo string) {
	upTo = filepath.Base(upTo)
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for n < len(l.sealed) && l.sealed[n].name <= upTo {
		l.unread -= l.sealed[n].size
		n++
	}
	l.sealed = append(l.sealed[:0], l.sealed[n:]...)
	l.publish()
}

// Stats returns the log's counters.
func (l *Log) Stats() Stats {
	return Stats{
		Segments:    int(l.segments.Load()),
		UnreadBytes: l.unreadBytes.Load(),
		QueuedBytes: l.queuedBytes.Load(),
		Appends:     l.appends.Load(),
		Records:     l.records.Load(),
		Syncs:       l.syncs.Load(),
	}
}

// Close stops taking appends, writes and fsyncs those queued (completing
// their calls), seals the active segment and releases the LOCK. A failed
// log is closed without sealing and Close returns its failure. Close again
// returns nil.
func (l *Log) Close() error {
	req := &request{op: opClose, done: make(chan error, 1)}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		<-l.stopped
		return nil
	}
	l.closed = true
	l.enqueue(req)
	l.mu.Unlock()
	err := <-req.done
	<-l.stopped
	if cerr := l.lock.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("landing: %w", cerr)
	}
	return err
}

// enqueue queues req for the writer; l.mu is held.
func (l *Log) enqueue(req *request) {
	l.queue = append(l.queue, req)
	if len(l.queue) == 1 {
		l.cond.Signal()
	}
}

// publish copies the counters kept under l.mu to the atomics Stats reads;
// l.mu is held.
func (l *Log) publish() {
	l.segments.Store(int64(len(l.sealed)))
	l.unreadBytes.Store(l.unread)
	l.queuedBytes.Store(l.queued)
}

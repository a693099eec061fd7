package files

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mosaic-cdp/mosaic/internal/background"
	"github.com/mosaic-cdp/mosaic/internal/batch"
)

// chunkLines is how many lines a decoder takes at a time: one Arrow record
// of kept batches (about 8 MB of generated batches). DuckDB converts the
// stream's records on its threads one call at a time: at 1M users, 16,384
// lines a record staged the first run in 0.97× the wall time of 4,096
// (two pairs), 65,536 in 0.99× that of 16,384.
const chunkLines = 16384

// maxPresize bounds the buffer a chunk's lines are read into before its
// first line (a chunk after one of huge lines grows as it needs instead).
const maxPresize = 64 << 20

// chunk is a run of a file's lines and, once done is closed, what their
// decoding gave: a record of the kept batches, with each one's line (an
// index into lines) and request id's hash (see batchText). The lines are
// parts of one string, so that the decoder needs no copy of its own.
type chunk struct {
	first     int // the line number of lines[0]
	lines     []string
	kept      arrow.RecordBatch
	keptLines []int32
	hashes    []uint64
	dropped   [][2]string // reason, row (JSON text)
	done      chan struct{}
}

// decoding splits a file into chunks, decodes them on every core and hands
// their records on in file order. Call order: newDecoding; Next until it
// returns false (or not: the sink may stop early); err; stop. dropped
// holds the dropped lines of the chunks Next has passed.
type decoding struct {
	f       file
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	ordered chan *chunk // every chunk, in file order
	readErr error       // set by split before it closes ordered
	cur     arrow.RecordBatch
	dropped *array.RecordBuilder
}

// newDecoding starts decoding f on cores goroutines (0: GOMAXPROCS), at
// lowered priority when low is set.
func newDecoding(ctx context.Context, f file, br *bufio.Reader, cores int, low bool) *decoding {
	ctx, cancel := context.WithCancel(ctx)
	workers := cores
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	d := &decoding{f: f, ctx: ctx, cancel: cancel, ordered: make(chan *chunk, 2*workers),
		dropped: array.NewRecordBuilder(memory.NewGoAllocator(), droppedSchema)}
	work := make(chan *chunk, 2*workers)
	d.wg.Add(1 + workers)
	go func() {
		defer d.wg.Done()
		defer close(d.ordered)
		defer close(work)
		d.readErr = d.split(br, work)
	}()
	for range workers {
		go func() {
			defer d.wg.Done()
			if low {
				background.Lower() // the thread ends with the goroutine; a failure leaves it as it was
			}
			for c := range work {
				d.decode(c)
			}
		}()
	}
	return d
}

// split reads lines into chunks and gives each to a decoder and to the
// ordered queue. A chunk's lines are read into one buffer, sized like the
// previous chunk's (up to maxPresize), and taken as parts of the string
// it holds once the chunk is complete (so the buffers it outgrew are
// freed, not held by lines taken earlier).
func (d *decoding) split(br *bufio.Reader, work chan<- *chunk) error {
	c := &chunk{done: make(chan struct{})}
	var text strings.Builder
	var bounds [][2]int // each line's bytes in text
	send := func() error {
		all := text.String()
		c.lines = make([]string, len(bounds))
		for i, b := range bounds {
			c.lines[i] = all[b[0]:b[1]]
		}
		for _, ch := range []chan<- *chunk{work, d.ordered} {
			select {
			case ch <- c:
			case <-d.ctx.Done():
				return d.ctx.Err()
			}
		}
		c, bounds = &chunk{done: make(chan struct{})}, bounds[:0]
		size := text.Len()
		text = strings.Builder{}
		text.Grow(min(size+size/8, maxPresize))
		return nil
	}
	for lineNo := 1 + int(d.f.lineBase); ; lineNo++ {
		start := text.Len()
		var err error
		for {
			var part []byte
			part, err = br.ReadSlice('\n')
			text.Write(part)
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if lineNo == 1 && strings.HasPrefix(text.String()[start:], utf8BOM) {
			// A UTF-8 byte-order mark, as Windows tools write, is not JSON.
			start += len(utf8BOM)
		}
		if text.Len() > start {
			if len(bounds) == 0 {
				c.first = lineNo
			}
			bounds = append(bounds, [2]int{start, text.Len()})
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("line %d: the compressed stream ends early (%w): is the file complete?", lineNo, err)
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", lineNo, err)
		}
		if len(bounds) == chunkLines {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(bounds) == 0 {
		return nil
	}
	return send()
}

// decode decodes a chunk's lines into its record and dropped rows.
func (d *decoding) decode(c *chunk) {
	defer close(c.done)
	kept := array.NewRecordBuilder(memory.NewGoAllocator(), batchSchema)
	defer kept.Release()
	var dec batch.Decoder
	for i, line := range c.lines {
		if len(strings.TrimSpace(line)) == 0 {
			continue
		}
		if h, ok := d.f.decodeLine(&dec, kept, &c.dropped, line, c.first+i); ok {
			c.keptLines = append(c.keptLines, int32(i))
			c.hashes = append(c.hashes, h)
		}
	}
	c.kept = kept.NewRecordBatch()
	if d.f.text.All {
		c.lines = nil // every batch has its text: batchText.pass needs no line
	}
}

// Next, RecordBatch, Err, Schema, Retain and Release make the decoding
// the array.RecordReader the sink scans (DuckDB calls Next on its own
// threads, one call at a time); Next gathers the dropped rows of each
// chunk it passes and marks its repeated batches, with their text (in
// read order: batchText.pass).
func (d *decoding) Next() bool {
	if d.cur != nil {
		d.cur.Release()
		d.cur = nil
	}
	for c := range d.ordered {
		select {
		case <-c.done:
		case <-d.ctx.Done():
			return false
		}
		for _, r := range c.dropped {
			d.dropped.Field(0).(*array.StringBuilder).Append(r[0])
			d.dropped.Field(1).(*array.StringBuilder).Append(r[1])
		}
		d.f.text.pass(c)
		c.lines = nil
		if c.kept.NumRows() > 0 {
			d.cur = c.kept
			return true
		}
		c.kept.Release()
	}
	return false
}

func (d *decoding) RecordBatch() arrow.RecordBatch { return d.cur }

// Deprecated: Use [RecordBatch] instead (array.RecordReader asks for it).
func (d *decoding) Record() arrow.RecordBatch { return d.cur }
func (d *decoding) Err() error                { return d.err() }
func (d *decoding) Schema() *arrow.Schema     { return batchSchema }
func (d *decoding) Retain()                   {}
func (d *decoding) Release()                  {}

// err is the error that ended the reading early, if any. It is read
// once Next has returned false.
func (d *decoding) err() error {
	select {
	case <-d.ctx.Done():
		return d.ctx.Err()
	default:
	}
	return d.readErr
}

// stop ends the reading and waits for its goroutines; the sink is done
// with the stream by then.
func (d *decoding) stop() {
	d.cancel()
	d.wg.Wait()
	if d.cur != nil {
		d.cur.Release()
	}
	d.dropped.Release()
}

package files

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/mosaic-cdp/mosaic/internal/background"
)

// appendable tells whether a file of this format can be read from where
// the last read ended: line formats (CSV, NDJSON, batch) not gzipped. A
// gzip stream cannot be resumed cheaply, and a Parquet file is rewritten
// whole, so those are read whole whenever they change.
func appendable(format, path string) bool {
	return format != "parquet" && !strings.HasSuffix(strings.ToLower(path), ".gz")
}

// span is the part of a line file that a read reads: bytes [from, to),
// whose first line is the file's line lineBase+1, and the file's state
// once it has been read.
type span struct {
	from, to int64
	lineBase int64
	state    fileState
	lastLine int64 // the number of the last line in [from, to)
	// counted is nil when state and lastLine are final, else it yields
	// the error of the pass that is hashing and counting the lines of
	// what the read reads, beside the read (see wait); err is that error.
	counted chan error
	err     error
}

// wait returns the file's state once read, when the pass beside the read
// is done.
func (sp *span) wait() (fileState, error) {
	if sp.counted != nil {
		sp.err, sp.counted = <-sp.counted, nil
	}
	return sp.state, sp.err
}

// planSpan decides what of a line file to read.
//
// When the state has a hash (prev != nil) and the file still begins with
// the bytes read last time (their XXH64 is the stored one), the read
// starts where the last one ended; otherwise (the file shrank, or changed
// in place) it starts at 0. The read ends at the end of the last complete
// line: an unterminated last line is left for a later read, unless it is
// complete anyway (a JSON object, for json lines: a cut JSON object is
// never valid JSON) or the file has not changed since the last run (quiet: the
// writer is done with it). The state remembers the end as `read`, with the
// hash of bytes [0, read) and how many newlines they hold: with beside,
// a goroutine hashes and counts the new bytes while the caller reads them
// (a first run's 3 GB batch file took 2.4 s to hash before its read
// began), at lowered priority when low (as the read's decoders), and
// sp.wait gives the state; else they are hashed and counted before
// planSpan returns. Either stops when ctx is cancelled (sp.wait then
// returns its error): the caller cancels it when the read fails.
func planSpan(ctx context.Context, path string, prev *fileState, now fileState, jsonLines, beside, low bool) (*span, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	closeFile := true
	defer func() {
		if closeFile {
			fh.Close()
		}
	}()
	h := xxhash.New()
	sp := &span{state: now}
	var lines int64
	if prev != nil && prev.hashed() && prev.Read <= now.Size {
		same, err := sameStart(fh, h, prev)
		if err != nil {
			return nil, err
		}
		if same {
			sp.from, lines = prev.Read, prev.Lines
		} else {
			h.Reset()
		}
	}
	quiet := prev != nil && prev.Size == now.Size && prev.ModTime.Equal(now.ModTime)

	// The read ends after the last newline; pend is what follows it.
	end, pend, err := tail(fh, sp.from, now.Size)
	if err != nil {
		return nil, err
	}
	sp.to = end - int64(len(pend))
	if len(pend) > 0 && (quiet || len(bytes.TrimSpace(pend)) == 0 || (jsonLines && isObject(pend) && json.Valid(pend))) {
		sp.to = end
	}
	counted := sp.from // what is hashed and counted: [counted, sp.to)
	if sp.from > 0 {
		sp.lineBase = prev.Lines
		var b [1]byte
		if _, err := fh.ReadAt(b[:], sp.from-1); err != nil {
			return nil, err
		}
		if b[0] != '\n' {
			// The last read took an unterminated line whole (see above):
			// what follows up to the next newline belongs to it.
			skip, found, err := nextLine(fh, sp.from, sp.to)
			if err != nil {
				return nil, err
			}
			if found {
				sp.lineBase++
			}
			sp.from = skip
		}
	}
	unterminated := sp.to == end && len(pend) > 0
	shrank := fmt.Errorf("%s shrank while it was read (truncated, or rewritten in place?): the run changed nothing; run it again", path)
	if sp.to < counted {
		return nil, shrank
	}
	count := func() error {
		read, newLines, err := hashLines(ctx, h, io.NewSectionReader(fh, counted, sp.to-counted))
		if err != nil {
			return fmt.Errorf("hash %s: %w", path, err)
		}
		if read < sp.to-counted {
			return shrank
		}
		lines += newLines
		sp.state.Read, sp.state.Lines = sp.to, lines
		sp.lastLine = lines
		if unterminated {
			sp.lastLine++ // an unterminated last line, read
		}
		sp.state.Sum = hex.EncodeToString(h.Sum(nil))
		return nil
	}
	if !beside {
		return sp, count()
	}
	closeFile = false
	sp.counted = make(chan error, 1)
	go func() {
		defer fh.Close()
		if low {
			background.Lower() // the thread ends with the goroutine; a failure leaves it as it was
		}
		sp.counted <- count()
	}()
	return sp, nil
}

// sameStart tells whether the file begins with the bytes prev says were
// read, by their hash; h has hashed them after. A state of an earlier
// release holds their SHA-256, checked in the same pass.
func sameStart(fh *os.File, h hash.Hash, prev *fileState) (bool, error) {
	want, sum, w := prev.Sum, h, io.Writer(h)
	if want == "" {
		want, sum = prev.SHA256, sha256.New()
		w = io.MultiWriter(h, sum)
	}
	if _, err := io.Copy(w, io.NewSectionReader(fh, 0, prev.Read)); err != nil {
		return false, err
	}
	return hex.EncodeToString(sum.Sum(nil)) == want, nil
}

// tail returns where the file ends as read (its size, unless it shrank)
// and the bytes after its last newline at or past from (all of them from
// from on, when there is none).
func tail(fh *os.File, from, size int64) (int64, []byte, error) {
	var chunks [][]byte // read backwards: the last chunk first
	end := size
	for at := size; at > from; {
		n := min(1<<20, at-from)
		at -= n
		buf := make([]byte, n)
		got, err := fh.ReadAt(buf, at)
		if err != nil && err != io.EOF {
			return 0, nil, err
		}
		if int64(got) < n && at+int64(got) < end {
			end = at + int64(got) // it shrank: its end is where reading stopped
		}
		chunk := buf[:got]
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			chunks = append(chunks, chunk[i+1:])
			break
		}
		chunks = append(chunks, chunk)
	}
	slices.Reverse(chunks)
	return end, bytes.Join(chunks, nil), nil
}

// nextLine returns the offset just past the first newline in [from, to),
// or to when there is none (found false).
func nextLine(fh *os.File, from, to int64) (int64, bool, error) {
	buf := make([]byte, 64<<10)
	for at := from; at < to; {
		n, err := fh.ReadAt(buf[:min(int64(len(buf)), to-at)], at)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return at + int64(i) + 1, true, nil
		}
		if err == io.EOF || n == 0 {
			return to, false, nil
		}
		if err != nil {
			return 0, false, err
		}
		at += int64(n)
	}
	return to, false, nil
}

// hashLines writes r to h and returns how many bytes it read and how
// many newlines they hold; it stops when ctx is cancelled.
func hashLines(ctx context.Context, h hash.Hash, r io.Reader) (n, lines int64, err error) {
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return n, lines, err
		}
		k, err := r.Read(buf)
		h.Write(buf[:k])
		lines += int64(bytes.Count(buf[:k], []byte{'\n'}))
		n += int64(k)
		if err == io.EOF {
			return n, lines, nil
		}
		if err != nil {
			return n, lines, err
		}
	}
}

// copySpan writes bytes [from, to) of path to a new temporary file, after
// the file's first line when header is set (a CSV header), and returns its
// name (the caller removes it).
func copySpan(path string, from, to int64, header bool, ext string) (string, error) {
	src, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer src.Close()
	out, err := os.CreateTemp("", "mosaic-span-*"+ext)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(out, 1<<20)
	fail := func(err error) (string, error) {
		out.Close()
		os.Remove(out.Name())
		return "", err
	}
	if header {
		line, err := bufio.NewReader(src).ReadBytes('\n')
		if err != nil && err != io.EOF {
			return fail(err)
		}
		if len(line) == 0 || line[len(line)-1] != '\n' {
			line = append(line, '\n')
		}
		if _, err := w.Write(line); err != nil {
			return fail(err)
		}
	}
	if _, err := io.Copy(w, io.NewSectionReader(src, from, to-from)); err != nil {
		return fail(err)
	}
	if err := w.Flush(); err != nil {
		return fail(err)
	}
	if err := out.Close(); err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}

package files

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"strings"
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
}

// planSpan decides what of a line file to read, in one pass over it.
//
// When the state has a hash (prev != nil) and the file still begins with
// the bytes read last time (their SHA-256 is the stored one), the read
// starts where the last one ended; otherwise (the file shrank, or changed
// in place) it starts at 0. The read ends at the end of the last complete
// line: an unterminated last line is left for a later read, unless it is
// complete anyway (a JSON object, for json lines: a cut JSON object is
// never valid JSON) or the file has not changed since the last run (quiet: the
// writer is done with it). The state remembers the end as `read`, with the
// hash of bytes [0, read) and how many newlines they hold.
func planSpan(path string, prev *fileState, now fileState, jsonLines bool) (span, error) {
	fh, err := os.Open(path)
	if err != nil {
		return span{}, err
	}
	defer fh.Close()
	h := sha256.New()
	sp := span{state: now}
	var lines int64
	if prev != nil && prev.Hash != "" && prev.Read <= now.Size {
		if _, err := io.Copy(h, io.NewSectionReader(fh, 0, prev.Read)); err != nil {
			return span{}, err
		}
		if hex.EncodeToString(h.Sum(nil)) == prev.Hash {
			sp.from, lines = prev.Read, prev.Lines
		} else {
			h.Reset()
		}
	}
	quiet := prev != nil && prev.Size == now.Size && prev.ModTime.Equal(now.ModTime)

	// Hash the rest up to its last newline; pend holds the bytes after it.
	var pend []byte
	cont := false // the last read ended inside a line: skip its rest
	skip := int64(-1)
	buf := make([]byte, 1<<20)
	r := io.NewSectionReader(fh, sp.from, now.Size-sp.from)
	pos := sp.from
	if sp.from > 0 {
		var b [1]byte
		if _, err := fh.ReadAt(b[:], sp.from-1); err != nil {
			return span{}, err
		}
		cont = b[0] != '\n'
	}
	for {
		n, err := r.Read(buf)
		chunk := buf[:n]
		if cont && skip < 0 {
			if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
				skip = pos + int64(i) + 1
			}
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			h.Write(pend)
			h.Write(chunk[:i+1])
			pend = append(pend[:0], chunk[i+1:]...)
		} else {
			pend = append(pend, chunk...)
		}
		lines += int64(bytes.Count(chunk, []byte{'\n'}))
		pos += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return span{}, err
		}
	}
	// pos is now.Size unless the file shrank while being read.
	sp.to = pos - int64(len(pend))
	if len(pend) > 0 && (quiet || len(bytes.TrimSpace(pend)) == 0 || (jsonLines && isObject(pend) && json.Valid(pend))) {
		h.Write(pend)
		sp.to = pos
	}
	// lines counted from 0 (or from prev.Lines at prev.Read); the unread
	// tail holds no newline.
	sp.lineBase = 0
	if sp.from > 0 {
		sp.lineBase = prev.Lines
	}
	if cont {
		// The last read took an unterminated line whole (see above): what
		// follows up to the next newline belongs to it.
		if skip < 0 || skip > sp.to {
			skip = sp.to
		} else {
			sp.lineBase++
		}
		sp.from = skip
	}
	sp.state.Read, sp.state.Lines = sp.to, lines
	sp.lastLine = lines
	if sp.to == pos && len(pend) > 0 {
		sp.lastLine++ // an unterminated last line, read
	}
	sp.state.Hash = hex.EncodeToString(h.Sum(nil))
	return sp, nil
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

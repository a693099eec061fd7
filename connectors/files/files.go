// Package files is the embedded default source: local Parquet, CSV and
// NDJSON files (gzip too), read by DuckDB's own readers.
//
// A file is read once: the source's state remembers each file by path (as
// written relative to the pipeline file's folder), size and modification
// time, and a file whose size or time changed is read again. A line file
// (CSV, NDJSON, batch; not gzip) that only grew is read from where the
// last read ended (see span.go); any other changed file is read whole.
// Files are read in path order, and rows in file order.
package files

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Config is a files feed's `source:` block.
type Config struct {
	// Path is a file or a glob (`data/web/*.csv.gz`), relative to the
	// pipeline file's folder.
	Path string `yaml:"path"`
	// Format is csv, ndjson, parquet or batch; by default it follows the
	// extension (.csv, .ndjson/.jsonl/.json, .parquet, optionally .gz).
	Format string `yaml:"format"`
	// Delimiter separates CSV fields (default ",").
	Delimiter string `yaml:"delimiter"`
}

// Formats lists the formats this source reads. batch is NDJSON of
// mParticle Events API batches (never inferred from the extension).
var Formats = []string{"csv", "ndjson", "parquet", "batch"}

// Source reads local files.
type Source struct{}

// New returns the files source.
func New() *Source { return &Source{} }

type fileState struct {
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
	// Line files only (not gzip): the bytes read, [0, read), end at the
	// end of a line; xxh64 is their XXH64 (hex) and lines how many
	// newlines they hold (the line number the next read continues from).
	// A state written by an earlier release holds their SHA-256 (sha256).
	Read   int64  `json:"read,omitempty"`
	Sum    string `json:"xxh64,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Lines  int64  `json:"lines,omitempty"`
}

// hashed tells whether the state holds a hash of the bytes read.
func (st *fileState) hashed() bool { return st.Sum != "" || st.SHA256 != "" }

// heldBack tells whether the read that left st (nil: none) held back a
// last line without its newline. Only the read that starts holding one
// back warns: a file that keeps growing without a final newline holds its
// last line back at every run, which is no news after the first (a
// scheduled run would repeat the warning at every run), while a file read
// to its end, then holding a line back again, is.
func (st *fileState) heldBack() bool { return st != nil && st.hashed() && st.Read < st.Size }

type state struct {
	Files map[string]fileState `json:"files"`
}

// Validate checks the source block and that its path matches a file.
func (s *Source) Validate(req connectors.ValidateRequest) error {
	_, _, err := s.plan(req)
	return err
}

func (s *Source) plan(req connectors.ValidateRequest) (Config, []string, error) {
	var c Config
	if err := req.Source.Raw.Decode(&c); err != nil {
		return c, nil, err
	}
	if c.Path == "" {
		return c, nil, req.Source.Raw.Errorf("kind", "a files source needs `path:` (a file or a glob)")
	}
	if c.Format != "" && !slices.Contains(Formats, c.Format) {
		return c, nil, req.Source.Raw.Errorf("format", "unknown format %q (expected one of: %s)", c.Format, strings.Join(Formats, ", "))
	}
	if c.Format == "" {
		if c.Format = formatOf(c.Path); c.Format == "" {
			return c, nil, req.Source.Raw.Errorf("path", "cannot tell the format of %q from its extension: add `format:` (%s)", c.Path, strings.Join(Formats, ", "))
		}
	}
	if len([]rune(c.Delimiter)) > 1 {
		return c, nil, req.Source.Raw.Errorf("delimiter", "delimiter must be one character, got %q", c.Delimiter)
	}
	pattern := req.Resolve(c.Path)
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return c, nil, req.Source.Raw.Errorf("path", "bad glob %q: %v", c.Path, err)
	}
	if len(matches) == 0 {
		err := req.Source.Raw.Errorf("path", "feed %s: no file matches %q (looked for %s); add the files, or fix `path:`", req.Feed, c.Path, pattern)
		var ce *config.Error
		if errors.As(err, &ce) {
			ce.NoData = true // not there yet: a run warns and reads nothing
		}
		return c, nil, err
	}
	slices.Sort(matches)
	return c, matches, nil
}

func formatOf(path string) string {
	p := strings.TrimSuffix(strings.ToLower(path), ".gz")
	switch filepath.Ext(p) {
	case ".csv", ".tsv":
		return "csv"
	case ".ndjson", ".jsonl", ".json":
		return "ndjson"
	case ".parquet":
		return "parquet"
	}
	return ""
}

// Read stages every file not read before.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.Sink) (json.RawMessage, error) {
	c, matches, err := s.plan(req.ValidateRequest)
	if err != nil {
		return nil, err
	}
	return read(ctx, req, c, matches, sink)
}

// ReadBatchFiles reads the given NDJSON files of mParticle batches as a
// `format: batch` feed does, with the same state: each file once, a file
// that only grew from where its last read ended. Paths must be absolute
// and sorted. The Events API's landing log is read this way.
func ReadBatchFiles(ctx context.Context, req connectors.ReadRequest, paths []string, sink connectors.Sink) (json.RawMessage, error) {
	return read(ctx, req, Config{Format: "batch"}, paths, sink)
}

func read(ctx context.Context, req connectors.ReadRequest, c Config, matches []string, sink connectors.Sink) (json.RawMessage, error) {
	st, todo, err := pending(req, matches, c.Format)
	if err != nil {
		return nil, err
	}
	text := newBatchText(req.RawBatches)
	for _, p := range todo {
		f := file{path: p.path, origin: p.key, columns: req.Columns, delimiter: c.Delimiter, cores: req.Cores, background: req.Background, text: text, judge: req.Judge}
		now := p.now
		if appendable(c.Format, p.path) {
			now, err = f.readSpan(ctx, c.Format, p.prev, p.now, sink)
		} else {
			err = f.read(ctx, c.Format, sink)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.key, err)
		}
		if now.heldBack() && !p.prev.heldBack() && req.Warn != nil {
			req.Warn(fmt.Sprintf("%s: line %d has no newline at its end: held back until it has one, or until a run finds the file unchanged (a line being written is not read half; while the file grows without a final newline, later runs do not repeat this)", p.key, now.Lines+1))
		}
		st.Files[p.key] = now
	}
	return json.Marshal(st)
}

// readSpan reads what of a line file is new since prev (see planSpan) and
// returns the file's new state.
func (f file) readSpan(ctx context.Context, format string, prev *fileState, now fileState, sink connectors.Sink) (fileState, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, state, done, err := f.spanned(ctx, format, prev, now, false)
	if err != nil {
		return now, err
	}
	if done == nil {
		return state()
	}
	defer done()
	if err := g.read(ctx, format, sink); err != nil {
		cancel()
		state() // the pass beside the read stops with it
		return now, err
	}
	return state()
}

// spanned returns f set to read what of a line file is new since prev,
// with the file's state once read (state: a batch file's is final once
// it has been read); done is nil when there is nothing to
// read, else the caller calls it after the read. The bytes are handed to
// DuckDB as the file itself when they are all of it, else copied to a
// temporary file (after the header line, for CSV) that done removes; a
// batch file is read through a section of itself, unless copyBatch (for
// Check, which reads it with DuckDB). Line numbers stay the file's.
func (f file) spanned(ctx context.Context, format string, prev *fileState, now fileState, copyBatch bool) (file, func() (fileState, error), func(), error) {
	direct := format == "batch" && !copyBatch
	sp, err := planSpan(ctx, f.path, prev, now, format != "csv", direct, f.background)
	if err != nil {
		return f, nil, nil, err
	}
	if sp.from >= sp.to {
		return f, sp.wait, nil, nil // nothing new, or only an unfinished line
	}
	if direct {
		f.from, f.to, f.lineBase = sp.from, sp.to, sp.lineBase
		return f, sp.wait, func() {}, nil
	}
	if sp.from == 0 && sp.to == now.Size {
		// DuckDB reads the file itself, to its end at the time: an NDJSON
		// read stops at the last line planned, should a writer append
		// meanwhile (those lines are the next read's).
		f.maxLine = sp.lastLine
		return f, sp.wait, func() {}, nil
	}
	header := format == "csv" && sp.from > 0
	ext := ".ndjson"
	if format == "csv" {
		ext = ".csv"
	}
	tmp, err := copySpan(f.path, sp.from, sp.to, header, ext)
	if err != nil {
		return f, nil, nil, err
	}
	f.path, f.lineBase = tmp, sp.lineBase
	if header {
		f.lineBase-- // the copy's line 1 is the header
	}
	return f, sp.wait, func() { os.Remove(tmp) }, nil
}

// pendingFile is a matched file that the next read reads.
type pendingFile struct {
	path, key string // as opened; as recorded in the state
	now       fileState
	prev      *fileState // as last read, if it was
}

// pending decodes the state and lists the matched files that are new or
// changed since it, in path order: a line file whose last read left an
// unterminated line is pending even when unchanged (the line is read once
// the file stays the same for a run).
func pending(req connectors.ReadRequest, matches []string, format string) (state, []pendingFile, error) {
	st := state{Files: map[string]fileState{}}
	if req.State != nil {
		if err := json.Unmarshal(req.State, &st); err != nil {
			return st, nil, fmt.Errorf("read files state: %w", err)
		}
		if st.Files == nil {
			st.Files = map[string]fileState{}
		}
	}
	base := req.Resolve(".")
	var todo []pendingFile
	for _, path := range matches {
		info, err := os.Stat(path)
		if err != nil {
			return st, nil, err
		}
		if info.IsDir() {
			continue
		}
		key, err := filepath.Rel(base, path)
		if err != nil {
			key = path
		}
		now := fileState{Size: info.Size(), ModTime: info.ModTime().UTC()}
		p := pendingFile{path: path, key: key, now: now}
		if prev, ok := st.Files[key]; ok {
			same := prev.Size == now.Size && prev.ModTime.Equal(now.ModTime)
			held := prev.heldBack() && appendable(format, path)
			if same && !held {
				continue
			}
			p.prev = &prev
		}
		todo = append(todo, p)
	}
	return st, todo, nil
}

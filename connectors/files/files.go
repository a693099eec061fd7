// Package files is the embedded default source: local Parquet, CSV and
// NDJSON files (gzip too), read by DuckDB's own readers.
//
// A file is read once: the source's state remembers each file by path (as
// written relative to the pipeline file's folder), size and modification
// time, and a file whose size or time changed is read again, whole. Files
// are read in path order, and rows in file order.
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
}

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
	st, todo, err := pending(req, matches)
	if err != nil {
		return nil, err
	}
	for _, p := range todo {
		f := file{path: p.path, origin: p.key, columns: req.Columns, delimiter: c.Delimiter}
		if err := f.read(ctx, c.Format, sink); err != nil {
			return nil, fmt.Errorf("%s: %w", p.key, err)
		}
		st.Files[p.key] = p.now
	}
	return json.Marshal(st)
}

// pendingFile is a matched file that the next read reads.
type pendingFile struct {
	path, key string // as opened; as recorded in the state
	now       fileState
}

// pending decodes the state and lists the matched files that are new or
// changed since it, in path order.
func pending(req connectors.ReadRequest, matches []string) (state, []pendingFile, error) {
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
		if prev, ok := st.Files[key]; ok && prev.Size == now.Size && prev.ModTime.Equal(now.ModTime) {
			continue
		}
		todo = append(todo, pendingFile{path: path, key: key, now: now})
	}
	return st, todo, nil
}

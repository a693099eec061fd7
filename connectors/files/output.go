package files

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// OutputConfig is a files output's own keys.
type OutputConfig struct {
	// Path is the folder the files go to, relative to the pipeline file's
	// folder; it is created when missing.
	Path string `yaml:"path"`
	// Format is ndjson (the default), csv or parquet.
	Format string `yaml:"format"`
}

// OutputFormats lists the formats a files output writes.
var OutputFormats = []string{"ndjson", "csv", "parquet"}

// Destination writes each sync of an output as one file in a folder:
// `<output>-run<run>-sync<sync>.<format>`, one row per record with its op
// (upsert, add or remove), its key and one column per field. The file is
// written by the store's own COPY under a hidden temporary name, synced to
// disk and renamed into place, so a reader never sees half a file. A sync
// with nothing to send writes no file.
type Destination struct{}

// NewDestination returns the files destination.
func NewDestination() *Destination { return &Destination{} }

func (d *Destination) config(req connectors.OutputRequest) (OutputConfig, error) {
	var c OutputConfig
	if err := req.Output.Raw.Decode(&c); err != nil {
		return c, err
	}
	if c.Path == "" {
		return c, req.Output.Raw.Errorf("kind", "a files output needs `path:`, the folder its files go to")
	}
	if c.Format == "" {
		c.Format = "ndjson"
	}
	if !slices.Contains(OutputFormats, c.Format) {
		return c, req.Output.Raw.Errorf("format", "unknown format %q (expected one of: %s)", c.Format, strings.Join(OutputFormats, ", "))
	}
	return c, nil
}

// Validate checks the output's keys.
func (d *Destination) Validate(req connectors.OutputRequest) error {
	_, err := d.config(req)
	return err
}

// Open creates the folder.
func (d *Destination) Open(ctx context.Context, req connectors.OutputRequest) (connectors.Writer, error) {
	c, err := d.config(req)
	if err != nil {
		return nil, err
	}
	dir := req.Resolve(c.Path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create the output folder: %w", err)
	}
	return &fileWriter{dir: dir, format: c.Format}, nil
}

type fileWriter struct {
	dir, format string
}

// Write is never called: a files output is a Copier.
func (w *fileWriter) Write(ctx context.Context, b connectors.Batch) ([]error, error) {
	return nil, errors.New("files output: records are written with Copy")
}

// Copy writes the sync's file under a temporary name and renames it into
// place once it is on disk.
func (w *fileWriter) Copy(ctx context.Context, c connectors.CopyRequest) error {
	name := fmt.Sprintf("%s-run%06d-sync%06d.%s", c.Output, c.RunID, c.SyncID, w.format)
	final := filepath.Join(w.dir, name)
	tmp := filepath.Join(w.dir, "."+name+".tmp")
	if err := c.To(ctx, tmp, w.format); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", final, err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", final, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", final, err)
	}
	// The rename is durable once the folder is synced.
	if err := syncFile(w.dir); err != nil {
		return fmt.Errorf("write %s: %w", final, err)
	}
	return nil
}

// Close does nothing: each Copy finishes its file.
func (w *fileWriter) Close() error { return nil }

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// Load reads, decodes and validates a pipeline file. A problem in the file
// is returned as Errors (errors.Is(err, ErrInvalid)); every one of them
// names file:line:col.
func Load(path string) (*Pipeline, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read pipeline file: %w", err)
	}
	return Parse(path, src)
}

// Parse decodes and validates a pipeline file's content; path names it in
// errors and anchors its relative paths.
func Parse(path string, src []byte) (*Pipeline, error) {
	file, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, syntaxError(path, err)
	}
	p := &Pipeline{File: path, Dir: filepath.Dir(path)}
	d := newDecoder(path)
	if len(file.Docs) != 1 || file.Docs[0].Body == nil {
		return nil, Errors{{Pos: Position{File: path, Line: 1, Col: 1}, Msg: "the pipeline file is empty or holds more than one YAML document"}}
	}
	d.decode(file.Docs[0].Body, reflect.ValueOf(p).Elem(), "")
	p.positions = d.pos
	for k, v := range d.keys {
		if _, ok := p.positions[k]; !ok {
			p.positions[k] = v
		}
	}
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	v := &validator{p: p}
	v.validate()
	if len(v.errs) > 0 {
		return nil, v.errs.sorted()
	}
	p.applyDefaults()
	return p, nil
}

func syntaxError(path string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		pos := ye.GetToken().Position
		return Errors{{Pos: Position{File: path, Line: pos.Line, Col: pos.Column}, Msg: "YAML syntax: " + ye.GetMessage()}}
	}
	return Errors{{Pos: Position{File: path}, Msg: "YAML syntax: " + err.Error()}}
}

// Resolve returns path made absolute against the pipeline file's folder.
func (p *Pipeline) Resolve(path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(p.Dir, path)
}

// canonicalKeys returns m with its identity-type keys in stored spelling.
func canonicalKeys[V any](m map[string]V) map[string]V {
	if m == nil {
		return nil
	}
	out := make(map[string]V, len(m))
	for t, x := range m {
		c, _ := CanonicalIdentityType(t)
		out[c] = x
	}
	return out
}

func (p *Pipeline) applyDefaults() {
	if p.State == "" {
		p.State = p.Name + ".duckdb"
	}
	p.State = p.Resolve(p.State)
	id := &p.Identity
	for _, ts := range [][]string{id.Priority, id.Unique, id.CaseSensitive} {
		for i, t := range ts {
			ts[i], _ = CanonicalIdentityType(t)
		}
	}
	id.Limits = canonicalKeys(id.Limits)
	id.Blocklist = canonicalKeys(id.Blocklist)
	id.MaxShared = canonicalKeys(id.MaxShared)
	for i := range p.Feeds {
		f := &p.Feeds[i]
		if f.Protection == "" {
			f.Protection = CreateUpdate
		}
		for col, t := range f.Identities {
			f.Identities[col], _ = CanonicalIdentityType(t)
		}
	}
}

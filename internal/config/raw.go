package config

import (
	"fmt"
	"reflect"

	"github.com/goccy/go-yaml/ast"
)

// Raw is a connector's block of a pipeline file kept as YAML, so that the
// connector its `kind` names decodes it later with the same positioned
// errors. Common keys (decoded by config itself) are accepted and skipped.
type Raw struct {
	file   string
	path   string
	node   ast.Node
	common []string
}

// Path is the block's path in the pipeline file ("feeds[0].source").
func (r Raw) Path() string { return r.path }

// Decode decodes the block into v, a pointer to a struct with `yaml` tags.
// It returns Errors naming file:line:col for unknown keys and wrong types.
func (r Raw) Decode(v any) error {
	if r.node == nil {
		return nil
	}
	d := newDecoder(r.file)
	d.skip = map[string]bool{}
	for _, k := range r.common {
		d.skip[join(r.path, k)] = true
	}
	d.decode(r.node, reflect.ValueOf(v).Elem(), r.path)
	if len(d.errs) > 0 {
		return d.errs.sorted()
	}
	return nil
}

// Errorf returns an error positioned at the key (or value) at path below
// the block, e.g. r.Errorf("path", "no file matches %q", p).
func (r Raw) Errorf(key, format string, args ...any) error {
	d := newDecoder(r.file)
	d.decodeAll(r.node, r.path)
	pos, ok := d.pos[join(r.path, key)]
	if !ok {
		pos = d.at(r.node)
	}
	return &Error{Pos: pos, Msg: join(r.path, key) + ": " + fmt.Sprintf(format, args...)}
}

// IsBatch reports whether the feed reads mParticle batch JSON, whose rows
// carry their own identities and mpid: an Events API feed, or a block that
// sets `format: batch`.
func (s Source) IsBatch() bool {
	if s.Kind == EventsAPI {
		return true
	}
	pairs, _ := mappingPairs(unwrap(s.Raw.node))
	for _, kv := range pairs {
		if keyString(kv.Key) == "format" {
			v, _ := scalarString(unwrap(kv.Value))
			return v == "batch"
		}
	}
	return false
}

func (s *Source) decodeNode(d *decoder, node ast.Node, path string) error {
	s.Raw = Raw{file: d.file, path: path, node: node, common: []string{"kind"}}
	return decodeCommon(d, node, path, reflect.ValueOf(s).Elem(), s.Raw.common)
}

func (o *Output) decodeNode(d *decoder, node ast.Node, path string) error {
	o.Raw = Raw{file: d.file, path: path, node: node, common: outputCommonKeys}
	return decodeCommon(d, node, path, reflect.ValueOf(o).Elem(), o.Raw.common)
}

// decodeCommon decodes the keys named in common into v's tagged fields and
// leaves the rest to the connector.
func decodeCommon(d *decoder, node ast.Node, path string, v reflect.Value, common []string) error {
	pairs, ok := mappingPairs(node)
	if !ok {
		return fmt.Errorf("expected a mapping, got %s", describe(node))
	}
	for _, kv := range pairs {
		key := keyString(kv.Key)
		for i := range v.NumField() {
			if v.Type().Field(i).Tag.Get("yaml") == key {
				d.keys[join(path, key)] = d.at(kv.Key)
				d.decode(kv.Value, v.Field(i), join(path, key))
			}
		}
	}
	return nil
}

// decodeAll records the positions of every node below node.
func (d *decoder) decodeAll(node ast.Node, path string) {
	node = unwrap(node)
	d.pos[path] = d.at(node)
	if pairs, ok := mappingPairs(node); ok {
		for _, kv := range pairs {
			d.decodeAll(kv.Value, join(path, keyString(kv.Key)))
		}
	}
	if seq, ok := node.(*ast.SequenceNode); ok {
		for i, item := range seq.Values {
			d.decodeAll(item, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

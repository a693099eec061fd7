package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// nodeDecoder is implemented by config types that read themselves from a
// YAML node (durations, raw connector blocks). A returned error is reported
// at the node's position.
type nodeDecoder interface {
	decodeNode(d *decoder, node ast.Node, path string) error
}

// decoder maps a goccy/go-yaml AST onto Go structs by their `yaml` tags. It
// exists (rather than yaml.Unmarshal) so that every problem, including an
// unknown key with a suggestion, is reported as file:line:col and all of
// them at once, and so that validation can find the position of any value.
type decoder struct {
	file string
	errs Errors
	pos  map[string]Position // path ("feeds[0].source.path") -> value position
	keys map[string]Position // path -> position of its key
	skip map[string]bool     // paths of keys decoded elsewhere (Raw's common keys)
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[string]Position{}, keys: map[string]Position{}}
}

func (d *decoder) at(node ast.Node) Position {
	// A block mapping's token is the ':' of its first pair: point at the
	// first key instead, where the mapping starts.
	switch n := node.(type) {
	case *ast.MappingNode:
		if !n.IsFlowStyle && len(n.Values) > 0 {
			node = n.Values[0].Key
		}
	case *ast.MappingValueNode:
		node = n.Key
	}
	if node == nil || node.GetToken() == nil {
		return Position{File: d.file}
	}
	p := node.GetToken().Position
	return Position{File: d.file, Line: p.Line, Col: p.Column}
}

func (d *decoder) errorf(node ast.Node, format string, args ...any) {
	d.errs = append(d.errs, &Error{Pos: d.at(node), Msg: fmt.Sprintf(format, args...)})
}

var nodeDecoderType = reflect.TypeFor[nodeDecoder]()

func (d *decoder) decode(node ast.Node, v reflect.Value, path string) {
	node = unwrap(node)
	d.pos[path] = d.at(node)
	if _, isNull := node.(*ast.NullNode); isNull || node == nil {
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(nodeDecoderType) {
		if err := v.Addr().Interface().(nodeDecoder).decodeNode(d, node, path); err != nil {
			d.errorf(node, "%s: %v", path, err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(node, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(node, v, path)
	case reflect.Map:
		d.decodeMap(node, v, path)
	case reflect.Slice:
		seq, ok := node.(*ast.SequenceNode)
		if !ok {
			d.errorf(node, "%s: expected a list, got %s", path, describe(node))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
		for i, item := range seq.Values {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	default:
		d.decodeScalar(node, v, path)
	}
}

func (d *decoder) decodeStruct(node ast.Node, v reflect.Value, path string) {
	pairs, ok := mappingPairs(node)
	if !ok {
		d.errorf(node, "%s: expected a mapping, got %s", orTop(path), describe(node))
		return
	}
	fields := map[string]int{}
	var names []string
	for i := range v.NumField() {
		tag := strings.Split(v.Type().Field(i).Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		fields[tag] = i
		names = append(names, tag)
	}
	seen := map[string]bool{}
	for _, kv := range pairs {
		key := keyString(kv.Key)
		if seen[key] {
			d.errorf(kv.Key, "duplicate key %q", key)
			continue
		}
		seen[key] = true
		if d.skip[join(path, key)] {
			continue
		}
		i, known := fields[key]
		if !known {
			d.errorf(kv.Key, "unknown key %q%s", key, suggest(key, names))
			continue
		}
		child := join(path, key)
		d.keys[child] = d.at(kv.Key)
		d.decode(kv.Value, v.Field(i), child)
	}
}

func (d *decoder) decodeMap(node ast.Node, v reflect.Value, path string) {
	pairs, ok := mappingPairs(node)
	if !ok {
		d.errorf(node, "%s: expected a mapping, got %s", path, describe(node))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for _, kv := range pairs {
		key := keyString(kv.Key)
		if v.MapIndex(reflect.ValueOf(key)).IsValid() {
			d.errorf(kv.Key, "duplicate key %q", key)
			continue
		}
		child := join(path, key)
		d.keys[child] = d.at(kv.Key)
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(kv.Value, elem, child)
		v.SetMapIndex(reflect.ValueOf(key), elem)
	}
}

func (d *decoder) decodeScalar(node ast.Node, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		s, ok := scalarString(node)
		if !ok {
			d.errorf(node, "%s: expected a string, got %s", path, describe(node))
			return
		}
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		n, ok := node.(*ast.IntegerNode)
		if !ok {
			d.errorf(node, "%s: expected an integer, got %s", path, describe(node))
			return
		}
		i, err := strconv.ParseInt(n.GetToken().Value, 0, 64)
		if err != nil {
			d.errorf(node, "%s: %v", path, err)
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		if _, ok := node.(*ast.IntegerNode); !ok {
			if _, ok := node.(*ast.FloatNode); !ok {
				d.errorf(node, "%s: expected a number, got %s", path, describe(node))
				return
			}
		}
		f, err := strconv.ParseFloat(node.GetToken().Value, 64)
		if err != nil {
			d.errorf(node, "%s: %v", path, err)
			return
		}
		v.SetFloat(f)
	case reflect.Bool:
		b, ok := node.(*ast.BoolNode)
		if !ok {
			d.errorf(node, "%s: expected true or false, got %s", path, describe(node))
			return
		}
		v.SetBool(b.Value)
	case reflect.Interface:
		var x any
		if err := yaml.NodeToValue(node, &x); err != nil {
			d.errorf(node, "%s: %v", path, err)
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		panic(fmt.Sprintf("config: no decoder for %s at %s", v.Type(), path))
	}
}

// unwrap strips tags and anchors, which carry no meaning in a pipeline file.
func unwrap(node ast.Node) ast.Node {
	for {
		switch n := node.(type) {
		case *ast.TagNode:
			node = n.Value
		case *ast.AnchorNode:
			node = n.Value
		default:
			return node
		}
	}
}

func mappingPairs(node ast.Node) ([]*ast.MappingValueNode, bool) {
	switch n := node.(type) {
	case *ast.MappingNode:
		return n.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{n}, true
	}
	return nil, false
}

func keyString(k ast.MapKeyNode) string {
	if s, ok := scalarString(k); ok {
		return s
	}
	return k.String()
}

func scalarString(node ast.Node) (string, bool) {
	switch n := node.(type) {
	case *ast.StringNode:
		return n.Value, true
	case *ast.LiteralNode:
		return n.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return n.GetToken().Value, true
	}
	return "", false
}

func describe(node ast.Node) string {
	switch node.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.IntegerNode, *ast.FloatNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.AliasNode:
		return "an alias (aliases are not supported)"
	}
	return node.Type().String()
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orTop(path string) string {
	if path == "" {
		return "pipeline file"
	}
	return path
}

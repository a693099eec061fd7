package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestPipelineDocsListEveryKey walks the pipeline-file model and checks that
// docs/pipeline.md names every yaml key of it (as `key`), so the reference
// cannot drift from the model. Outputs are documented on their own page,
// docs/outputs.md, which must name every key of an output.
func TestPipelineDocsListEveryKey(t *testing.T) {
	checkDocKeys(t, "../../docs/pipeline.md", reflect.TypeFor[Pipeline](), 40)
	checkDocKeys(t, "../../docs/outputs.md", reflect.TypeFor[Output](), 15)
}

// checkDocKeys checks that the doc at path names every yaml key below
// root (but a pipeline's outputs), and that there are at least min keys.
func checkDocKeys(t *testing.T, path string, root reflect.Type, min int) {
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{} // key -> the first path it was found at
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || (typ == reflect.TypeFor[Pipeline]() && name == "outputs") {
				continue
			}
			if _, ok := keys[name]; !ok {
				keys[name] = path + name
			}
			walk(f.Type, path+name+".")
		}
	}
	walk(root, "")
	if len(keys) < min {
		t.Fatalf("found only %d keys in the model: the walk is broken", len(keys))
	}
	for key, kpath := range keys {
		if !strings.Contains(string(doc), "`"+key+"`") {
			t.Errorf("%s does not name `%s` (%s)", path, key, kpath)
		}
	}
}

package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestPipelineDocsListEveryKey walks the pipeline-file model and checks that
// docs/pipeline.md names every yaml key of it (as `key`), so the reference
// cannot drift from the model. Outputs are documented on their own page.
func TestPipelineDocsListEveryKey(t *testing.T) {
	doc, err := os.ReadFile("../../docs/pipeline.md")
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
	walk(reflect.TypeFor[Pipeline](), "")
	if len(keys) < 40 {
		t.Fatalf("found only %d keys in the model: the walk is broken", len(keys))
	}
	for key, path := range keys {
		if !strings.Contains(string(doc), "`"+key+"`") {
			t.Errorf("docs/pipeline.md does not name `%s` (%s)", key, path)
		}
	}
}

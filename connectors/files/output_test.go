package files_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/connectortest"
	"github.com/mosaic-cdp/mosaic/connectors/files"
)

// TestDestinationConformance folds the NDJSON files an output wrote, in
// order, into what a reader of the folder holds.
func TestDestinationConformance(t *testing.T) {
	dirs := map[string]string{}
	connectortest.RunDestination(t, "files", files.NewDestination(), connectortest.DestinationFixture{
		Output: func(t *testing.T, dir, name string) string {
			dirs[name] = filepath.Join(dir, "out", name)
			return "    kind: files\n    path: out/" + name + "\n"
		},
		Held: func(t *testing.T, name string) map[string]string {
			paths, _ := filepath.Glob(filepath.Join(dirs[name], "*.ndjson"))
			slices.Sort(paths)
			held := map[string]string{}
			for _, path := range paths {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
					var rec map[string]any
					if err := json.Unmarshal([]byte(line), &rec); err != nil {
						t.Fatalf("%s: %v", path, err)
					}
					op, key := rec["op"].(string), rec["key"].(string)
					delete(rec, "op")
					delete(rec, "key")
					if op == "remove" || op == "forget" {
						delete(held, key)
						continue
					}
					b, _ := json.Marshal(rec)
					held[key] = string(b)
				}
			}
			if leftovers, _ := filepath.Glob(filepath.Join(dirs[name], ".*.tmp")); len(leftovers) > 0 {
				t.Errorf("temporary files left behind: %v", leftovers)
			}
			return held
		},
		// A file in the folder's place makes the output's syncs fail.
		Fail: func(t *testing.T, n int) {
			for _, dir := range dirs {
				if n > 0 {
					if err := os.Rename(dir, dir+".away"); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(dir, nil, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.Remove(dir); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(dir+".away", dir); err != nil {
					t.Fatal(err)
				}
			}
		},
	})
}

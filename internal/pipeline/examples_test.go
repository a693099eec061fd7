package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
)

// TestExamplePipelines runs every pipeline file users copy from pipelines/
// (with its store in a temp folder) and expects profiles out of each.
func TestExamplePipelines(t *testing.T) {
	files, _ := filepath.Glob("../../pipelines/*.yaml")
	if len(files) == 0 {
		t.Fatal("no pipelines/*.yaml")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			switch filepath.Base(f) { // examples that read a server: point them at it, or skip
			case "bigquery.yaml":
				useBigQueryEmulator(t)
			}
			p, err := Load(f, builtin.Registry())
			if err != nil {
				t.Fatal(err)
			}
			for _, feed := range p.Feeds {
				if k := feed.Source.Kind; k != "files" {
					t.Skipf("reads from a %s server: connectors/%s's tests run it against a real one", k, k)
				}
			}
			p.State = filepath.Join(t.TempDir(), "store.duckdb")
			res := run(t, p, Options{})
			if res.Stats.Profiles.Created == 0 {
				t.Errorf("%s created no profile: %+v", f, res.Stats)
			}
		})
	}
}

// TestReadmeShowsTheQuickstart: README shows pipelines/quickstart.yaml as
// it is (without its leading comment), so the two cannot drift apart.
func TestReadmeShowsTheQuickstart(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("../../pipelines/quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(file), "\n")
	for len(lines) > 0 && strings.HasPrefix(lines[0], "#") {
		lines = lines[1:]
	}
	if body := strings.Join(lines, "\n"); !strings.Contains(string(readme), "```yaml\n"+body+"```\n") {
		t.Errorf("README.md does not show pipelines/quickstart.yaml (past its comment) in a ```yaml block:\n%s", body)
	}
}

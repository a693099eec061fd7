package eventsapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestValidateNamesTheProblem: an events_api source needs the names of
// two distinct environment variables; each mistake is positioned and says
// how to fix it.
func TestValidateNamesTheProblem(t *testing.T) {
	for _, c := range []struct{ source, want string }{
		{`{ kind: events_api, secret_env: S }`, "pipeline.yaml:5:21: feeds[0].source.kind: an events_api source needs `key_env:`"},
		{`{ kind: events_api, key_env: K }`, "needs `secret_env:`"},
		{`{ kind: events_api, key_env: my-key, secret_env: S }`, `pipeline.yaml:5:42: feeds[0].source.key_env: "my-key" is not an environment variable's name`},
		{`{ kind: events_api, key_env: K, secret_env: K }`, "key_env and secret_env both name K"},
		{`{ kind: events_api, key_env: K, secret_env: S, path: x }`, `unknown key "path"`},
	} {
		dir := t.TempDir()
		yaml := "version: 1\nname: p\nfeeds:\n  - name: app\n    source: " + c.source + "\n    source_type: events_api\n"
		if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"), builtin.Registry())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.source, err, c.want)
		}
	}
}

package pipeline

import (
	"testing"
)

// TestRawBatchesOnlyForEventsOutputs: a batch feed's raw batches (every
// field, for forwarding as they came) are kept when the pipeline has an
// events output, and not otherwise: an output forwards only the batches of
// runs after it first syncs, so nothing would read them.
func TestRawBatchesOnlyForEventsOutputs(t *testing.T) {
	t.Setenv("RAW_TEST_KEY", "k")
	t.Setenv("RAW_TEST_SECRET", "s")
	for _, tc := range []struct {
		outputs string
		want    string
	}{
		{"", "0"},
		{"outputs:\n  - { name: fwd, kind: mparticle, send: events, url: 'http://127.0.0.1:9', key_env: RAW_TEST_KEY, secret_env: RAW_TEST_SECRET }\n", "1"},
	} {
		dir := t.TempDir()
		writeFile(t, dir, "in/a.ndjson", `{"environment":"production","user_identities":{"email":"a@x.com"},"device_info":{"platform":"iOS"}}`+"\n")
		p := loadPipeline(t, dir, "version: 1\nname: p\nstate: ./s.duckdb\nidentity: { priority: [email] }\nfeeds:\n"+
			"  - { name: a, source: { kind: files, path: in/a.ndjson, format: batch }, source_type: sdk }\n"+tc.outputs)
		run(t, p, Options{NoSync: true})
		got := query(t, p, `SELECT count(*) FILTER (WHERE batch->>'$.device_info.platform' = 'iOS') FROM _mosaic.feed_batches`)
		if got[0] != tc.want {
			t.Errorf("outputs %q: %s raw batches kept, want %s", tc.outputs, got[0], tc.want)
		}
	}
}

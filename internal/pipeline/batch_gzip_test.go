package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// TestGzipBatchFile: a gzipped batch file (written here by the standard
// library, read by the connector's own gzip reader) stages as the same
// file uncompressed does, across decoder chunks; a truncated one fails the
// run naming feed and file, and leaves the store as it was.
func TestGzipBatchFile(t *testing.T) {
	const n = 2*16384 + 17
	var text strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&text, `{"environment":"production","source_request_id":"r%d","user_identities":{"customer_id":"C%d"},"events":[{"event_type":"custom_event","data":{"event_name":"e%d","timestamp_unixtime_ms":%d}}]}`+"\n", i, i%5000, i%7, 1777593600000+i)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write([]byte(text.String()))
	zw.Close()

	stage := func(path, body string) (*config.Pipeline, *Result, error) {
		dir := t.TempDir()
		writeFile(t, dir, path, body)
		p := loadPipeline(t, dir, "version: 1\nname: p\nstate: ./s.duckdb\nidentity: { priority: [customerid] }\nfeeds:\n"+
			"  - { name: a, source: { kind: files, path: "+path+", format: batch }, source_type: sdk }\n")
		res, err := (&Runner{Registry: builtin.Registry()}).Run(context.Background(), p, Options{})
		return p, res, err
	}
	const digest = `SELECT count(*) || ' ' || sum(hash(r.request_id, split_part(r.origin, ':', 2), e.event_name, e.occurred_at))
		FROM _mosaic.feed_rows r JOIN _mosaic.feed_events e USING (row_id)`
	p, _, err := stage("in/a.ndjson", text.String())
	if err != nil {
		t.Fatal(err)
	}
	plain := query(t, p, digest)
	p, res, err := stage("in/a.ndjson.gz", zipped.String())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(plain, query(t, p, digest)); diff != "" || res.Stats.Feeds["a"].Kept != n {
		t.Errorf("gzipped file staged %+v (-plain +gzipped):\n%s", res.Stats.Feeds["a"], diff)
	}

	p, _, err = stage("in/a.ndjson.gz", zipped.String()[:zipped.Len()/2])
	if err == nil || !strings.HasPrefix(err.Error(), "feed a: in/a.ndjson.gz: line ") || !strings.Contains(err.Error(), "ends early") {
		t.Fatalf("truncated gzip: err = %v, want feed, file and line named, and what went wrong", err)
	}
	if rows := query(t, p, "SELECT count(*) FROM _mosaic.feed_rows"); rows[0] != "0" {
		t.Errorf("a failed run left %s rows", rows[0])
	}
}

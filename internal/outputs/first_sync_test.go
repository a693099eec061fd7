package outputs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// TestEventsOutputRetriesItsFirstSync: a new events output starts with the
// run it first syncs after. When that sync fails (the receiver refuses
// every request as unauthorized, which fails the sync, not its records),
// the output's next sync, after another run, still sends the first run's
// batches, with the new ones, each once.
func TestEventsOutputRetriesItsFirstSync(t *testing.T) {
	d, hook := hookSetup(t, "")
	batch := func(id string) string {
		return `{"environment":"production","source_request_id":"` + id + `","user_identities":{"email":"` + id + `@x.com"},` +
			`"events":[{"event_type":"custom_event","data":{"event_name":"e","timestamp_unixtime_ms":1780000000000}}]}` + "\n"
	}
	d.write(t, "data/1.ndjson", batch("r1")+batch("r2"))
	hook.FailNext(1000, 401)
	var oe *pipeline.OutputsError
	if err := d.runWith(t, 1, pipeline.Options{}); !errors.As(err, &oe) {
		t.Fatalf("run 1: %v, want its output's sync to fail", err)
	}
	hook.FailNext(0, 0)
	d.write(t, "data/2.ndjson", batch("r3"))
	if err := d.runWith(t, 2, pipeline.Options{}); err != nil {
		t.Fatalf("run 2: %v", err)
	}
	sent := map[string]int{}
	for _, req := range hook.Requests() {
		if req.Status >= 300 {
			continue
		}
		for _, id := range []string{"r1", "r2", "r3"} {
			sent[id] += strings.Count(string(req.Body), `"source_request_id":"`+id+`"`)
		}
	}
	for _, id := range []string{"r1", "r2", "r3"} {
		if sent[id] != 1 {
			t.Errorf("batch %s delivered %d times, want once (delivered: %v)", id, sent[id], sent)
		}
	}
}

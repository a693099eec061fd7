package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/bytedance/sonic"

	"github.com/mosaic-cdp/mosaic/internal/batch"
	"github.com/mosaic-cdp/mosaic/internal/gen"
)

// floorBatch is the shape the decode floor reads a batch into: every field
// staging keeps, with nothing checked and nothing built.
type floorBatch struct {
	Events []struct {
		EventType string                     `json:"event_type"`
		Data      map[string]json.RawMessage `json:"data"`
	} `json:"events"`
	UserIdentities map[string]*string         `json:"user_identities"`
	UserAttributes map[string]json.RawMessage `json:"user_attributes"`
	DeviceInfo     map[string]json.RawMessage `json:"device_info"`
	MPID           json.RawMessage            `json:"mpid"`
	Environment    string                     `json:"environment"`
	RequestID      string                     `json:"source_request_id"`
	Timestamp      int64                      `json:"timestamp_unixtime_ms"`
}

// decodeFloor measures the best decoder's floor for staging the data's
// batch files: read each (page cache warm after the first run) and decode
// every line on every core, in this process, with sonic into floorBatch
// (nothing checked) and with mosaic's own one-pass decoder (batch.Decoder:
// validated, nothing built). It returns both times and the number of
// lines read (the generator's malformed batches among them, which cost
// their decoding, as in staging).
func decodeFloor(ctx context.Context, data string) (sonicTime, scanTime time.Duration, lines int64, err error) {
	decoders := []struct {
		took   *time.Duration
		decode func() func(line []byte)
	}{
		{&sonicTime, func() func([]byte) {
			return func(line []byte) {
				var b floorBatch
				_ = sonic.Unmarshal(line, &b)
			}
		}},
		{&scanTime, func() func([]byte) {
			var d batch.Decoder
			return func(line []byte) { _, _ = d.DecodeString(string(line), "floor") }
		}},
	}
	for _, dec := range decoders {
		start := time.Now()
		lines = 0
		for _, f := range []string{gen.WebFile, gen.AppFile} {
			n, err := decodeFile(ctx, filepath.Join(data, "parts", "base", f), dec.decode)
			if err != nil {
				return 0, 0, 0, err
			}
			lines += n
		}
		*dec.took = time.Since(start)
	}
	return sonicTime, scanTime, lines, nil
}

// decodeFile decodes every line of path on every core, each goroutine
// with a decoder of its own (decoder returns one).
func decodeFile(ctx context.Context, path string, decoder func() func(line []byte)) (int64, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	lines := bytes.Split(bytes.TrimSpace(text), []byte("\n"))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			decode := decoder()
			for i := w; i < len(lines) && ctx.Err() == nil; i += workers {
				decode(lines[i])
			}
		}()
	}
	wg.Wait()
	return int64(len(lines)), ctx.Err()
}

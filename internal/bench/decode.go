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
// every line with sonic on every core, in this process. It returns the
// wall time and the number of lines read (the generator's malformed
// batches among them, which sonic refuses as staging does).
func decodeFloor(ctx context.Context, data string) (time.Duration, int64, error) {
	start := time.Now()
	var n int64
	for _, f := range []string{gen.WebFile, gen.AppFile} {
		m, err := decodeFile(ctx, filepath.Join(data, "parts", "base", f))
		if err != nil {
			return 0, 0, err
		}
		n += m
	}
	return time.Since(start), n, nil
}

func decodeFile(ctx context.Context, path string) (int64, error) {
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
			for i := w; i < len(lines) && ctx.Err() == nil; i += workers {
				var b floorBatch
				_ = sonic.Unmarshal(lines[i], &b) // a malformed line costs its decoding, as in staging
			}
		}()
	}
	wg.Wait()
	return int64(len(lines)), ctx.Err()
}

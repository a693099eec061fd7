package connectortest

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// memWatch samples the Go heap while a read runs and reads the process's
// peak resident set (VmHWM, reset at the start) when it ends.
type memWatch struct {
	quit, done chan struct{}
	heapPeak   uint64
	rssPeak    uint64
	rssOK      bool
}

func watchMemory() *memWatch {
	runtime.GC()
	debug.FreeOSMemory()
	w := &memWatch{quit: make(chan struct{}), done: make(chan struct{})}
	// Writing 5 to clear_refs resets the peak RSS (Linux ≥ 4.0).
	w.rssOK = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			w.heapPeak = max(w.heapPeak, sample[0].Value.Uint64())
			select {
			case <-w.quit:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *memWatch) stop() *memWatch {
	close(w.quit)
	<-w.done
	if w.rssOK {
		w.rssPeak, w.rssOK = vmHWM()
	}
	return w
}

func (w *memWatch) rssText() string {
	if !w.rssOK {
		return "unknown (no /proc/self/status)"
	}
	return fmt.Sprintf("%d MiB", w.rssPeak>>20)
}

// vmHWM reads the peak resident set size from /proc/self/status.
func vmHWM() (uint64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

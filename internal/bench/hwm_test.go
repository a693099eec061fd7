package bench

import (
	"os"
	"os/exec"
	"testing"
)

func TestVmHWM(t *testing.T) {
	status := []byte("Name:\tmosaic\nVmPeak:\t  900 kB\nVmHWM:\t  1234 kB\nVmRSS:\t  1000 kB\n")
	if got := vmHWM(status); got != 1234*1024 {
		t.Errorf("vmHWM = %d, want %d", got, 1234*1024)
	}
	if got := vmHWM([]byte("Name:\tzombie\nState:\tZ (zombie)\n")); got != 0 {
		t.Errorf("vmHWM of a zombie = %d, want 0", got)
	}
}

// TestPeakRSSIsTheChilds: a small child reads as small, whatever this
// process holds (its ru_maxrss would start from this process's mark).
func TestPeakRSSIsTheChilds(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	ballast := make([]byte, 256<<20)
	for i := range ballast {
		ballast[i] = 1
	}
	cmd := exec.Command("sleep", "0.3")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done, peak := make(chan struct{}), make(chan int64, 1)
	go func() { peak <- peakRSS(cmd.Process.Pid, done) }()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	close(done)
	if p := <-peak; p <= 0 || p > 64<<20 {
		t.Errorf("peak RSS of `sleep` = %d bytes, want above 0 and below 64 MiB (this process holds %d)", p, len(ballast))
	}
}

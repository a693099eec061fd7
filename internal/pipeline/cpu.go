package pipeline

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used so far, user and system,
// over all its threads (DuckDB's included); 0 where it cannot be read.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

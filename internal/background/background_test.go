package background

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestGoLowersOnlyItsThread: fn runs at nice Nice; the caller's thread
// keeps its priority.
func TestGoLowersOnlyItsThread(t *testing.T) {
	if _, err := os.Stat("/proc/thread-self/stat"); err != nil {
		t.Skip("no /proc/thread-self")
	}
	nice := func() int {
		b, err := os.ReadFile("/proc/thread-self/stat")
		if err != nil {
			t.Fatal(err)
		}
		// Field 19 is nice; fields start after the command's ")".
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		n, _ := strconv.Atoi(f[16])
		return n
	}
	var inside int
	if err := Go(func() { inside = nice() }); err != nil {
		t.Fatal(err)
	}
	if inside != Nice {
		t.Errorf("inside Go the thread's nice is %d, want %d", inside, Nice)
	}
	done := make(chan int)
	go func() { done <- nice() }()
	if n := <-done; n == Nice {
		t.Errorf("a later goroutine runs at nice %d: the lowered thread was reused", n)
	}
}

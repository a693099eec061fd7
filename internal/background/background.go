// Package background lowers the CPU priority of the threads doing a
// server's batch work (a run), so that the threads answering requests get
// a core first when both want one.
package background

import "runtime"

// Nice is the priority (Unix nice value) Lower gives a thread.
const Nice = 10

// Lower locks the calling goroutine to its OS thread and lowers that
// thread's priority to Nice, where the system allows it (Linux; elsewhere
// it only locks). The goroutine must then end without unlocking: the
// thread ends with it, and no other goroutine ever runs at the lowered
// priority (raising it back needs privileges).
func Lower() error {
	runtime.LockOSThread()
	return lower()
}

// Go runs fn on a goroutine of its own at lowered priority and waits for
// it.
func Go(fn func()) error {
	errc := make(chan error, 1)
	go func() {
		err := Lower()
		fn()
		errc <- err
	}()
	return <-errc
}

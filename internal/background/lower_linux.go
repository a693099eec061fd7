package background

import "syscall"

func lower() error {
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), Nice)
}

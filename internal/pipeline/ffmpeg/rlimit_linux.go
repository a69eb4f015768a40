package ffmpeg

import (
	"syscall"
	"unsafe"
)

// setAddressSpaceLimit sets RLIMIT_AS (soft and hard) of process pid with
// prlimit(2), which the syscall package does not wrap.
func setAddressSpaceLimit(pid int, limit uint64) error {
	lim := syscall.Rlimit{Cur: limit, Max: limit}
	_, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(syscall.RLIMIT_AS),
		uintptr(unsafe.Pointer(&lim)), 0, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

package delivery

import (
	"syscall"
	"time"
)

func statModTime(st *syscall.Stat_t) time.Time { return time.Unix(st.Mtim.Unix()) }

// setCork sets or clears TCP_CORK on a connection.
func setCork(rc syscall.RawConn, on int) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, on)
	})
	if err != nil {
		return err
	}
	return serr
}

//go:build !linux

package delivery

import (
	"errors"
	"syscall"
	"time"
)

func statModTime(st *syscall.Stat_t) time.Time { return time.Unix(st.Mtimespec.Unix()) }

// setCork: TCP_CORK is Linux's; elsewhere headers and file go out as they
// are written.
func setCork(syscall.RawConn, int) error { return errors.ErrUnsupported }

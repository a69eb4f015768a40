package storage

import (
	"errors"
	"strings"
	"syscall"
)

// IsNoSpace reports that a write failed because the disk (or a quota) is
// full: ENOSPC or EDQUOT, or SQLite saying "database or disk is full". The
// request can succeed later, once space is freed.
func IsNoSpace(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "no space left on device") || strings.Contains(msg, "database or disk is full")
}

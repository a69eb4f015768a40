//go:build !linux

package ffmpeg

import "errors"

// setAddressSpaceLimit is only implemented on Linux.
func setAddressSpaceLimit(pid int, limit uint64) error {
	return errors.New("a memory limit on ffmpeg needs Linux")
}

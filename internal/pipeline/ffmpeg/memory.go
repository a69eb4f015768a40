package ffmpeg

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"github.com/kinema/kinema/internal/media"
)

// The memory ceiling is RLIMIT_AS, the address space a process may map. It
// counts reservations as well as memory in use (thread stacks, malloc
// arenas), so it is sized with that margin, but it is the one limit an
// unprivileged process can put on a child on any Linux, without cgroups.
//
// It is applied by starting the child through util-linux's prlimit(1), as
// argv: prlimit sets the limit on itself and execs ffmpeg, so ffmpeg never
// runs a single instruction without it and keeps prlimit's PID (process-group
// signals still reach it). Go's SysProcAttr cannot set rlimits, and rlimits
// are per process, so setting one in kinema before fork would limit kinema
// too. Without prlimit in PATH, the limit is set with prlimit(2) right after
// the start: a window of microseconds before ffmpeg has opened its input.

// withMemoryLimit returns the command that runs bin with args under the
// runner's ceiling; postStart, when not nil, must be called on the started
// process's PID.
func (r *Runner) withMemoryLimit(bin string, args []string) (name string, argv []string, postStart func(pid int) error, err error) {
	limit := r.MemoryLimit
	if limit <= 0 {
		return bin, args, nil, nil
	}
	if r.prlimit != "" {
		// prlimit execs bin itself: hand it the path os/exec would have run,
		// and fail here, as os/exec would, when there is none (prlimit's
		// own failure would look like ffmpeg rejecting the file).
		path, err := exec.LookPath(bin)
		if err != nil {
			return "", nil, nil, err
		}
		n := strconv.FormatInt(limit, 10)
		// --core=0: a decoder crashing on a hostile file must not fill the
		// disk with a core of several GB.
		return r.prlimit, append([]string{"--as=" + n + ":" + n, "--core=0", "--", path}, args...), nil, nil
	}
	return bin, args, func(pid int) error { return setAddressSpaceLimit(pid, uint64(limit)) }, nil
}

// lookPrlimit finds util-linux's prlimit, or returns "".
func lookPrlimit() string {
	p, err := exec.LookPath("prlimit")
	if err != nil {
		return ""
	}
	return p
}

// allocFailurePatterns are what ffmpeg, its libraries and glibc print when an
// allocation or a thread's stack is refused.
var allocFailurePatterns = []string{
	"Cannot allocate memory", // ENOMEM from any libav* call
	"malloc of size",         // x264: "malloc of size N failed"
	// Decoders: a refused frame buffer, which h264 then reports as
	// "Invalid data found when processing input".
	"get_buffer() failed",
	"out of memory", "Out of memory", // libswscale, glibc, decoders
	"Failed to allocate", "failed to allocate", "Could not allocate",
	"Resource temporarily unavailable",         // pthread_create (EAGAIN): no room for a thread stack
	"failed to map segment from shared object", // the dynamic loader, before main
	// x264 sometimes fails to open without saying why when an allocation or
	// a thread is refused (measured: a 4K chunk under 1000 MiB). With
	// kinema's fixed arguments, its other causes are the input's too.
	"Error while opening encoder",
}

// overMemoryLimit reports whether a failed run most likely hit the ceiling:
// there is one, and stderr shows a refused allocation or the process died
// of the signal an unchecked failed allocation gives.
func overMemoryLimit(limit int64, stderr string, status syscall.WaitStatus) bool {
	if limit <= 0 {
		return false
	}
	for _, p := range allocFailurePatterns {
		if strings.Contains(stderr, p) {
			return true
		}
	}
	return status.Signaled() && (status.Signal() == syscall.SIGSEGV || status.Signal() == syscall.SIGABRT ||
		status.Signal() == syscall.SIGBUS)
}

// MemoryLimitError is returned when ffmpeg or ffprobe failed because it
// reached the runner's memory ceiling. The input asked for it (a huge coded
// picture, a resolution switch mid-stream, a decoder bomb), so retrying on
// this server cannot help: it unwraps to a *media.InputError with a reason
// for the uploader, and to the *ExitError with ffmpeg's details.
type MemoryLimitError struct {
	Limit int64 // bytes of address space the process was allowed
	Exit  *ExitError
}

func (e *MemoryLimitError) Error() string {
	return fmt.Sprintf("over the memory limit of %s: %v", FormatBytes(e.Limit), e.Exit)
}

// Unwrap exposes the reason for the uploader and ffmpeg's exit details.
func (e *MemoryLimitError) Unwrap() []error {
	return []error{&media.InputError{Reason: memoryLimitReason(e.Limit)}, e.Exit}
}

func memoryLimitReason(limit int64) string {
	return fmt.Sprintf("The file needs more memory to decode than this server allows (%s). "+
		"It may be damaged, or describe pictures far larger than it shows.", FormatBytes(limit))
}

// FormatBytes writes n in binary units, e.g. "4 GiB" or "1.5 GiB".
func FormatBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + " " + units[i]
}

package ffmpeg

import (
	"fmt"
	"strings"
	"sync"
)

// ExitError is returned when ffmpeg or ffprobe exits with a non-zero status.
type ExitError struct {
	Code       int    // exit status, -1 when killed by a signal
	StderrTail string // the last 64 KiB of stderr, at most
	// Hint explains a known failure in words a person understands; empty
	// when the stderr matched no known pattern.
	Hint string
	// Input reports that the hint blames the input file (corrupt, truncated,
	// not media). Retrying will not help.
	Input bool
}

// Error reports the exit status, the hint and the last lines of stderr.
func (e *ExitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "exit status %d", e.Code)
	if e.Hint != "" {
		b.WriteString(": ")
		b.WriteString(e.Hint)
	}
	if tail := lastLines(e.StderrTail, 5); len(tail) > 0 {
		b.WriteString("; stderr: ")
		b.WriteString(strings.Join(tail, " | "))
	}
	return b.String()
}

// hint maps a substring of ffmpeg's stderr to an explanation.
type hint struct {
	pattern string
	text    string
	input   bool // the input file is at fault
}

// knownHints is ordered: the first match wins, so specific patterns come
// before generic ones. It is a function so the table cannot be mutated.
func knownHints() []hint {
	const refs = "The file refers to other files or web addresses, which kinema does not allow."
	return []hint{
		{"' not on whitelist '", refs, true}, // "Protocol 'http' not on whitelist 'file'!"
		{"Format not on whitelist", "The file is not in a container format kinema accepts. Playlists, file lists, " +
			"images and subtitles are refused because they can refer to other files.", true},
		{"moov atom not found", "The file is incomplete: its index is missing, which usually means the upload " +
			"was cut off or the recording was never finished.", true},
		{"partial file", "The file ends early; it may have been cut off during upload.", true},
		{"EBML header parsing failed", "The file looks like MKV or WebM but is damaged.", true},
		{"does not contain any stream", "The file has no audio or video stream.", true},
		{"Decoder (codec", "The file uses a codec kinema cannot decode.", true},
		{"Invalid data found when processing input", "The file is not a media file kinema can read, or it is damaged.", true},
		{"No space left on device", "The server ran out of disk space.", false},
		{"Unknown encoder", "This server's ffmpeg lacks a required encoder (libx264 or aac).", false},
		{"Cannot allocate memory", "The server ran out of memory.", false},
		{"Permission denied", "The server may not open a file it needs (permission denied).", false},
	}
}

// lookupHint returns the first known explanation for stderr.
func lookupHint(stderr string) (text string, input bool) {
	for _, h := range knownHints() {
		if strings.Contains(stderr, h.pattern) {
			return h.text, h.input
		}
	}
	return "", false
}

// lastLines returns up to n non-empty trailing lines of s.
func lastLines(s string, n int) []string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	var out []string
	for i := len(lines) - 1; i >= 0 && len(out) < n; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			out = append(out, l)
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// tailBuffer keeps the last max bytes written to it, so a chatty process
// cannot grow memory without bound while the end of its log is preserved.
type tailBuffer struct {
	mu        sync.Mutex
	max       int
	buf       []byte
	truncated bool
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*t.max { // compact lazily to keep writes amortised O(1)
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
		t.truncated = true
	}
	return len(p), nil
}

// String returns the tail, starting at a line boundary when bytes were
// dropped.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf
	if len(b) > t.max {
		b, t.truncated = b[len(b)-t.max:], true
	}
	if t.truncated {
		if i := strings.IndexByte(string(b), '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}

package ffmpeg

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// Progress is one heartbeat parsed from ffmpeg's -progress output.
type Progress struct {
	OutTime time.Duration // position reached in the output
	Frame   int64         // video frames written so far
	Speed   float64       // multiple of real time; 0 when unknown
	Dropped int64         // frames dropped plus frames duplicated to keep the output rate
	Done    bool          // ffmpeg reported progress=end
}

// progressEvery is the minimum spacing of heartbeats; ffmpeg itself writes a
// block every 0.5 s by default, faster bursts are dropped.
const progressEvery = 500 * time.Millisecond

// progressWriter parses the key=value blocks ffmpeg writes with -progress.
// Each block ends with a progress=continue|end line.
type progressWriter struct {
	fn    func(Progress)
	now   func() time.Time
	every time.Duration
	line  []byte
	cur   Progress
	last  time.Time
	drop  int64
	dup   int64
}

func newProgressWriter(fn func(Progress), now func() time.Time) *progressWriter {
	return &progressWriter{fn: fn, now: now, every: progressEvery}
}

func (w *progressWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(w.line) < 4096 { // a line this long is not progress output
				w.line = append(w.line, p...)
			}
			break
		}
		w.line = append(w.line, p[:i]...)
		w.handle(string(w.line))
		w.line, p = w.line[:0], p[i+1:]
	}
	return n, nil
}

func (w *progressWriter) handle(line string) {
	key, val, ok := strings.Cut(strings.TrimSpace(line), "=")
	if !ok {
		return
	}
	val = strings.TrimSpace(val)
	switch key {
	case "out_time_us":
		if us, err := strconv.ParseInt(val, 10, 64); err == nil && us >= 0 {
			w.cur.OutTime = time.Duration(us) * time.Microsecond
		}
	case "frame":
		if f, err := strconv.ParseInt(val, 10, 64); err == nil {
			w.cur.Frame = f
		}
	case "drop_frames", "dup_frames":
		if f, err := strconv.ParseInt(val, 10, 64); err == nil {
			if key == "drop_frames" {
				w.drop = f
			} else {
				w.dup = f
			}
			w.cur.Dropped = w.drop + w.dup
		}
	case "speed":
		if s, err := strconv.ParseFloat(strings.TrimSuffix(val, "x"), 64); err == nil {
			w.cur.Speed = s
		}
	case "progress":
		w.cur.Done = val == "end"
		now := w.now()
		if w.cur.Done || w.last.IsZero() || now.Sub(w.last) >= w.every {
			w.last = now
			if w.fn != nil {
				w.fn(w.cur)
			}
		}
	}
}

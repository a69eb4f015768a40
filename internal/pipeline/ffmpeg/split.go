package ffmpeg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kinema/kinema/internal/media"
)

// KeyframeIndex is what Keyframes learned about the first video stream of
// a file. Times are on the timeline ffmpeg gives the file when it reads it
// (presentation time minus the file's start time), which is the timeline of
// the plan's chunks.
type KeyframeIndex struct {
	Keyframes []media.Keyframe
	First     float64 // time of the first packet in decode order
	Packets   int
}

// ErrNoKeyframeIndex means the packets of a file do not allow cutting it at
// keyframes by time: no keyframe, packets without timestamps, or keyframe
// timestamps that do not increase.
var ErrNoKeyframeIndex = errors.New("no usable keyframe timestamps")

// Keyframes reads the packet headers of the first video stream of the file
// at path, without decoding, and returns its keyframes.
func (r *Runner) Keyframes(ctx context.Context, path string) (KeyframeIndex, error) {
	args := append([]string{"-v", "error"}, InputFlags()...)
	// csv with section names: "packet,<pts_time>,<flags>" for each packet
	// (ffprobe prints fields in its own order: pts_time before flags), then
	// "format,<start_time>".
	args = append(args, "-select_streams", "v:0",
		"-show_entries", "packet=pts_time,flags:format=start_time", "-of", "csv=p=1", inputURL(path))
	var sc keyframeScanner
	w := &lineWriter{fn: sc.line}
	if err := r.exec(ctx, r.FFprobe, args, w); err != nil {
		return KeyframeIndex{}, fmt.Errorf("ffprobe packets %s: %w", path, err)
	}
	w.flush()
	return sc.result()
}

// keyframeScanner turns ffprobe's packet lines into a KeyframeIndex while
// they stream in: it keeps one entry per keyframe, not one per packet.
type keyframeScanner struct {
	idx      KeyframeIndex
	start    float64
	groupMin []float64 // earliest time of the packets from keyframe k to k+1
	err      error
}

func (s *keyframeScanner) line(line string) {
	if s.err != nil {
		return
	}
	f := strings.Split(strings.TrimSpace(line), ",")
	switch {
	case len(f) == 2 && f[0] == "format":
		if v, err := strconv.ParseFloat(f[1], 64); err == nil {
			s.start = v
		}
	case len(f) == 3 && f[0] == "packet":
		t, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			s.err = fmt.Errorf("%w: packet %d has no timestamp", ErrNoKeyframeIndex, s.idx.Packets)
			return
		}
		if s.idx.Packets == 0 {
			s.idx.First = t
		}
		s.idx.Packets++
		if strings.HasPrefix(f[2], "K") {
			if n := len(s.idx.Keyframes); n > 0 && t <= s.idx.Keyframes[n-1].Time {
				s.err = fmt.Errorf("%w: keyframe at %.6f s after one at %.6f s", ErrNoKeyframeIndex, t, s.idx.Keyframes[n-1].Time)
				return
			}
			s.idx.Keyframes = append(s.idx.Keyframes, media.Keyframe{Time: t})
			s.groupMin = append(s.groupMin, t)
		} else if n := len(s.groupMin); n > 0 {
			s.groupMin[n-1] = min(s.groupMin[n-1], t)
		}
	}
}

func (s *keyframeScanner) result() (KeyframeIndex, error) {
	if s.err != nil {
		return KeyframeIndex{}, s.err
	}
	kf := s.idx.Keyframes
	if len(kf) == 0 {
		return KeyframeIndex{}, fmt.Errorf("%w: no keyframe", ErrNoKeyframeIndex)
	}
	earliest := s.groupMin[len(kf)-1]
	for k := len(kf) - 1; k >= 0; k-- {
		earliest = min(earliest, s.groupMin[k])
		kf[k].Earliest = earliest - s.start
		kf[k].Time -= s.start
	}
	s.idx.First -= s.start
	return s.idx, nil
}

// lineWriter calls fn for every complete line written to it.
type lineWriter struct {
	fn  func(string)
	buf []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.fn(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.fn(string(w.buf))
		w.buf = nil
	}
}

// SplitArgs returns the ffmpeg arguments that copy the first video stream
// of src, without re-encoding, into Matroska files cut at keyframes. Each
// entry of cuts is one output that cuts at the first keyframe at or after
// each of its times (times on the chunks' timeline, increasing), writing
// SplitFile(dir, output, 0), SplitFile(dir, output, 1), ... Several outputs
// let pieces overlap while the source is read once.
//
// Matroska holds nearly every codec and keeps each packet's presentation
// time (rounded to the millisecond).
func SplitArgs(src string, cuts [][]float64, dir string) []string {
	args := InputFlags()
	// Input options: demux nothing but video.
	args = append(args, "-an", "-sn", "-dn", "-i", inputURL(src))
	for k, times := range cuts {
		args = append(args,
			"-map", "0:v:0", "-c", "copy",
			"-map_metadata", "-1", "-map_chapters", "-1",
			// B-frames give the first packets a negative DTS, and by default
			// the muxer would then shift the first piece alone: every piece
			// must keep the source's timestamps.
			"-avoid_negative_ts", "disabled",
		)
		if len(times) == 0 {
			args = append(args, "-f", "matroska", SplitFile(dir, k, 0))
			continue
		}
		ts := make([]string, len(times))
		for i, t := range times {
			ts[i] = seconds(t)
		}
		args = append(args,
			"-f", "segment", "-segment_format", "matroska",
			"-segment_times", strings.Join(ts, ","),
			filepath.Join(dir, fmt.Sprintf("%d_%%05d.mkv", k)),
		)
	}
	return args
}

// SplitCuts spreads spans of the keyframes kf (ordered, as
// media.Plan.PieceSpans returns them) over the outputs of one SplitArgs run
// so that no two spans of an output overlap, and returns the cut times of
// every output and, for every span, its output and segment. Neighbouring
// chunks share the GOP across their boundary, so there are usually two
// outputs, with every other piece in each (and in between, segments nobody
// needs).
func SplitCuts(spans []media.Span, kf []media.Keyframe) (cuts [][]float64, at [][2]int) {
	var cutAt [][]int // keyframe indices the outputs cut at
	var ends []int    // where each output's last span ends
	for _, s := range spans {
		o := 0
		for o < len(ends) && ends[o] > s.From {
			o++
		}
		if o == len(ends) {
			cutAt, ends = append(cutAt, nil), append(ends, 0)
		}
		if c := cutAt[o]; s.From > 0 && (len(c) == 0 || c[len(c)-1] != s.From) {
			cutAt[o] = append(cutAt[o], s.From)
		}
		at = append(at, [2]int{o, len(cutAt[o])})
		if s.To < len(kf) {
			cutAt[o] = append(cutAt[o], s.To)
		}
		ends[o] = s.To
	}
	for _, c := range cutAt {
		times := make([]float64, len(c))
		for i, k := range c {
			// Halfway from the keyframe before: the segment muxer cuts at the
			// first keyframe at or after the time, which is then exactly k.
			times[i] = (kf[k-1].Time + kf[k].Time) / 2
		}
		cuts = append(cuts, times)
	}
	return cuts, at
}

// SplitFile is the name of segment i of output k of SplitArgs.
func SplitFile(dir string, k, i int) string {
	return filepath.Join(dir, fmt.Sprintf("%d_%05d.mkv", k, i))
}

// FirstPacket returns the stored presentation time (not shifted by the
// file's start time) of the first video packet of a file kinema wrote, and
// whether it is a keyframe.
func (r *Runner) FirstPacket(ctx context.Context, path string) (float64, bool, error) {
	args := append([]string{"-v", "error"}, InputFlags()...)
	args = append(args, "-select_streams", "v:0", "-read_intervals", "%+#1",
		"-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", inputURL(path))
	var out limitedBuffer
	out.max = 4096
	if err := r.exec(ctx, r.FFprobe, args, &out); err != nil {
		return 0, false, fmt.Errorf("ffprobe %s: %w", path, err)
	}
	line, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
	pts, flags, ok := strings.Cut(line, ",")
	t, err := strconv.ParseFloat(pts, 64)
	if !ok || err != nil {
		return 0, false, fmt.Errorf("ffprobe %s: first packet %q: %w", path, line, ErrNoKeyframeIndex)
	}
	return t, strings.HasPrefix(flags, "K"), nil
}

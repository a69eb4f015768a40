package ffmpeg

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/kinema/kinema/internal/media"
)

// complexitySample is the length of one complexity sample, in seconds.
const complexitySample = 1.0

// ComplexityArgs returns the ffmpeg arguments that encode, in one process,
// a sample of seconds of src's video at each of starts, at w×h with the
// plan's frame rate, CRF and preset, into one raw H.264 file out: the bytes
// it takes are the complexity measure.
//
// Each sample begins at the source's keyframe at or before its start
// (-noaccurate_seek), so no frame is decoded only to be thrown away: with
// a source's usual 2–10 s GOPs, an accurate seek decoded up to ten times
// the frames the samples keep (measured on a 1080p source with 8 s GOPs:
// 2.6 CPU-seconds for three processes with accurate seeks, 0.9 for this).
func ComplexityArgs(p media.Plan, src string, starts []float64, seconds float64, w, h int, out string) []string {
	fps := float64(p.FPSNum) / float64(p.FPSDen)
	frames := max(1, int(math.Round(seconds*fps)))
	var args []string
	var graph strings.Builder
	for i, start := range starts {
		args = append(args, InputFlags()...)
		args = append(args, "-an", "-sn", "-dn")
		if p.Threads > 0 {
			args = append(args, "-threads", strconv.Itoa(p.Threads))
		}
		if start > 0 {
			args = append(args, "-noaccurate_seek", "-ss", strconv.FormatFloat(start, 'f', 3, 64))
		}
		args = append(args, "-i", inputURL(src))
		// A seek lands on a keyframe before start, with timestamps from
		// there: setpts makes the sample start at 0 for the fps filter,
		// trim keeps its frames, and the input stops being read after them.
		fmt.Fprintf(&graph, "[%d:v:0]setpts=PTS-STARTPTS,fps=%d/%d,trim=end_frame=%d,scale=%d:%d,setsar=1,format=yuv420p[s%d];",
			i, p.FPSNum, p.FPSDen, frames, w, h, i)
	}
	for i := range starts {
		fmt.Fprintf(&graph, "[s%d]", i)
	}
	fmt.Fprintf(&graph, "concat=n=%d:v=1:a=0[out]", len(starts))
	crf := p.CRF
	if crf <= 0 {
		crf = 23
	}
	args = append(args, "-filter_complex", graph.String(), "-map", "[out]")
	if p.Threads > 0 {
		args = append(args, "-threads", strconv.Itoa(p.Threads))
	}
	return append(args,
		"-c:v", "libx264", "-preset", orDefault(p.Preset, "veryfast"), "-crf", strconv.Itoa(crf),
		"-g", strconv.Itoa(max(p.GOPFrames, 1)), "-sc_threshold", "0",
		"-f", "h264", out,
	)
}

// complexityArgs are the arguments Complexity runs for plan p.
func complexityArgs(p media.Plan, src, out string) []string {
	w, h := media.SampleSize(p)
	starts := media.SampleStarts(p.Duration, complexitySample)
	return ComplexityArgs(p, src, starts, min(complexitySample, p.Duration), w, h, out)
}

// SameComplexity reports whether Complexity measures plans a and b of src
// alike: the same samples, encoded the same way, so one's result is the
// other's.
func SameComplexity(a, b media.Plan, src string) bool {
	// The arguments hold the sample size, rate, starts, CRF and preset;
	// the rate as given, since the result is in frames per second.
	return a.FPSNum*b.FPSDen == b.FPSNum*a.FPSDen && slices.Equal(complexityArgs(a, src, ""), complexityArgs(b, src, ""))
}

// Complexity encodes short samples of src's video (see media.SampleStarts)
// at the plan's quality and reports the bitrate they took. dir is scratch
// space for the samples.
func (r *Runner) Complexity(ctx context.Context, p media.Plan, src, dir string) (media.Complexity, error) {
	w, h := media.SampleSize(p)
	fps := float64(p.FPSNum) / float64(p.FPSDen)
	c := media.Complexity{Width: w, Height: h, FPS: fps}
	out := dir + string(os.PathSeparator) + "samples.h264"
	var frames int64
	err := r.Run(ctx, complexityArgs(p, src, out), func(pr Progress) { frames = pr.Frame })
	if err != nil {
		return c, fmt.Errorf("complexity samples: %w", err)
	}
	info, err := os.Stat(out)
	if err != nil {
		return c, err
	}
	c.Seconds = float64(frames) / fps
	if c.Seconds <= 0 || info.Size() == 0 {
		return c, fmt.Errorf("complexity samples decoded no frames")
	}
	c.Bitrate = int(float64(info.Size()*8) / c.Seconds)
	return c, nil
}

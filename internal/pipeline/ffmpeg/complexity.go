package ffmpeg

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/kinema/kinema/internal/media"
)

// complexitySample is the length of one complexity sample, in seconds.
const complexitySample = 1.0

// ComplexityArgs returns the ffmpeg arguments that encode seconds of src's
// video from start at w×h, with the plan's frame rate, CRF and preset, into
// a raw H.264 file out: the bytes it takes are the complexity measure.
func ComplexityArgs(p media.Plan, src string, start, seconds float64, w, h int, out string) []string {
	args := InputFlags()
	args = append(args, "-an", "-sn", "-dn")
	if start > 0 {
		args = append(args, "-ss", strconv.FormatFloat(start, 'f', 3, 64))
	}
	if p.Threads > 0 {
		args = append(args, "-threads", strconv.Itoa(p.Threads))
	}
	crf := p.CRF
	if crf <= 0 {
		crf = 23
	}
	return append(args,
		"-t", strconv.FormatFloat(seconds, 'f', 3, 64),
		"-i", inputURL(src),
		"-vf", fmt.Sprintf("fps=%d/%d,scale=%d:%d,setsar=1,format=yuv420p", p.FPSNum, p.FPSDen, w, h),
		"-c:v", "libx264", "-preset", orDefault(p.Preset, "veryfast"), "-crf", strconv.Itoa(crf),
		"-g", strconv.Itoa(max(p.GOPFrames, 1)), "-sc_threshold", "0",
		"-f", "h264", out,
	)
}

// Complexity encodes short samples of src's video (see media.SampleStarts)
// at the plan's quality and reports the bitrate they took. dir is scratch
// space for the samples.
func (r *Runner) Complexity(ctx context.Context, p media.Plan, src, dir string) (media.Complexity, error) {
	w, h := media.SampleSize(p)
	fps := float64(p.FPSNum) / float64(p.FPSDen)
	c := media.Complexity{Width: w, Height: h, FPS: fps}
	var bytes int64
	for i, start := range media.SampleStarts(p.Duration, complexitySample) {
		seconds := min(complexitySample, p.Duration-start)
		out := filepath.Join(dir, fmt.Sprintf("sample%d.h264", i))
		var frames int64
		err := r.Run(ctx, ComplexityArgs(p, src, start, seconds, w, h, out), func(pr Progress) { frames = pr.Frame })
		if err != nil {
			return c, fmt.Errorf("complexity sample at %.1f s: %w", start, err)
		}
		info, err := os.Stat(out)
		if err != nil {
			return c, err
		}
		bytes += info.Size()
		c.Seconds += float64(frames) / fps
	}
	if c.Seconds <= 0 {
		return c, fmt.Errorf("complexity samples decoded no frames")
	}
	c.Bitrate = int(float64(bytes*8) / c.Seconds)
	return c, nil
}

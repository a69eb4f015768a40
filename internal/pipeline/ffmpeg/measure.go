package ffmpeg

import (
	"context"
	"fmt"
)

// Content is what a pass over a file's packets found, as opposed to what
// its headers claim: a container's duration and frame rate are only words,
// and a file may hold far more (or far fewer) frames than they say.
type Content struct {
	// VideoFrames counts the packets of the first video stream: its real
	// frames, whatever frame rate the file declares.
	VideoFrames int64
	// End is where the last packet of the measured streams ends, in
	// seconds from the first.
	End float64
}

// MeasureArgs returns the ffmpeg arguments that read (demux, never decode)
// the first video and/or audio stream of src and discard them.
func MeasureArgs(src string, video, audio bool) []string {
	args := InputFlags()
	args = append(args, "-sn", "-dn", "-i", inputURL(src))
	if video {
		args = append(args, "-map", "0:v:0")
	}
	if audio {
		args = append(args, "-map", "0:a:0")
	}
	return append(args, "-c", "copy", "-f", "null", "-")
}

// Measure reads the packets of src's first video and/or audio stream and
// reports how many video frames there are and where the streams end. It
// costs a read of the file and no decoding: well under a second for a
// few hundred MB.
func (r *Runner) Measure(ctx context.Context, src string, video, audio bool) (Content, error) {
	if !video && !audio {
		return Content{}, nil
	}
	var last Progress
	err := r.Run(ctx, MeasureArgs(src, video, audio), func(p Progress) { last = p })
	if err != nil {
		return Content{}, fmt.Errorf("measure %s: %w", src, err)
	}
	c := Content{End: last.OutTime.Seconds()}
	if video {
		c.VideoFrames = last.Frame
	}
	return c, nil
}

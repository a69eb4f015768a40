package media

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSparsePlanFollowsRealFrames(t *testing.T) {
	t.Parallel()
	cfg := DefaultLadderConfig()
	hd := Source{HasVideo: true, Width: 1920, Height: 1080, FPSNum: 30, FPSDen: 1}
	cases := []struct {
		name           string
		duration       float64
		frames         int64
		sparse         bool
		fpsNum, fpsDen int
		chunks         int
	}{
		// The 7 KB file: 108,000 frames in 225 chunks at the declared rate.
		{"two frames an hour apart", 3600, 2, true, 1, 4, 2},
		{"slideshow, a picture every 2 s", 600, 300, true, 1, 1, 2},
		{"screen recording at 4 fps", 600, 2400, true, 10, 1, 15},
		{"honest 30 fps", 600, 18000, false, 30, 1, 38},
		{"variable rate near the declared one", 600, 17000, false, 30, 1, 38},
		{"not measured", 600, 0, false, 30, 1, 38},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := hd
			src.Duration, src.Frames = c.duration, c.frames
			p, err := NewPlan(src, cfg)
			require.NoError(t, err)
			require.Equal(t, c.sparse, p.Sparse)
			require.Equal(t, [2]int{c.fpsNum, c.fpsDen}, [2]int{p.FPSNum, p.FPSDen})
			require.Len(t, p.Chunks, c.chunks)
			// Segments stay 4 s with a keyframe at each boundary.
			require.InDelta(t, 4, p.SegmentSeconds, 1e-9)
			require.Equal(t, 0, p.Chunks[len(p.Chunks)-1].StartFrame%p.GOPFrames)
			if c.sparse {
				// Twice the measured rate, rounded up to a round rate (at most
				// 2.5 times more), or one frame per segment.
				require.LessOrEqual(t, p.TotalFrames(), int(max(5*float64(c.frames), c.duration/4))+1,
					"the frames encoded follow the frames the file has")
				if p.FPSNum <= p.FPSDen { // a frame a second or fewer: each may be a keyframe
					top := p.Video[0]
					require.Equal(t, 1920, top.Width)
					require.GreaterOrEqual(t, top.BufSize, top.MaxRate*4, "a segment's keyframe may take the segment's bits")
					require.GreaterOrEqual(t, top.BufSize, 1_500_000, "room for a detailed 1080p keyframe (~190 KB)")
				}
				require.GreaterOrEqual(t, p.Storyboard.Interval, float64(p.FPSDen)/float64(p.FPSNum),
					"a storyboard tile is never shorter than a frame")
			}
		})
	}
}

func TestStoryboardEveryKeepsTilesAtLeastAFrameApart(t *testing.T) {
	t.Parallel()
	require.Equal(t, 1.0, NewStoryboard(60).Interval)
	sb := storyboardEvery(60, 4)
	require.Equal(t, 5.0, sb.Interval)
	require.Equal(t, 12, sb.Tiles)
	require.Equal(t, NewStoryboard(3600), storyboardEvery(3600, 4), "already longer than a frame")
}

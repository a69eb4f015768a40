package media

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func sizes(rs []Rendition) [][2]int {
	out := make([][2]int, len(rs))
	for i, r := range rs {
		out[i] = [2]int{r.Width, r.Height}
	}
	return out
}

func TestNewPlanLadder(t *testing.T) {
	cfg := DefaultLadderConfig()
	tests := []struct {
		name string
		src  Source
		want [][2]int
	}{
		{"1080p landscape", Source{HasVideo: true, Width: 1920, Height: 1080, FPSNum: 30, FPSDen: 1, Duration: 60},
			[][2]int{{1920, 1080}, {1280, 720}, {854, 480}, {640, 360}, {426, 240}}},
		{"portrait phone", Source{HasVideo: true, Width: 1080, Height: 1920, FPSNum: 30, FPSDen: 1, Duration: 10},
			[][2]int{{1080, 1920}, {720, 1280}, {480, 854}, {360, 640}, {240, 426}}},
		{"tiny source keeps its size", Source{HasVideo: true, Width: 320, Height: 180, FPSNum: 25, FPSDen: 1, Duration: 3},
			[][2]int{{320, 180}}},
		{"odd size rounds down to even", Source{HasVideo: true, Width: 321, Height: 181, FPSNum: 25, FPSDen: 1, Duration: 3},
			[][2]int{{320, 180}}},
		{"between rungs never upscales", Source{HasVideo: true, Width: 1000, Height: 600, FPSNum: 30, FPSDen: 1, Duration: 3},
			[][2]int{{800, 480}, {600, 360}, {400, 240}}},
		{"cinemascope keeps aspect", Source{HasVideo: true, Width: 1920, Height: 800, FPSNum: 24, FPSDen: 1, Duration: 3},
			[][2]int{{1728, 720}, {1152, 480}, {864, 360}, {576, 240}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(tt.src, cfg)
			require.NoError(t, err)
			require.Equal(t, tt.want, sizes(p.Video))
			for i, r := range p.Video {
				require.LessOrEqual(t, r.Width*r.Height, tt.src.Width*tt.src.Height, "no upscaling")
				require.Zero(t, r.Width%2)
				require.Zero(t, r.Height%2)
				require.Equal(t, tt.src.Height > tt.src.Width, r.Height > r.Width, "orientation kept")
				require.Greater(t, r.MaxRate, r.Bitrate)
				if i > 0 {
					require.Less(t, r.Bitrate, p.Video[i-1].Bitrate, "bitrates fall with size")
				}
			}
		})
	}
}

func TestNewPlanBitratesAndGOP(t *testing.T) {
	p, err := NewPlan(Source{HasVideo: true, HasAudio: true, AudioChannels: 6, Width: 1920, Height: 1080,
		FPSNum: 30000, FPSDen: 1001, Duration: 60}, DefaultLadderConfig())
	require.NoError(t, err)
	require.InDelta(t, 5_000_000, p.Video[0].Bitrate, 10_000, "1080p30 ≈ 5 Mb/s")
	require.Equal(t, 120, p.GOPFrames, "4 s of 29.97 fps")
	require.InDelta(t, 4.004, p.SegmentSeconds, 1e-9, "segments last exactly one GOP")
	require.Len(t, p.Audio, 2, "stereo downmix plus the original 5.1")
	require.Equal(t, 2, p.Audio[0].Channels)
	require.Equal(t, 6, p.Audio[1].Channels)
	// Chunks cover the timeline on GOP boundaries without gaps.
	for i, c := range p.Chunks {
		require.Zero(t, c.StartFrame%p.GOPFrames)
		if i < len(p.Chunks)-1 {
			require.Equal(t, p.Chunks[i+1].StartFrame, c.StartFrame+c.Frames)
		} else {
			require.Zero(t, c.Frames, "last chunk runs to the end")
		}
	}
}

func TestNewPlanFPSCap(t *testing.T) {
	p, err := NewPlan(Source{HasVideo: true, Width: 640, Height: 360, FPSNum: 120, FPSDen: 1, Duration: 2}, DefaultLadderConfig())
	require.NoError(t, err)
	require.Equal(t, 60.0, float64(p.FPSNum)/float64(p.FPSDen))
	p, err = NewPlan(Source{HasVideo: true, Width: 640, Height: 360, Duration: 2}, DefaultLadderConfig())
	require.NoError(t, err)
	require.Equal(t, 30, p.FPSNum, "unknown frame rate falls back to 30")
}

func TestNewPlanAudioOnly(t *testing.T) {
	p, err := NewPlan(Source{HasAudio: true, AudioChannels: 2, Duration: 5}, DefaultLadderConfig())
	require.NoError(t, err)
	require.Equal(t, KindAudio, p.Kind)
	require.Empty(t, p.Video)
	require.Empty(t, p.Chunks)
	require.Len(t, p.Audio, 2)
	require.Equal(t, []string{"a0", "a1"}, []string{p.Audio[0].ID, p.Audio[1].ID})
}

func TestNewPlanRejects(t *testing.T) {
	for _, src := range []Source{{Duration: 3}, {HasVideo: true, Width: 0, Height: 0, Duration: 3}, {HasAudio: true}} {
		_, err := NewPlan(src, DefaultLadderConfig())
		var in *InputError
		require.True(t, errors.As(err, &in), "%+v: %v", src, err)
		require.NotEmpty(t, in.Reason)
	}
}

func TestLimits(t *testing.T) {
	l := Limits{MaxDuration: 10, MaxPixels: 1920 * 1080, MaxBytes: 100}
	require.NoError(t, l.Check(Source{Duration: 5, Width: 1920, Height: 1080, Size: 100}))
	require.ErrorIs(t, l.Check(Source{Duration: 11}), ErrInvalid)
	require.ErrorIs(t, l.Check(Source{Width: 3840, Height: 2160}), ErrInvalid)
	require.ErrorIs(t, l.Check(Source{Size: 101}), ErrInvalid)
}

func TestStoryboardTilesCoverEveryChunkOnce(t *testing.T) {
	for _, d := range []float64{3, 16, 61.5, 599, 3600} {
		p, err := NewPlan(Source{HasVideo: true, Width: 640, Height: 360, FPSNum: 30000, FPSDen: 1001, Duration: d}, DefaultLadderConfig())
		require.NoError(t, err)
		next := 0
		for _, c := range p.Chunks {
			first, n := p.TilesIn(c)
			if n > 0 {
				require.Equal(t, next, first, "duration %v chunk %d", d, c.Index)
				next += n
			}
		}
		require.Equal(t, p.Storyboard.Tiles, next, "duration %v", d)
		require.LessOrEqual(t, p.Storyboard.Tiles, 100)
		require.Equal(t, p.Storyboard.Rows, (p.Storyboard.Tiles+p.Storyboard.Columns-1)/p.Storyboard.Columns)
	}
}

func TestNewStoryboard(t *testing.T) {
	tests := []struct {
		duration   float64
		interval   float64
		cols, rows int
	}{
		{0.5, 1, 1, 1}, {6, 1, 6, 1}, {45, 1, 10, 5}, {100, 1, 10, 10}, {101, 2, 10, 6},
		{600, 10, 10, 6}, {3600, 60, 10, 6}, {7 * 3600, 300, 10, 9},
	}
	for _, tt := range tests {
		sb := NewStoryboard(tt.duration)
		require.Equal(t, tt.interval, sb.Interval, "duration %v", tt.duration)
		require.Equal(t, [2]int{tt.cols, tt.rows}, [2]int{sb.Columns, sb.Rows}, "duration %v", tt.duration)
		require.LessOrEqual(t, sb.Tiles, sb.Columns*sb.Rows)
	}
}

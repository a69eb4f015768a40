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

func TestPieceSpans(t *testing.T) {
	// 30 fps, 1 s segments, 1 segment per chunk: chunks start at 0, 1, 2, 3 s
	// and the last runs to the end (4.4 s).
	plan, err := NewPlan(Source{HasVideo: true, Width: 320, Height: 180, FPSNum: 30, FPSDen: 1, Duration: 4.4},
		LadderConfig{SegmentSeconds: 1, SegmentsPerChunk: 1, Heights: []int{180}})
	require.NoError(t, err)
	require.Len(t, plan.Chunks, 4)
	closed := func(times ...float64) []Keyframe {
		kf := make([]Keyframe, len(times))
		for i, v := range times {
			kf[i] = Keyframe{Time: v, Earliest: v}
		}
		return kf
	}
	const f = 1.0 / 30
	tests := []struct {
		name  string
		kf    []Keyframe
		spans []Span
		use   []int
	}{
		{"keyframe on every chunk start: no overlap beyond the frame before",
			// A chunk decodes from the frame before its start, so it begins at
			// the keyframe before that one.
			closed(0, 1, 2, 3, 4),
			[]Span{{0, 1}, {0, 2}, {1, 3}, {2, 5}}, []int{0, 1, 2, 3}},
		{"keyframe one frame before every chunk start",
			closed(0, 1-f, 2-f, 3-f),
			[]Span{{0, 2}, {1, 3}, {2, 4}, {3, 4}}, []int{0, 1, 2, 3}},
		{"keyframes every 1.5 s: neighbours share the GOP across their boundary",
			closed(0, 1.5, 3),
			[]Span{{0, 1}, {0, 2}, {1, 2}, {1, 3}}, []int{0, 1, 2, 3}},
		{"keyframes every 2.5 s: chunks inside one GOP share its piece",
			closed(0, 2.5),
			[]Span{{0, 1}, {0, 2}, {1, 2}}, []int{0, 0, 1, 2}},
		{"one keyframe: every chunk needs the whole stream",
			closed(0),
			[]Span{{0, 1}}, []int{0, 0, 0, 0}},
		{"timestamps a hair off still count as on the boundary",
			closed(0, 0.9665, 1.9668, 2.9664),
			[]Span{{0, 2}, {1, 3}, {2, 4}, {3, 4}}, []int{0, 1, 2, 3}},
		{"open GOP: leading pictures after a keyframe keep the cut after it",
			// Keyframe 2 s is followed in decode order by frames shown from
			// 1.9 s, which chunk 1 needs: chunk 1 must run on to keyframe 3.
			[]Keyframe{{0, 0}, {1 - f, 1 - f}, {2, 1.9}, {3, 3}},
			[]Span{{0, 2}, {1, 3}, {2, 4}}, []int{0, 1, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans, use := plan.PieceSpans(tt.kf)
			require.Equal(t, tt.spans, spans)
			require.Equal(t, tt.use, use)
			for i, c := range plan.Chunks {
				s := spans[use[i]]
				if i > 0 {
					require.LessOrEqual(t, tt.kf[s.From].Time, c.Start-f+1e-3, "chunk %d: its first frame is in its piece", i)
				}
				if i+1 < len(plan.Chunks) && s.To < len(tt.kf) {
					require.GreaterOrEqual(t, tt.kf[s.To].Earliest, plan.Chunks[i+1].Start-1e-3, "chunk %d: nothing it shows is cut off", i)
				}
			}
		})
	}
	audio, err := NewPlan(Source{HasAudio: true, AudioChannels: 2, Duration: 60}, DefaultLadderConfig())
	require.NoError(t, err)
	spans, use := audio.PieceSpans(closed(0))
	require.Empty(t, spans, "audio-only sources are not chunked, so not split")
	require.Empty(t, use)
}

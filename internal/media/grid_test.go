package media

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGridShortFirstChunk(t *testing.T) {
	t.Parallel()
	cfg := DefaultLadderConfig()
	cfg.FirstChunkSegments = 1
	src := Source{HasVideo: true, HasAudio: true, Width: 1920, Height: 1080, FPSNum: 30, FPSDen: 1, Duration: 60, AudioChannels: 2}
	p, err := NewPlan(src, cfg)
	require.NoError(t, err)
	var starts []int
	for _, c := range p.Chunks {
		starts = append(starts, c.StartFrame)
	}
	require.Equal(t, []int{0, 120, 600, 1080, 1560}, starts)
	require.Equal(t, 120, p.Chunks[0].Frames)
	require.Equal(t, 0, p.Chunks[4].Frames, "the last runs to the end")
	require.Equal(t, 15, p.VideoSegmentCount())
	first, n := p.ChunkSegments(1)
	require.Equal(t, [2]int{1, 4}, [2]int{first, n})
	first, n = p.ChunkSegments(4)
	require.Equal(t, [2]int{13, 2}, [2]int{first, n})
	for seg, want := range map[int]int{0: 0, 1: 1, 4: 1, 5: 2, 14: 4} {
		c, ok := p.ChunkOfSegment(seg)
		require.True(t, ok)
		require.Equal(t, want, c, "segment %d", seg)
	}
	_, ok := p.ChunkOfSegment(15)
	require.False(t, ok)

	// Without the option, or for a clip too short to gain from it: as before.
	cfg.FirstChunkSegments = 0
	q, err := NewPlan(src, cfg)
	require.NoError(t, err)
	require.Len(t, q.Chunks, 4)
	cfg.FirstChunkSegments = 1
	src.Duration = 10
	q, err = NewPlan(src, cfg)
	require.NoError(t, err)
	require.Len(t, q.Chunks, 1)

	// 60 s of 48 kHz audio: 15 segments of 4 s, the last with the priming packet.
	durs := p.AudioSegmentDurations(48000)
	require.Len(t, durs, 16)
	require.InDelta(t, 4.010667, durs[0], 1e-6)
	require.InDelta(t, 0.021333, durs[15], 1e-6)
}

func TestAudioSegmentPackets(t *testing.T) {
	p := Plan{Duration: 10.5, SegmentSeconds: 4}
	durs := p.AudioSegmentDurations(48000)
	pkt := float64(AACFrameSamples) / 48000
	next := 0
	for seg, d := range durs {
		first, n, ok := p.AudioSegmentPackets(48000, seg)
		if !ok || first != next {
			t.Fatalf("segment %d: first %d ok %v, want %d", seg, first, ok, next)
		}
		if got := float64(n) * pkt; got < d-1e-9 || got > d+1e-9 {
			t.Fatalf("segment %d: %d packets, %.6f s, want %.6f s", seg, n, got, d)
		}
		next = first + n
	}
	if _, _, ok := p.AudioSegmentPackets(48000, len(durs)); ok {
		t.Fatal("a segment past the end")
	}
}

func TestGridShortFirstSegment(t *testing.T) {
	t.Parallel()
	cfg := DefaultLadderConfig()
	cfg.FirstChunkSegments, cfg.FirstSegmentSeconds = 1, 1
	src := Source{HasVideo: true, HasAudio: true, Width: 1920, Height: 1080, FPSNum: 30, FPSDen: 1, Duration: 60, AudioChannels: 2}
	p, err := NewPlan(src, cfg)
	require.NoError(t, err)
	require.Equal(t, 30, p.FirstSegmentFrames)
	var starts, frames []int
	for i, c := range p.Chunks {
		require.Equal(t, i, c.Index)
		require.InDelta(t, float64(c.StartFrame)/30, c.Start, 1e-9)
		starts, frames = append(starts, c.StartFrame), append(frames, c.Frames)
	}
	require.Equal(t, []int{0, 30, 120, 600, 1080, 1560}, starts, "the first GOP cut in two; the rest where it was")
	require.Equal(t, []int{30, 90, 480, 480, 480, 0}, frames)
	require.Equal(t, 16, p.VideoSegmentCount())
	durs := p.VideoSegmentDurations()
	require.InDelta(t, 1, durs[0], 1e-9)
	require.InDelta(t, 3, durs[1], 1e-9)
	for _, d := range durs[2:] {
		require.InDelta(t, 4, d, 1e-9)
	}
	for chunk, want := range map[int][2]int{0: {0, 1}, 1: {1, 1}, 2: {2, 4}, 5: {14, 2}} {
		first, n := p.ChunkSegments(chunk)
		require.Equal(t, want, [2]int{first, n}, "chunk %d", chunk)
	}
	for seg, want := range map[int]int{0: 0, 1: 1, 2: 2, 5: 2, 6: 3, 15: 5} {
		c, ok := p.ChunkOfSegment(seg)
		require.True(t, ok)
		require.Equal(t, want, c, "segment %d", seg)
	}
	start, n := p.SegmentFrames(1)
	require.Equal(t, [2]int{30, 90}, [2]int{start, n})
	start, n = p.SegmentFrames(2)
	require.Equal(t, [2]int{120, 120}, [2]int{start, n})
	_, n = p.SegmentFrames(16)
	require.Zero(t, n)
	require.Len(t, p.AudioSegmentDurations(48000), 16, "audio keeps its grid")

	// Whatever the rates and lengths, the segments tile the video, every
	// segment belongs to the one chunk whose range holds it, and chunks
	// start on segment boundaries.
	for _, fps := range [][2]int{{30, 1}, {25, 1}, {24000, 1001}, {60, 1}} {
		for _, dur := range []float64{4.5, 5, 8, 9.7, 17, 33.3, 61} {
			for _, first := range []int{0, 1, 2} {
				cfg.FirstChunkSegments = first
				src.FPSNum, src.FPSDen, src.Duration = fps[0], fps[1], dur
				p, err := NewPlan(src, cfg)
				require.NoError(t, err)
				require.Positive(t, p.FirstSegmentFrames, "fps %v, %v s", fps, dur)
				next := 0
				for seg := range p.VideoSegmentCount() {
					start, n := p.SegmentFrames(seg)
					require.Equal(t, next, start)
					require.Positive(t, n)
					next = start + n
					ci, ok := p.ChunkOfSegment(seg)
					require.True(t, ok)
					c0, cn := p.ChunkSegments(ci)
					require.True(t, seg >= c0 && seg < c0+cn, "fps %v, %v s: segment %d in chunk %d (%d+%d)", fps, dur, seg, ci, c0, cn)
				}
				require.Equal(t, p.TotalFrames(), next)
				for _, c := range p.Chunks {
					s, _ := p.SegmentFrames(p.segmentOf(c.StartFrame))
					require.Equal(t, c.StartFrame, s)
				}
			}
		}
	}

	// Too short to have a second GOP, sparse, or not asked for: uniform.
	for _, c := range []struct {
		dur, first float64
	}{{4, 1}, {3, 1}, {60, 0}} {
		cfg.FirstSegmentSeconds = c.first
		src.FPSNum, src.FPSDen, src.Duration = 30, 1, c.dur
		q, err := NewPlan(src, cfg)
		require.NoError(t, err)
		require.Zero(t, q.FirstSegmentFrames, "%+v", c)
	}
}

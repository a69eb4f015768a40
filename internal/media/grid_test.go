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

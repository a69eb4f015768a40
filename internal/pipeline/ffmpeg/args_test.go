package ffmpeg

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinema/kinema/internal/media"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares args, one per line, with testdata/<name>.golden.
func golden(t *testing.T, name string, args []string) {
	t.Helper()
	got := strings.Join(args, "\n") + "\n"
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create golden files")
	require.Equal(t, string(want), got)
}

func testPlan(t *testing.T, src media.Source, mod func(*media.LadderConfig)) media.Plan {
	t.Helper()
	cfg := media.DefaultLadderConfig()
	cfg.SegmentSeconds, cfg.SegmentsPerChunk = 2, 2
	if mod != nil {
		mod(&cfg)
	}
	p, err := media.NewPlan(src, cfg)
	require.NoError(t, err)
	return p
}

var hdSource = media.Source{Duration: 10, HasVideo: true, Width: 1280, Height: 720, FPSNum: 30000, FPSDen: 1001,
	HasAudio: true, AudioChannels: 6}

func TestArgsGolden(t *testing.T) {
	t.Parallel()
	crf := testPlan(t, hdSource, nil)
	require.Len(t, crf.Chunks, 3)
	cbr := testPlan(t, media.Source{Duration: 9, HasVideo: true, Width: 320, Height: 180, FPSNum: 25, FPSDen: 1},
		func(c *media.LadderConfig) { c.RateControl = media.RateCBR; c.Preset = "" })
	audio := testPlan(t, media.Source{Duration: 30, HasAudio: true, AudioChannels: 2}, nil)
	tests := []struct {
		name string
		args []string
	}{
		{"chunk_first_crf", ChunkArgs(crf, crf.Chunks[0], "/in/source.mov", "/work/c0")},
		{"chunk_last_crf", ChunkArgs(crf, crf.Chunks[2], "/in/source.mov", "/work/c1")},
		{"chunk_middle_cbr_single", ChunkArgs(cbr, cbr.Chunks[1], "in.mp4", "out")},
		{"audio_video_source", AudioArgs(crf, "/in/source.mov", "/out")},
		{"audio_only_ladder", AudioArgs(audio, "/in/song.flac", "/out")},
		{"package", PackageArgs(crf, []string{"/work/v0.ts", "/work/v1.ts", "/work/v2.ts", "/work/v3.ts"}, "/out")},
		{"poster", PosterArgs("/in/source.mov", 3.5, 640, "/out/poster.jpg")},
		{"sprite", SpriteArgs(media.Storyboard{Interval: 2, Columns: 10, Rows: 4, Tiles: 37, TileWidth: 160}, "/work/tiles", "/out/storyboard.jpg")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			golden(t, tt.name, tt.args)
		})
	}
}

func TestChunkArgsShape(t *testing.T) {
	t.Parallel()
	p := testPlan(t, hdSource, nil)
	args := ChunkArgs(p, p.Chunks[1], "/in/x.mp4", "/o")
	// Hardening and seek are input options: they come before -i.
	in := indexOf(args, "-i")
	require.Less(t, indexOf(args, "-protocol_whitelist"), in)
	require.Less(t, indexOf(args, "-format_whitelist"), in)
	require.Less(t, indexOf(args, "-ss"), in)
	require.Equal(t, "file:/in/x.mp4", args[in+1])
	require.Equal(t, len(p.Video), count(args, "libx264"))
	_, tiles := p.TilesIn(p.Chunks[1])
	require.Positive(t, tiles)
	require.Equal(t, len(p.Video)+1, count(args, "-frames:v"), "every rung and the storyboard tiles are bounded")
	last := ChunkArgs(p, p.Chunks[len(p.Chunks)-1], "/in/x.mp4", "/o")
	require.Equal(t, 1, count(last, "-frames:v"), "the last chunk's rungs run to the end; only tiles are counted")
	first := ChunkArgs(p, p.Chunks[0], "/in/x.mp4", "/o")
	require.Equal(t, -1, indexOf(first, "-ss"), "no seek for the first chunk")
	for _, a := range append(args, AudioArgs(p, "/in/x.mp4", "/o")...) {
		require.NotContains(t, a, "sh -c")
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func count(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

func TestFormatWhitelist(t *testing.T) {
	t.Parallel()
	allowed := strings.Split(FormatWhitelist, ",")
	for _, bad := range []string{"hls", "applehttp", "concat", "ffconcat", "dash", "image2", "image2pipe", "tty",
		"lavfi", "srt", "ass", "webvtt", "subviewer", "mpl2", "data", "bin", "sdp", "rtsp", "rtp"} {
		require.NotContains(t, allowed, bad)
	}
	for _, ok := range []string{"mov", "matroska", "mpegts", "mp3", "wav", "flac", "ogg", "avi"} {
		require.Contains(t, allowed, ok)
	}
}

package ffmpeg

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
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
	pieces := testPlan(t, hdSource, nil)
	pieces.Chunks = append([]media.Chunk(nil), pieces.Chunks...)
	pieces.Pieces = []media.Piece{{Start: 0, End: 4.5, Size: 1}, {Start: 2.9, Offset: -0.0003, Size: 1}}
	pieces.Chunks[0].Piece, pieces.Chunks[1].Piece, pieces.Chunks[2].Piece = 0, 1, 1
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
		{"chunk_first_piece", ChunkArgs(pieces, pieces.Chunks[0], "/work/piece.mkv", "/work/c0")},
		{"chunk_middle_piece", ChunkArgs(pieces, pieces.Chunks[1], "/work/piece.mkv", "/work/c1")},
		{"poster_piece", PosterFromPieceArgs("/work/piece.mkv", -0.0003, 3.5, 640, "/out/poster.jpg")},
		{"split", SplitArgs("/in/source.mov", [][]float64{{2.25, 5.25}, {0.75, 3.75}, {}}, "/work/split")},
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
	lastChunk := p.Chunks[len(p.Chunks)-1]
	last := ChunkArgs(p, lastChunk, "/in/x.mp4", "/o")
	_, lastTiles := p.TilesIn(lastChunk)
	require.Equal(t, len(p.Video)+min(lastTiles, 1), count(last, "-frames:v"),
		"the last chunk stops at the plan's duration too, whatever the source holds past it")
	// 10 s at 29.97 fps is 300 frames; the last chunk starts at frame 240.
	capped := 0
	for i := range last[:len(last)-1] {
		if last[i] == "-frames:v" && last[i+1] == "60" {
			capped++
		}
	}
	require.Equal(t, len(p.Video), capped, "every rung of the last chunk encodes 60 frames")
	audio := AudioArgs(p, "/in/x.mp4", "/o")
	require.Equal(t, "10", audio[indexOf(audio, "-t")+1], "the audio stops at the plan's duration")
	require.Less(t, indexOf(audio, "-t"), indexOf(audio, "-i"), "as an input option: nothing past it is even read")
	first := ChunkArgs(p, p.Chunks[0], "/in/x.mp4", "/o")
	require.Equal(t, -1, indexOf(first, "-ss"), "no seek for the first chunk")
	p.Pieces = []media.Piece{{Size: 1}}
	for _, c := range []media.Chunk{p.Chunks[0], p.Chunks[1]} {
		args := ChunkArgs(p, c, "/in/piece.mkv", "/o")
		in := indexOf(args, "-i")
		require.Less(t, indexOf(args, "-format_whitelist"), in)
		require.Less(t, indexOf(args, "-seek_timestamp"), in, "a piece is always sought by timestamp")
		require.Less(t, indexOf(args, "-ss"), in)
	}
	split := SplitArgs("/in/x.mp4", [][]float64{{1}, {2}}, "/o")
	require.Less(t, indexOf(split, "-protocol_whitelist"), indexOf(split, "-i"), "the split reads the upload hardened too")
	require.Less(t, indexOf(split, "-format_whitelist"), indexOf(split, "-i"))
	require.Equal(t, "file:/in/x.mp4", split[indexOf(split, "-i")+1])
	require.Equal(t, 2, count(split, "copy"), "stream copy, never an encode")
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

// A rung's own x264 preset (per-title, on a top rung whose cap binds) wins
// over the plan's, for that rung only.
func TestRungPreset(t *testing.T) {
	p := media.Plan{GOPFrames: 60, CRF: 23, Preset: "veryfast"}
	preset := func(r media.Rendition) string {
		args := encoderArgs(p, r)
		i := slices.Index(args, "-preset")
		require.Positive(t, i)
		return args[i+1]
	}
	require.Equal(t, "fast", preset(media.Rendition{Preset: "fast"}))
	require.Equal(t, "veryfast", preset(media.Rendition{}))
}

package pipeline

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
)

// ffmpegTo runs ffmpeg with args writing out in a temporary directory.
func ffmpegTo(t *testing.T, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}, args...)
	out, err := exec.CommandContext(ctx, "ffmpeg", append(full, path)...).CombinedOutput()
	require.NoError(t, err, string(out))
	return path
}

// makeLyingMKV writes 60 s of tiny video (10 fps) and audio into an mkv,
// then rewrites the Segment Info Duration element to say 10 s: the header
// lies, every frame is still there.
func makeLyingMKV(t *testing.T) string {
	t.Helper()
	path := ffmpegTo(t, "lie.mkv", "-f", "lavfi", "-i", "testsrc=size=64x36:rate=10",
		"-f", "lavfi", "-i", "sine=sample_rate=8000", "-t", "60",
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	// Duration (ID 0x4489), 8 bytes: a big-endian float64 in TimestampScale
	// units, 1 ms as ffmpeg writes it.
	i := bytes.Index(data, []byte{0x44, 0x89, 0x88})
	require.Positive(t, i, "no 8-byte Duration element")
	require.InDelta(t, 60000, math.Float64frombits(binary.BigEndian.Uint64(data[i+3:])), 500)
	binary.BigEndian.PutUint64(data[i+3:], math.Float64bits(10000))
	require.NoError(t, os.WriteFile(path, data, 0o644))
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path).Output()
	require.NoError(t, err)
	require.Equal(t, "10.000000\n", string(out), "the container now claims 10 s")
	return path
}

func playlist(t *testing.T, b *bundle, id, rendition string) manifest.MediaPlaylist {
	t.Helper()
	f, err := os.Open(filepath.Join(b.dir, "media", id, rendition, "index.m3u8"))
	require.NoError(t, err)
	defer f.Close()
	pl, err := manifest.ParseMediaPlaylist(f)
	require.NoError(t, err)
	return pl
}

// TestDurationLimitCountsPackets: an mkv whose header says 10 s but holds
// 60 s of frames is judged on the 60 s. Over the limit it fails in probe
// with a sentence and nothing is encoded; under it, all 60 s are published
// and the API's duration is that of the published playlist.
func TestDurationLimitCountsPackets(t *testing.T) {
	t.Parallel()
	src := makeLyingMKV(t)
	t.Run("over the limit", func(t *testing.T) {
		t.Parallel()
		b := setup(t, 1, func(c *Config, _ *bundle) { c.Limits.MaxDuration = 30 })
		v := b.process(t, src)
		require.Equal(t, media.StatusFailed, v.Status)
		require.Equal(t, "The media lasts 60 seconds, although the file says 10; the limit is 30 seconds.", v.Error)
		require.NotContains(t, b.logs.String(), "planned", "nothing was planned or encoded")
	})
	t.Run("under the limit", func(t *testing.T) {
		t.Parallel()
		b := setup(t, 1, func(c *Config, _ *bundle) { c.Limits.MaxDuration = 120 })
		v := b.process(t, src)
		require.Equal(t, media.StatusReady, v.Status, v.Error)
		video := playlist(t, b, v.ID, "v0").Duration()
		require.InDelta(t, 60, video, 0.5, "every frame was published")
		require.InDelta(t, video, v.Duration, 0.001, "the API says what was packaged, not what the header claimed")
		plan, _ := b.plan(t, v.ID)
		require.LessOrEqual(t, playlist(t, b, v.ID, plan.Audio[0].ID).Duration(), plan.Duration+0.1,
			"the audio stops at the plan's duration")
	})
}

// makeSparse writes two flat 1080p frames 600 s apart into an mkv that
// declares 30 fps: a few KB that a plan at the declared rate would turn
// into 18,000 frames per rung.
func makeSparse(t *testing.T) string {
	t.Helper()
	return ffmpegTo(t, "sparse.mkv", "-f", "lavfi", "-i", "color=c=teal:size=1920x1080:rate=30",
		"-frames:v", "2", "-vf", "setpts='if(eq(N,0),0,600/TB)'", "-fps_mode", "passthrough",
		"-c:v", "libx264", "-preset", "ultrafast", "-r", "30")
}

// TestSparseVideoCostsItsFrames: two frames 600 s apart, declared 30 fps,
// are planned at one frame per segment in one chunk (a plan at 30 fps would
// be 38 chunks and 18,000 frames per rung), end ready, and the playlist
// still has one segment per 4 s of the 600 s.
func TestSparseVideoCostsItsFrames(t *testing.T) {
	t.Parallel()
	src := makeSparse(t)
	fi, err := os.Stat(src)
	require.NoError(t, err)
	require.Less(t, fi.Size(), int64(20<<10), "a few KB")
	b := setup(t, 1, nil)
	started := time.Now()
	v := b.process(t, src)
	took := time.Since(started)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	plan, _ := b.plan(t, v.ID)
	require.True(t, plan.Sparse)
	require.Equal(t, [2]int{1, 4}, [2]int{plan.FPSNum, plan.FPSDen}, "one frame per 4 s segment")
	require.Len(t, plan.Chunks, 1)
	require.LessOrEqual(t, plan.TotalFrames(), 151, "frames encoded per rung")
	pl := playlist(t, b, v.ID, "v0")
	// The second frame is shown from 600 s for 1/30 s, under half a plan
	// frame: the fps filter ends the stream at 600 s, as it would at 30 fps.
	require.InDelta(t, 600, pl.Duration(), 4.1)
	require.Len(t, pl.Segments, int(math.Ceil(pl.Duration()/plan.SegmentSeconds-1e-6)), "a segment per 4 s")
	require.InDelta(t, pl.Duration(), v.Duration, 0.001)
	require.Equal(t, len(pl.Segments), countFrames(t, filepath.Join(b.dir, "media", v.ID, "v0", "index.m3u8")),
		"the playlist decodes, one frame per segment")
	t.Logf("sparse 600 s source (%d bytes) processed in %s", fi.Size(), took)
}

// TestUnmeasuredSourceStillProcessed: when the pass over the packets fails
// (here an ffmpeg that refuses the null muxer), the video is planned from
// its headers, as before measuring existed, and ends ready.
func TestUnmeasuredSourceStillProcessed(t *testing.T) {
	t.Parallel()
	real, err := exec.LookPath("ffmpeg")
	require.NoError(t, err)
	wrapper := filepath.Join(t.TempDir(), "ffmpeg")
	require.NoError(t, os.WriteFile(wrapper, []byte("#!/bin/sh\n"+
		"for a in \"$@\"; do [ \"$a\" = null ] && { echo 'simulated demuxer failure' >&2; exit 1; }; done\n"+
		"exec "+real+" \"$@\"\n"), 0o755))
	b := setup(t, 1, nil)
	b.pipes[0].ff.FFmpeg = wrapper
	v := b.process(t, ffmpegTo(t, "clip.mkv", "-f", "lavfi", "-i", "testsrc=size=64x36:rate=10", "-t", "3",
		"-c:v", "libx264", "-preset", "ultrafast"))
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	require.Contains(t, b.logs.String(), "could not measure the source")
	require.InDelta(t, 3, v.Duration, 0.2)
}

// TestStillPictureOverAudio: a podcast-style file, one picture shown for
// 120 s of audio (two frames, declared 25 fps), is planned sparse and ends
// ready with video and audio of the same length.
func TestStillPictureOverAudio(t *testing.T) {
	t.Parallel()
	// In two steps: ffmpeg ends every stream of an output when its last
	// video frame is far ahead of the audio.
	picture := ffmpegTo(t, "picture.mkv", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
		"-frames:v", "2", "-vf", "setpts='if(eq(N,0),0,119/TB)'", "-fps_mode", "passthrough",
		"-c:v", "libx264", "-preset", "ultrafast", "-r", "25")
	src := ffmpegTo(t, "podcast.mkv", "-i", picture, "-f", "lavfi", "-i", "sine=sample_rate=8000:duration=120",
		"-c:v", "copy", "-c:a", "aac")
	b := setup(t, 1, nil)
	v := b.process(t, src)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	plan, _ := b.plan(t, v.ID)
	require.True(t, plan.Sparse)
	require.Len(t, plan.Chunks, 1)
	video, audio := playlist(t, b, v.ID, "v0").Duration(), playlist(t, b, v.ID, plan.Audio[0].ID).Duration()
	require.InDelta(t, 120, audio, 0.5)
	require.InDelta(t, audio, video, plan.SegmentSeconds, "the picture lasts as long as the audio")
	require.InDelta(t, video, v.Duration, 0.001)
}

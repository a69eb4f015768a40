package delivery

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestPlayersDecodeThroughHandler packages a 3-second clip with ffmpeg the
// way the pipeline does (fMP4 HLS per rendition), writes master and MPD with
// package manifest, and has ffmpeg decode both through the handler using only
// the signed entry URL: proof that rewriting reaches every child URL.
func TestPlayersDecodeThroughHandler(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	b := setup(t)
	dir := t.TempDir()
	ctx := context.Background()
	hls := []string{"-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
		"-hls_fmp4_init_filename", "init.mp4"}
	encode := map[string][]string{
		"v0": {"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-t", "3", "-c:v", "libx264", "-g", "30", "-an"},
		"a0": {"-f", "lavfi", "-i", "sine", "-t", "3", "-c:a", "aac", "-ac", "2", "-ar", "48000", "-vn"},
	}
	for rid, args := range encode {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, rid), 0o755))
		args = append([]string{"-nostdin", "-hide_banner", "-loglevel", "error"}, args...)
		args = append(append(args, hls...), "-hls_segment_filename", filepath.Join(dir, rid, "seg_%05d.m4s"), filepath.Join(dir, rid, "index.m3u8"))
		out, err := exec.CommandContext(ctx, "ffmpeg", args...).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}

	rs := []media.Rendition{
		{ID: "v0", Type: media.KindVideo, Width: 160, Height: 120, FPSNum: 30, FPSDen: 1, Bitrate: 300_000, Codecs: "avc1.64000c"},
		{ID: "a0", Type: media.KindAudio, Bitrate: 128_000, Channels: 2, SampleRate: 48000},
	}
	pls := map[string]manifest.MediaPlaylist{}
	for _, r := range rs {
		data, err := os.ReadFile(filepath.Join(dir, r.ID, "index.m3u8"))
		require.NoError(t, err)
		pls[r.ID], err = manifest.ParseMediaPlaylist(bytes.NewReader(data))
		require.NoError(t, err)
	}
	var master, mpd bytes.Buffer
	require.NoError(t, manifest.WriteMaster(&master, rs))
	require.NoError(t, manifest.WriteMPD(&mpd, 0, rs, pls))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "master.m3u8"), master.Bytes(), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.mpd"), mpd.Bytes(), 0o644))
	require.NoError(t, b.store.DeletePrefix(ctx, "media/"+videoID+"/"))
	require.NoError(t, storage.PutDir(ctx, b.store, "media/"+videoID+"/", dir))

	srv := httptest.NewServer(b.h)
	t.Cleanup(srv.Close)
	for _, name := range []string{"master.m3u8", "manifest.mpd"} {
		u := srv.URL + mediaURL(videoID, name, b.token)
		out, err := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-i", u, "-map", "0", "-f", "null", "-").CombinedOutput()
		require.NoError(t, err, "%s: %s", name, out)
		require.Empty(t, string(out), name)
		out, err = exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", u).CombinedOutput()
		require.NoError(t, err, "%s: %s", name, out)
		require.Contains(t, string(out), "h264", name)
		require.Contains(t, string(out), "aac", name)
	}
}

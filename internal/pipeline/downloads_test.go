package pipeline

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// TestDownloads: turned on for a ready video, downloads are an MP4 of the
// top video rendition with the default audio and an M4A of that audio,
// remuxed (same codecs as the renditions, no encode) with moov before
// mdat; turned off, the files go. An audio-only video gets the M4A alone.
func TestDownloads(t *testing.T) {
	t.Parallel()
	b := setup(t, 1, nil)
	ctx := context.Background()
	src := testutil.MakeLanguagesClip(t, 3,
		testutil.AudioLanguage{Language: "eng", Silent: true},
		testutil.AudioLanguage{Language: "fre", Default: true})
	v := b.process(t, src)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	require.Equal(t, media.DownloadsOff, v.Downloads)

	v, err := b.pipes[0].SetDownloads(ctx, v.ID, true)
	require.NoError(t, err)
	require.Equal(t, media.DownloadsPending, v.Downloads)
	waitDownloads(t, b, v.ID)

	dir := filepath.Join(b.dir, "media", v.ID)
	mp4 := filepath.Join(dir, filepath.FromSlash(DownloadMP4))
	m4a := filepath.Join(dir, filepath.FromSlash(DownloadM4A))
	p := ffprobeJSON(t, mp4)
	require.Len(t, p.Streams, 2)
	require.Equal(t, [2]string{"h264", "aac"}, [2]string{p.Streams[0].CodecName, p.Streams[1].CodecName})
	require.Equal(t, 180, p.Streams[0].Height, "the top rung of the test ladder")
	require.InDelta(t, 3, p.duration(t), 0.15)
	boxes := topBoxes(t, mp4)
	require.Equal(t, []string{"ftyp", "moov"}, boxes[:2], "faststart: moov right after ftyp")
	require.Less(t, indexOf(boxes, "moov"), indexOf(boxes, "mdat"))
	require.NotContains(t, boxes, "moof", "a progressive MP4, not fragments")
	require.Greater(t, maxVolumeFile(t, mp4), -30.0, "the default (French) track, the one with sound")

	p = ffprobeJSON(t, m4a)
	require.Len(t, p.Streams, 1)
	require.Equal(t, "aac", p.Streams[0].CodecName)
	require.InDelta(t, 3, p.duration(t), 0.15)
	require.Contains(t, p.Format.FormatName, "m4a")
	boxes = topBoxes(t, m4a)
	require.Equal(t, "moov", boxes[1])
	require.Less(t, indexOf(boxes, "moov"), indexOf(boxes, "mdat"))

	// Remuxed, not encoded: the download's video packets are the rendition's.
	require.Equal(t, packetsMD5(t, mp4, "v:0"), packetsMD5(t, joinedRendition(t, filepath.Join(dir, "v0")), "v:0"))

	v, err = b.pipes[0].SetDownloads(ctx, v.ID, false)
	require.NoError(t, err)
	require.Equal(t, media.DownloadsOff, v.Downloads)
	require.NoFileExists(t, mp4)
	require.NoFileExists(t, m4a)

	a := b.process(t, testutil.MakeClip(t, testutil.ClipOptions{Format: "m4a", Seconds: 2}))
	require.Equal(t, media.StatusReady, a.Status, a.Error)
	_, err = b.pipes[0].SetDownloads(ctx, a.ID, true)
	require.NoError(t, err)
	waitDownloads(t, b, a.ID)
	require.NoFileExists(t, filepath.Join(b.dir, "media", a.ID, filepath.FromSlash(DownloadMP4)))
	require.InDelta(t, 2, ffprobeJSON(t, filepath.Join(b.dir, "media", a.ID, filepath.FromSlash(DownloadM4A))).duration(t), 0.15)
}

func waitDownloads(t *testing.T, b *bundle, id string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		v, err := b.cat.Video(context.Background(), id)
		require.NoError(t, err)
		if v.Downloads != media.DownloadsPending {
			require.Equal(t, media.DownloadsReady, v.Downloads)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("downloads of %s still pending", id)
}

type probed struct {
	Streams []struct {
		CodecName string `json:"codec_name"`
		Height    int    `json:"height"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

func (p probed) duration(t *testing.T) float64 {
	d, err := strconv.ParseFloat(p.Format.Duration, 64)
	require.NoError(t, err)
	return d
}

func ffprobeJSON(t *testing.T, path string) probed {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path).Output()
	require.NoError(t, err)
	var p probed
	require.NoError(t, json.Unmarshal(out, &p))
	return p
}

// topBoxes lists the top-level ISO BMFF boxes of a file, in order.
func topBoxes(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var boxes []string
	for off := uint64(0); off+8 <= uint64(len(data)); {
		size := uint64(binary.BigEndian.Uint32(data[off:]))
		boxes = append(boxes, string(data[off+4:off+8]))
		if size == 1 {
			size = binary.BigEndian.Uint64(data[off+8:])
		}
		require.GreaterOrEqual(t, size, uint64(8))
		off += size
	}
	return boxes
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func packetsMD5(t *testing.T, path, stream string) string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:"+stream, "-c", "copy", "-f", "md5", "-").Output()
	require.NoError(t, err)
	return string(out)
}

// joinedRendition writes a rendition's init and media segments into one file.
func joinedRendition(t *testing.T, dir string) string {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(dir, "seg_*.m4s"))
	require.NoError(t, err)
	joined := filepath.Join(t.TempDir(), "joined.mp4")
	f, err := os.Create(joined)
	require.NoError(t, err)
	for _, name := range append([]string{filepath.Join(dir, "init.mp4")}, segs...) {
		data, err := os.ReadFile(name)
		require.NoError(t, err)
		_, err = f.Write(data)
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())
	return joined
}

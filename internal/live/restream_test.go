package live

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage/local"
	"github.com/kinema/kinema/internal/testutil"
)

func TestMaskRestreamURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl": "rtmp://a.rtmp.youtube.com/live2/****",
		"rtmps://live.twitch.tv:443/app/live_123_secret": "rtmps://live.twitch.tv:443/app/****",
		"rtmp://user:pw@host/live/key?token=s3cr3t":      "rtmp://host/live/****",
		"rtmp://host/onlykey":                            "rtmp://host/****",
		"rtmp://host/live/key/":                          "rtmp://host/live/****",
		"::not a url":                                    "****",
	} {
		require.Equal(t, want, MaskRestreamURL(in), in)
	}
	for _, bad := range []string{"", "http://host/live/key", "rtmp://host", "rtmp:///live/key", "rtmp://host/live/ key", "srt://host:9000"} {
		require.Error(t, CheckRestreamURL(bad), bad)
	}
	require.NoError(t, CheckRestreamURL("rtmps://live.twitch.tv/app/live_1"))
	require.Equal(t, "fail at rtmp://h/live/**** (****)", redact("fail at rtmp://h/live/supersecret (supersecret)", "rtmp://h/live/supersecret"))
}

// TestRestreamPrivateDestinations: by default a streamer cannot make the
// server connect into its own network, neither by an address nor by a
// name that resolves to one.
func TestRestreamPrivateDestinations(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	st, err := b.svc.Create(ctx, "Source", "")
	require.NoError(t, err)
	for _, u := range []string{"rtmp://127.0.0.1/live/k", "rtmp://localhost:1935/live/k", "rtmp://10.1.2.3/live/k",
		"rtmps://169.254.169.254/live/k", "rtmp://[::1]/live/k", "rtmp://[::ffff:192.168.1.1]/live/k", "rtmp://a.localhost/live/k"} {
		_, err := b.svc.AddRestream(ctx, st.ID, "", u)
		require.ErrorIs(t, err, errPrivateDestination, u)
	}
	require.ErrorIs(t, b.svc.checkRestreamHost(ctx, "rtmp://localhost./live/k", true), errPrivateDestination)
	_, err = b.svc.AddRestream(ctx, st.ID, "", "rtmp://a.rtmp.youtube.com/live2/k")
	require.NoError(t, err, "a name is checked when connecting, where it resolves")
}

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func (b *bundle) waitRestream(t *testing.T, streamID, id string, within time.Duration, what string, cond func(media.LiveRestream) bool) media.LiveRestream {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		list, err := b.svc.Restreams(context.Background(), streamID)
		require.NoError(t, err)
		var d media.LiveRestream
		for _, x := range list {
			if x.ID == id {
				d = x
			}
		}
		if cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("restream %s: %s not reached within %s; last %+v", id, what, within, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRestream forwards an SRT broadcast into a second stream of the same
// server through its own RTMP ingest (the destination becomes live, gets
// its own ladder and recording), next to a destination that refuses the
// connection (status error with a sentence, retried, removed mid-broadcast)
// which affects neither the broadcast nor the other destination. The
// destination URLs never reach the logs. Then deleting the source stream
// removes its live output on disk and in the store, not its recording.
func TestRestream(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	testutil.BurnCPU(t, 2)
	store, err := local.New(t.TempDir())
	require.NoError(t, err)
	b := setup(t, func(c *Config) { c.Store, c.RestreamAllowPrivate = store, true })
	ctx := context.Background()
	src, err := b.svc.Create(ctx, "Source", "")
	require.NoError(t, err)
	dst, err := b.svc.Create(ctx, "Destination", "")
	require.NoError(t, err)
	_, dstURL := b.svc.PublishURLs("127.0.0.1", dst)
	good, err := b.svc.AddRestream(ctx, src.ID, "Second stream", dstURL)
	require.NoError(t, err)
	const badKey = "deadbeef-secret-42"
	bad, err := b.svc.AddRestream(ctx, src.ID, "", "rtmp://"+deadAddr(t)+"/live/"+badKey)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", bad.Name, "the name defaults to the host")
	_, err = b.svc.AddRestream(ctx, src.ID, "", "http://example.com/x")
	require.Error(t, err)

	srtURL, _ := b.svc.PublishURLs("127.0.0.1", src)
	pub := publish(t, srtURL, "mpegts", 20)
	b.waitStream(t, src.ID, 15*time.Second, "live", func(s Stream) bool { return s.Status == StatusLive })

	failed := b.waitRestream(t, src.ID, bad.ID, 30*time.Second, "error", func(d media.LiveRestream) bool { return d.Status == media.RestreamError })
	require.Contains(t, failed.Error, "refused the connection")
	require.Contains(t, failed.Error, "Retrying in")
	require.NotContains(t, failed.Error, badKey)
	d := b.waitRestream(t, src.ID, good.ID, 30*time.Second, "live", func(d media.LiveRestream) bool { return d.Status == media.RestreamLive })
	require.Empty(t, d.Error)
	got := b.waitStream(t, dst.ID, 30*time.Second, "restreamed into", func(s Stream) bool {
		return s.Status == StatusLive && len(s.Renditions) > 0
	})
	require.Equal(t, 360, got.Renditions[0].Height, "the destination receives the 360p input as sent (no re-encode before it)")
	require.NoError(t, b.svc.RemoveRestream(ctx, src.ID, bad.ID))
	require.ErrorIs(t, b.svc.RemoveRestream(ctx, src.ID, bad.ID), media.ErrNotFound)

	// The source broadcast goes on, unaffected.
	pb, err := b.svc.PlaybackURLs(b.srv.URL, src.ID)
	require.NoError(t, err)
	code, body := b.get(t, b.srv.URL+"/live/"+src.ID+"/media_0.m3u8?token="+tokenOf(t, pb.HLS))
	require.Equal(t, 200, code)
	require.NotEmpty(t, parsePlaylist(string(body)).segments)
	s, err := b.svc.Get(ctx, src.ID)
	require.NoError(t, err)
	require.Equal(t, StatusLive, s.Status)
	require.Empty(t, s.Error)

	require.NoError(t, waitExit(t, pub, 60*time.Second))
	srcEnd := b.waitStream(t, src.ID, 60*time.Second, "recorded", func(s Stream) bool { return s.VideoID != "" })
	require.Empty(t, srcEnd.Error)
	dstEnd := b.waitStream(t, dst.ID, 90*time.Second, "recorded", func(s Stream) bool { return s.VideoID != "" })
	require.Empty(t, dstEnd.Error)
	b.waitRestream(t, src.ID, good.ID, 30*time.Second, "idle", func(d media.LiveRestream) bool { return d.Status == media.RestreamIdle })
	b.mu.Lock()
	durations := map[string]float64{}
	for _, r := range b.records {
		durations[r.title] = r.duration
	}
	b.mu.Unlock()
	t.Logf("recordings: source %.2f s, destination %.2f s", durations["Source"], durations["Destination"])
	require.InDelta(t, 20, durations["Source"], 2.5)
	require.Greater(t, durations["Destination"], 10.0, "the destination received most of the broadcast")

	logs := b.logs.String()
	require.Contains(t, logs, "live restream sending")
	for _, secret := range []string{dst.StreamKey, badKey} {
		require.NotContains(t, logs, secret, "a destination URL must never be logged")
	}

	// Deleting the source removes its live output (disk and store), keeps its recording.
	objs, err := store.List(ctx, storePrefix(src.ID))
	require.NoError(t, err)
	require.NotEmpty(t, objs)
	require.NoError(t, b.svc.Delete(ctx, src.ID))
	objs, err = store.List(ctx, storePrefix(src.ID))
	require.NoError(t, err)
	require.Empty(t, objs, "segments and playlists deleted from the store")
	_, err = os.Stat(filepath.Join(b.svc.cfg.Dir, "out", src.ID))
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = b.svc.Get(ctx, src.ID)
	require.ErrorIs(t, err, media.ErrNotFound)
	list, err := b.svc.Restreams(ctx, src.ID)
	require.NoError(t, err)
	require.Empty(t, list)
	code, _ = b.get(t, b.srv.URL+"/live/"+src.ID+"/media_0.m3u8?token="+tokenOf(t, pb.HLS))
	require.Equal(t, 404, code)
	b.mu.Lock()
	require.Len(t, b.records, 2, "recordings are videos of their own: untouched")
	b.mu.Unlock()
	// The other stream's output stays.
	objs, err = store.List(ctx, storePrefix(dst.ID))
	require.NoError(t, err)
	require.NotEmpty(t, objs)
}

// TestRestreamRTMPMidBroadcast adds a destination, a plain "ffmpeg -listen
// 1" RTMP server, to an RTMP broadcast already running: the forward starts
// at the newest keyframe with the codec configuration, and what the server
// receives is the publisher's H.264 and AAC, decodable from its first frame.
func TestRestreamRTMPMidBroadcast(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	testutil.BurnCPU(t, 2)
	b := setup(t, func(c *Config) { c.RestreamAllowPrivate = true })
	ctx := context.Background()
	st, err := b.svc.Create(ctx, "RTMP source", "")
	require.NoError(t, err)
	_, rtmpURL := b.svc.PublishURLs("127.0.0.1", st)
	pub := publish(t, rtmpURL, "flv", 18)
	b.waitStream(t, st.ID, 15*time.Second, "transcoding", func(s Stream) bool { return len(s.Renditions) > 0 })
	time.Sleep(3 * time.Second) // well into the broadcast

	addr := deadAddr(t)
	out := filepath.Join(t.TempDir(), "received.flv")
	srv := exec.Command("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-listen", "1",
		"-i", "rtmp://"+addr+"/app/the-key", "-c", "copy", "-f", "flv", out)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	time.Sleep(500 * time.Millisecond) // the listener opens
	d, err := b.svc.AddRestream(ctx, st.ID, "local ffmpeg", "rtmp://"+addr+"/app/the-key")
	require.NoError(t, err)
	require.Equal(t, "rtmp://"+addr+"/app/****", MaskRestreamURL("rtmp://"+addr+"/app/the-key"))
	b.waitRestream(t, st.ID, d.ID, 30*time.Second, "live", func(x media.LiveRestream) bool { return x.Status == media.RestreamLive })

	require.NoError(t, waitExit(t, pub, 60*time.Second))
	require.NoError(t, waitExit(t, srv, 60*time.Second), "the destination got a clean end of stream")
	streams, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height",
		"-of", "csv=p=0", out).Output()
	require.NoError(t, err)
	require.Equal(t, "h264,640,360\naac", strings.TrimSpace(string(streams)), "the publisher's streams, copied")
	dur, err := probeDuration(ctx, out)
	require.NoError(t, err)
	t.Logf("destination received %.2f s of the 18 s broadcast", dur)
	require.Greater(t, dur, 6.0)
	// Every frame decodes: the forward starts on a keyframe with its SPS/PPS.
	dec, err := exec.Command("ffmpeg", "-v", "error", "-i", out, "-f", "null", "-").CombinedOutput()
	require.NoError(t, err)
	require.Empty(t, strings.TrimSpace(string(dec)), "decode errors: %s", dec)
	frames, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", out).Output()
	require.NoError(t, err)
	n, err := strconv.Atoi(strings.TrimSpace(string(frames)))
	require.NoError(t, err)
	require.Greater(t, n, 150, "30 fps for more than 5 s")
}

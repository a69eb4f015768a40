package live

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	srt "github.com/datarhei/gosrt"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/testutil"
)

var resolution = regexp.MustCompile(`RESOLUTION=(\d+x\d+)`)

// TestSRTBroadcast publishes 12 s over SRT: the ladder is capped at the
// 360p input, the playlist advances, segments decode through the signed
// handler, a second publisher and a wrong key are refused, and at the end
// the recording is handed over and becomes the stream's video.
func TestSRTBroadcast(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	// As behind a trusted proxy: the viewer's address comes from a header.
	b := setup(t, func(c *Config) {
		c.ClientIPFunc = func(r *http.Request) netip.Addr {
			if a, err := netip.ParseAddr(r.Header.Get("X-Viewer")); err == nil {
				return a
			}
			return remoteIP(r)
		}
	})
	ctx := context.Background()
	st, err := b.svc.Create(ctx, "SRT test", "")
	require.NoError(t, err)
	srtURL, _ := b.svc.PublishURLs("localhost:8080", st)
	require.Contains(t, srtURL, "srt://localhost:")
	srtURL = strings.Replace(srtURL, "localhost", "127.0.0.1", 1)

	pub := publish(t, srtURL, "mpegts", 12)
	live := b.waitStream(t, st.ID, 5*time.Second, "live", func(s Stream) bool { return s.Status == StatusLive })

	// Wrong key and a second publisher are refused during the handshake.
	bad := publish(t, strings.Replace(srtURL, st.StreamKey[:8], "AAAAAAAA", 1), "mpegts", 3)
	require.Error(t, waitExit(t, bad, 10*time.Second), "wrong key must be refused")
	second := publish(t, srtURL, "mpegts", 3)
	require.Error(t, waitExit(t, second, 10*time.Second), "second publisher must be refused")

	pb, err := b.svc.PlaybackURLs(b.srv.URL, st.ID)
	require.NoError(t, err)
	tok := tokenOf(t, pb.HLS)
	media0 := b.srv.URL + "/live/" + st.ID + "/media_0.m3u8?token=" + tok
	res := b.watch(t, media0, live.StartedAt, func() bool {
		s, _ := b.svc.Get(ctx, st.ID)
		return s.Status == StatusEnded
	})
	require.NoError(t, waitExit(t, pub, 10*time.Second))
	t.Logf("SRT: first segment listed %s after publish; segment latency (available − last frame sent): %s",
		res.firstSegment.Round(10*time.Millisecond), summarize(res.latencies))
	require.GreaterOrEqual(t, res.maxSeq, 4, "playlist must advance")

	code, master := b.get(t, pb.HLS)
	require.Equal(t, http.StatusOK, code)
	var sizes []string
	for _, m := range resolution.FindAllStringSubmatch(string(master), -1) {
		sizes = append(sizes, m[1])
	}
	require.Equal(t, []string{"640x360", "416x234"}, sizes, "ladder never above the 360p input, 720p absent")
	require.Contains(t, string(master), "token=", "master is rewritten with the token")
	code, mpd := b.get(t, pb.DASH)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(mpd), "token=")

	code, body := b.get(t, media0)
	require.Equal(t, http.StatusOK, code)
	p := parsePlaylist(string(body))
	require.NotEmpty(t, p.segments)
	b.checkSegmentDecodes(t, st.ID, "0", p.segments[0], tok)
	b.checkSegmentDecodes(t, st.ID, "1", strings.Replace(p.segments[0], "seg_0_", "seg_1_", 1), tok)

	// Signed playback only.
	code, _ = b.get(t, b.srv.URL+"/live/"+st.ID+"/media_0.m3u8")
	require.Equal(t, http.StatusForbidden, code)
	other, err := b.svc.PlaybackURLs(b.srv.URL, "someotherid")
	require.NoError(t, err)
	code, _ = b.get(t, b.srv.URL+"/live/"+st.ID+"/media_0.m3u8?token="+tokenOf(t, other.HLS))
	require.Equal(t, http.StatusForbidden, code)
	// IP-bound tokens hold on live too: bound to another address → 403, to
	// the test client's address (loopback) → 200.
	for addr, want := range map[string]int{"192.0.2.7": http.StatusForbidden, "127.0.0.1": http.StatusOK} {
		bound, err := b.keys.Sign(auth.Claims{VideoID: st.ID, Purpose: auth.PurposePlay,
			ExpiresAt: time.Now().Add(time.Hour), ClientIP: netip.MustParseAddr(addr)})
		require.NoError(t, err)
		code, _ = b.get(t, b.srv.URL+"/live/"+st.ID+"/media_0.m3u8?token="+bound)
		require.Equal(t, want, code, addr)
	}
	// Config.ClientIPFunc decides the address: the proxied viewer plays.
	bound, err := b.keys.Sign(auth.Claims{VideoID: st.ID, Purpose: auth.PurposePlay,
		ExpiresAt: time.Now().Add(time.Hour), ClientIP: netip.MustParseAddr("192.0.2.7")})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/live/"+st.ID+"/media_0.m3u8?token="+bound, nil)
	req.Header.Set("X-Viewer", "192.0.2.7")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	final := b.waitStream(t, st.ID, 15*time.Second, "recorded", func(s Stream) bool { return s.VideoID != "" })
	require.Equal(t, StatusEnded, final.Status)
	require.Empty(t, final.Error)
	b.mu.Lock()
	defer b.mu.Unlock()
	require.Len(t, b.records, 1)
	require.Equal(t, "SRT test", b.records[0].title)
	require.InDelta(t, 12, b.records[0].duration, 1.5)
	t.Logf("SRT recording: %.2f s", b.records[0].duration)
}

// TestRTMPReconnect publishes over RTMP, drops the publisher, reconnects
// within the grace period, and checks that the same playlist continues
// and the recording holds both parts.
func TestRTMPReconnect(t *testing.T) {
	t.Parallel()
	testReconnect(t, "rtmp")
}

// TestSRTReconnect is the same over SRT, where ffmpeg's MPEG-TS
// discontinuity handling re-bases the second publisher's clock.
func TestSRTReconnect(t *testing.T) {
	t.Parallel()
	testReconnect(t, "srt")
}

func testReconnect(t *testing.T, proto string) {
	testutil.RequireFFmpeg(t)
	b := setup(t, func(c *Config) { c.Grace = 4 * time.Second })
	ctx := context.Background()
	st, err := b.svc.Create(ctx, proto+" test", "")
	require.NoError(t, err)
	srtURL, rtmpURL := b.svc.PublishURLs("127.0.0.1", st)
	pubURL, format := rtmpURL, "flv"
	if proto == "srt" {
		pubURL, format = srtURL, "mpegts"
	} else {
		require.Contains(t, rtmpURL, "/live/"+st.StreamKey)
		bad := publish(t, strings.Replace(rtmpURL, st.StreamKey, "nope", 1), format, 3)
		require.Error(t, waitExit(t, bad, 10*time.Second), "wrong key must be refused")
	}

	first := publish(t, pubURL, format, 6)
	live := b.waitStream(t, st.ID, 5*time.Second, "live", func(s Stream) bool { return s.Status == StatusLive })
	if proto == "rtmp" {
		second := publish(t, pubURL, format, 3)
		require.Error(t, waitExit(t, second, 10*time.Second), "second publisher must be refused")
	}
	require.NoError(t, waitExit(t, first, 20*time.Second))
	b.waitStream(t, st.ID, 5*time.Second, "disconnected", func(s Stream) bool { return !s.Connected })

	pb, err := b.svc.PlaybackURLs(b.srv.URL, st.ID)
	require.NoError(t, err)
	media0 := b.srv.URL + "/live/" + st.ID + "/media_0.m3u8?token=" + tokenOf(t, pb.HLS)
	_, body := b.get(t, media0)
	before := parsePlaylist(string(body))
	require.False(t, before.ended)

	third := publish(t, pubURL, format, 6) // reconnect within the grace period
	b.waitStream(t, st.ID, 5*time.Second, "reconnected", func(s Stream) bool { return s.Connected && s.Status == StatusLive })
	res := b.watch(t, media0, live.StartedAt, func() bool {
		s, _ := b.svc.Get(ctx, st.ID)
		return s.Status == StatusEnded
	})
	require.NoError(t, waitExit(t, third, 20*time.Second))
	t.Logf("%s: segment latency across the reconnect (includes the gap): %s", proto, summarize(res.latencies))
	require.Greater(t, res.maxSeq, before.seq+len(before.segments), "the same playlist continues after the reconnect")

	final := b.waitStream(t, st.ID, 15*time.Second, "recorded", func(s Stream) bool { return s.VideoID != "" })
	require.Empty(t, final.Error)
	b.mu.Lock()
	defer b.mu.Unlock()
	require.Len(t, b.records, 1)
	// Two 6 s publishes: more than either alone proves both are in it; a
	// starved machine drops a second or two of SRT input, hence no tighter.
	d := b.records[0].duration
	require.True(t, d > 8 && d < 14, "both publishes are in one recording: %.2f s", d)
}

// TestGarbageInput sends random bytes over SRT with a valid key: the
// broadcast ends at once with a clear error and the service keeps working.
func TestGarbageInput(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	b := setup(t, nil)
	st, err := b.svc.Create(context.Background(), "garbage", "")
	require.NoError(t, err)
	conf := srt.DefaultConfig()
	conf.StreamId = "publish:" + st.StreamKey
	conn, err := srt.Dial("srt", b.svc.SRTAddr(), conf)
	require.NoError(t, err)
	defer conn.Close()
	junk := make([]byte, 1316)
	for range 20 {
		_, _ = rand.Read(junk)
		if _, err := conn.Write(junk); err != nil {
			break
		}
	}
	final := b.waitStream(t, st.ID, 10*time.Second, "ended", func(s Stream) bool { return s.Status == StatusEnded })
	require.Contains(t, final.Error, "MPEG-TS")
	require.Empty(t, final.VideoID)

	// The key of an ended stream is refused.
	conn2, err := srt.Dial("srt", b.svc.SRTAddr(), conf)
	if err == nil {
		conn2.Close()
	}
	require.Error(t, err)
}

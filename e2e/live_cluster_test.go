//go:build e2e

package e2e

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// liveView is the live API's stream JSON, as the tests read it.
type liveView struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	SRTURL   string `json:"srt_url"`
	VideoID  string `json:"video_id"`
	Error    string `json:"error"`
	Playback struct{ HLS, DASH string }
}

// TestLiveAnyNode: two `kinema serve` on PostgreSQL + S3, beside two busy
// cores. A stream created on node B is published to node A over SRT; B
// lists it live and plays it (playlists and segments come from the store,
// not A's disk). A is then killed mid-broadcast: B still serves what was
// broadcast. When A comes back it ends the broadcast and its recording
// becomes a ready video, which B shows.
func TestLiveAnyNode(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	env := scaleoutEnv(t)
	testutil.BurnCPU(t, 2)
	dataA := t.TempDir()
	srtA := freePort(t)
	a := startRole(t, bin, "serve", dataA, env, "--workers", "1", "--srt-addr", srtA, "--rtmp-addr", freePort(t))
	b := startRole(t, bin, "serve", t.TempDir(), env, "--workers", "0", "--srt-addr", freePort(t), "--rtmp-addr", freePort(t))

	var st liveView
	require.Equal(t, http.StatusCreated, apiCall(t, http.MethodPost, b.base+"/api/v1/live", map[string]string{"title": "any node"}, &st))
	var onA liveView
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, a.base+"/api/v1/live/"+st.ID, nil, &onA), "A sees the stream B created")
	require.Contains(t, onA.SRTURL, strings.Split(srtA, ":")[1])

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pub := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "60", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-f", "mpegts", onA.SRTURL)
	require.NoError(t, pub.Start())
	t.Cleanup(func() { _ = pub.Process.Kill(); _ = pub.Wait() })

	// B: live, and playing from the store.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && st.Status != "live" {
		time.Sleep(200 * time.Millisecond)
		require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, b.base+"/api/v1/live/"+st.ID, nil, &st))
	}
	require.Equal(t, "live", st.Status, "B shows the broadcast A runs")
	require.True(t, strings.HasPrefix(st.Playback.HLS, b.base), st.Playback.HLS)
	first := waitSegments(t, st.Playback.HLS, 2, 60*time.Second)
	later := waitSegments(t, st.Playback.HLS, first+2, 60*time.Second)
	require.Greater(t, later, first, "B's playlist advances")
	seg := firstSegment(t, st.Playback.HLS)
	code, body := get(t, seg)
	require.Equal(t, http.StatusOK, code, seg)
	require.Greater(t, len(body), 1000)
	code, _ = get(t, st.Playback.DASH)
	require.Equal(t, http.StatusOK, code, "B serves the MPD too")

	// A crashes: B still serves what was broadcast.
	require.NoError(t, a.cmd.Process.Kill())
	<-a.done
	code, _ = get(t, st.Playback.HLS)
	require.Equal(t, http.StatusOK, code, "the playlist outlives the ingest node")
	code, body = get(t, seg)
	require.Equal(t, http.StatusOK, code)
	require.Greater(t, len(body), 1000)

	// A restarts: the interrupted broadcast ends and is recorded.
	a2 := startRole(t, bin, "serve", dataA, env, "--workers", "1", "--srt-addr", srtA, "--rtmp-addr", freePort(t))
	_ = a2
	deadline = time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) && (st.Status != "ended" || st.VideoID == "") {
		time.Sleep(250 * time.Millisecond)
		require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, b.base+"/api/v1/live/"+st.ID, nil, &st))
	}
	require.Equal(t, "ended", st.Status)
	require.Contains(t, st.Error, "restarted")
	require.NotEmpty(t, st.VideoID, "what was broadcast before the crash became a video")
	waitStatus(t, b.base, st.VideoID, "ready", 3*time.Minute)
}

// firstSegment returns the signed URL of the first segment of the first
// media playlist of master.
func firstSegment(t *testing.T, master string) string {
	t.Helper()
	base := master[:strings.LastIndex(strings.Split(master, "?")[0], "/")+1]
	_, body := get(t, master)
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		_, media := get(t, base+line)
		for _, l := range strings.Split(string(media), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				return base + l
			}
		}
	}
	t.Fatalf("no segment in %s", master)
	return ""
}

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	return resp.StatusCode, []byte(readAll(resp))
}

//go:build e2e

package e2e

import (
	"context"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// TestLive publishes over SRT and RTMP to the real binary with ffmpeg, watches
// the live playlist advance, and checks that each recording becomes a ready
// VOD video.
func TestLive(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	srt, rtmp := freePort(t), freePort(t) // SRT is UDP; a free TCP port number is free enough here
	s := startCmd(t, bin, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--workers", "1",
		"--srt-addr", srt, "--rtmp-addr", rtmp}, []string{"KINEMA_PUBLIC_URL=http://127.0.0.1"})

	for _, proto := range []string{"srt", "rtmp"} {
		t.Run(proto, func(t *testing.T) {
			var ls struct {
				ID       string `json:"id"`
				Status   string `json:"status"`
				SRTURL   string `json:"srt_url"`
				RTMPURL  string `json:"rtmp_url"`
				VideoID  string `json:"video_id"`
				Playback struct{ HLS string }
			}
			require.Equal(t, http.StatusCreated, apiCall(t, http.MethodPost, s.base+"/api/v1/live", map[string]string{"title": "live " + proto}, &ls))
			require.Equal(t, "idle", ls.Status)
			target, format := ls.SRTURL, "mpegts"
			if proto == "rtmp" {
				target, format = ls.RTMPURL, "flv"
			}
			require.NotEmpty(t, target)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			pub := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-re",
				"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
				"-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p",
				"-c:a", "aac", "-f", format, target)
			out := &strings.Builder{}
			pub.Stderr = out
			require.NoError(t, pub.Start())

			// The playlist appears and advances while the publisher runs.
			hls := strings.Replace(ls.Playback.HLS, "http://127.0.0.1", s.base, 1)
			first := waitSegments(t, hls, 1, 30*time.Second)
			later := waitSegments(t, hls, first+2, 30*time.Second)
			require.Greater(t, later, first)

			require.NoError(t, pub.Wait(), out.String())
			deadline := time.Now().Add(time.Minute)
			for time.Now().Before(deadline) && (ls.Status != "ended" || ls.VideoID == "") {
				time.Sleep(200 * time.Millisecond)
				require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, s.base+"/api/v1/live/"+ls.ID, nil, &ls))
			}
			require.Equal(t, "ended", ls.Status)
			require.NotEmpty(t, ls.VideoID, "the recording became a video")
			waitStatus(t, s.base, ls.VideoID, "ready", 2*time.Minute)
		})
	}
}

// waitSegments polls the first variant playlist of a live master until it
// lists at least n segments, and returns the count.
func waitSegments(t *testing.T, master string, n int, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	base := master[:strings.LastIndex(strings.Split(master, "?")[0], "/")+1]
	for time.Now().Before(deadline) {
		resp, err := http.Get(master)
		if err == nil && resp.StatusCode == http.StatusOK {
			body := readAll(resp)
			for _, line := range strings.Split(body, "\n") {
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				if r, err := http.Get(base + line); err == nil && r.StatusCode == http.StatusOK {
					if c := strings.Count(readAll(r), "#EXTINF"); c >= n {
						return c
					}
				}
				break
			}
		} else if resp != nil {
			resp.Body.Close()
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("live playlist did not reach %d segments", n)
	return 0
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

package main

import (
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
)

// liveStream is the subset of the live API's JSON the tests read.
type liveStream struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Connected  bool   `json:"connected"`
	SRTURL     string `json:"srt_url"`
	RTMPURL    string `json:"rtmp_url"`
	VideoID    string `json:"video_id"`
	Error      string `json:"error"`
	Renditions []struct {
		ID            string `json:"id"`
		Width, Height int
	} `json:"renditions"`
	EndedAt time.Time `json:"ended_at"`
}

// publishLive sends a generated test stream in real time (-re) for secs
// seconds, like OBS would.
func publishLive(t *testing.T, url, format, size string, secs int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "testsrc2=size="+size+":rate=30",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", strconv.Itoa(secs),
		"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "60", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", "96k", "-f", format, url)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// TestLiveRecordingCompleteUnderLoad publishes 15 s of 720p over SRT and
// 15 s of 360p over RTMP at the same time, with two CPU-burning loops
// beside the server, and checks that each recording holds every second
// that was published (within one 2 s segment) and is ready soon after its
// broadcast ended: the VOD is the live segments remuxed, not encoded again.
func TestLiveRecordingCompleteUnderLoad(t *testing.T) {
	s := setupWith(t, func(c *config.Config) { c.SRTAddr, c.RTMPAddr = "127.0.0.1:0", "127.0.0.1:0" })
	testutil.BurnCPU(t, 2)

	const secs = 15
	cases := []struct {
		title, format, size string
		height              int
		id                  string
		pub                 *exec.Cmd
	}{
		{title: "SRT 720p", format: "mpegts", size: "1280x720", height: 720},
		{title: "RTMP 360p", format: "flv", size: "640x360", height: 360},
	}
	for i := range cases {
		c := &cases[i]
		var st liveStream
		require.Equal(t, http.StatusCreated, s.api(http.MethodPost, "/api/v1/live", map[string]string{"title": c.title}, &st))
		// The API names the request's host (127.0.0.1) and the bound port.
		url := st.SRTURL
		if c.format == "flv" {
			url = st.RTMPURL
		}
		require.NotEmpty(t, url)
		c.id, c.pub = st.ID, publishLive(t, url, c.format, c.size, secs)
	}
	for _, c := range cases {
		require.NoError(t, c.pub.Wait(), c.title+": publisher")
	}
	for _, c := range cases {
		// Wait for the end, then for the recording's video.
		var last liveStream
		deadline := time.Now().Add(3 * time.Minute)
		for time.Now().Before(deadline) {
			require.Equal(t, http.StatusOK, s.api(http.MethodGet, "/api/v1/live/"+c.id, nil, &last))
			if last.Status == "ended" && last.VideoID != "" {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		require.Equal(t, "ended", last.Status, c.title)
		require.Empty(t, last.Error, c.title)
		require.NotEmpty(t, last.VideoID, c.title+": the recording was handed over")
		v := s.wait(last.VideoID)
		var at struct {
			ReadyAt time.Time `json:"ready_at"`
		}
		require.Equal(t, http.StatusOK, s.api(http.MethodGet, "/api/v1/videos/"+v.ID, nil, &at))
		ready := at.ReadyAt
		require.Equal(t, "ready", v.Status, "%s: %s", c.title, v.Error)
		require.InDelta(t, secs, v.Duration, 2, "%s: the recording holds every second published (within one 2 s segment)", c.title)
		require.Equal(t, c.height, v.Height, c.title)
		// The VOD ladder is the live ladder.
		var vids, lives []string
		for _, r := range v.Renditions {
			if r.Type == "video" {
				vids = append(vids, strconv.Itoa(r.Width)+"x"+strconv.Itoa(r.Height))
			}
		}
		for _, r := range last.Renditions {
			if r.Width > 0 {
				lives = append(lives, strconv.Itoa(r.Width)+"x"+strconv.Itoa(r.Height))
			}
		}
		require.Equal(t, lives, vids, c.title)
		t.Logf("%s: recording %.2f s of %d s published, ready %.1f s after the broadcast ended (renditions %v)",
			c.title, v.Duration, secs, ready.Sub(last.EndedAt).Seconds(), vids)
		require.Less(t, ready.Sub(last.EndedAt), time.Minute, "%s: ready soon after the end, without a second encode", c.title)
	}
}

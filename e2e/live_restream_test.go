//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestLiveRestream drives the real binary through its API, beside two busy
// cores: stream A is restreamed into stream B's RTMP ingest on the same
// server; B goes live and records what it received, A's destination
// reports live, no answer and no log line shows B's key, and deleting A
// keeps A's recording.
func TestLiveRestream(t *testing.T) {
	testutil.RequireFFmpeg(t)
	testutil.BurnCPU(t, 2)
	bin := binary(t)
	srt, rtmp := freePort(t), freePort(t)
	s := startCmd(t, bin, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--workers", "1",
		"--srt-addr", srt, "--rtmp-addr", rtmp}, []string{"KINEMA_PUBLIC_URL=http://127.0.0.1", "KINEMA_RESTREAM_ALLOW_PRIVATE=true"}) // restreams into its own loopback ingest

	type stream struct {
		ID, Status    string
		SRTURL        string `json:"srt_url"`
		RTMPURL       string `json:"rtmp_url"`
		StreamKeyJSON string `json:"stream_key"`
		VideoIDJSON   string `json:"video_id"`
		Renditions    []json.RawMessage
		Restreams     []struct{ ID, Name, URL, Status, Error string }
	}
	get := func(id string) (stream, string) {
		req, _ := http.NewRequest(http.MethodGet, s.base+"/api/v1/live/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body := readAll(resp)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		var st stream
		require.NoError(t, json.Unmarshal([]byte(body), &st))
		return st, body
	}
	var a, b stream
	require.Equal(t, http.StatusCreated, apiCall(t, http.MethodPost, s.base+"/api/v1/live", map[string]string{"title": "source"}, &a))
	require.Equal(t, http.StatusCreated, apiCall(t, http.MethodPost, s.base+"/api/v1/live", map[string]string{"title": "destination"}, &b))
	require.NotEmpty(t, b.RTMPURL)
	var d struct{ ID, URL, Status string }
	require.Equal(t, http.StatusCreated, apiCall(t, http.MethodPost, s.base+"/api/v1/live/"+a.ID+"/restreams",
		map[string]string{"name": "B", "url": b.RTMPURL}, &d))
	require.Equal(t, b.RTMPURL[:strings.LastIndex(b.RTMPURL, "/")+1]+"****", d.URL)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pub := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "16", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-f", "mpegts", a.SRTURL)
	out := &strings.Builder{}
	pub.Stderr = out
	require.NoError(t, pub.Start())

	testutil.PollUntil(t, 60*time.Second, "the destination stream live with its ladder, the restream live", func() bool {
		bs, _ := get(b.ID)
		as, body := get(a.ID)
		require.NotContains(t, body, b.StreamKeyJSON, "the destination key is never shown")
		return bs.Status == "live" && len(bs.Renditions) > 0 && len(as.Restreams) == 1 && as.Restreams[0].Status == "live"
	})
	require.NoError(t, pub.Wait(), out.String())

	testutil.PollUntil(t, 3*time.Minute, "both recordings", func() bool {
		as, _ := get(a.ID)
		bs, _ := get(b.ID)
		return as.VideoIDJSON != "" && bs.VideoIDJSON != ""
	})
	as, _ := get(a.ID)
	bs, _ := get(b.ID)
	require.Equal(t, "idle", as.Restreams[0].Status)
	waitStatus(t, s.base, bs.VideoIDJSON, "ready", 3*time.Minute)
	var v struct{ Duration float64 }
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, s.base+"/api/v1/videos/"+bs.VideoIDJSON, nil, &v))
	t.Logf("the destination stream's recording lasts %.2f s of the 16 s broadcast", v.Duration)
	require.Greater(t, v.Duration, 8.0)
	require.False(t, s.logged(b.StreamKeyJSON), "the destination URL never reaches the log")

	require.Equal(t, http.StatusNoContent, apiCall(t, http.MethodDelete, s.base+"/api/v1/live/"+a.ID, nil, nil))
	require.Equal(t, http.StatusNotFound, apiCall(t, http.MethodGet, s.base+"/api/v1/live/"+a.ID, nil, nil))
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, s.base+"/api/v1/videos/"+as.VideoIDJSON, nil, nil), "the recording stays")
}

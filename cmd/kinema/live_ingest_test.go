package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
)

// lockedBuffer is a log sink shared by the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestIngestIsOnByDefault(t *testing.T) {
	d := config.Default()
	require.Equal(t, ":9710", d.SRTAddr, "the README documents SRT ingest on :9710 by default")
	require.Equal(t, ":1935", d.RTMPAddr, "the README documents RTMP ingest on :1935 by default")
	d.SRTAddr, d.RTMPAddr = "off", "OFF"
	srt, rtmp := d.IngestAddrs()
	require.Empty(t, srt)
	require.Empty(t, rtmp)
}

// A taken ingest port is logged with what to do, and the API (live
// included) keeps serving.
func TestIngestPortTakenKeepsServing(t *testing.T) {
	testutil.RequireFFmpeg(t)
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer tcp.Close()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer udp.Close()

	var logs lockedBuffer
	cfg := config.Default()
	cfg.Addr, cfg.MetricsAddr, cfg.DataDir, cfg.AdminToken = "127.0.0.1:0", "127.0.0.1:0", t.TempDir(), adminToken
	cfg.Workers = 0
	cfg.SRTAddr, cfg.RTMPAddr = udp.LocalAddr().String(), tcp.Addr().String()
	m := &Main{Config: cfg, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	require.NoError(t, m.Run(context.Background()), "a taken ingest port must not stop the server")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		require.NoError(t, m.Close(ctx))
	})
	s := &server{t: t, main: m, base: "http://" + m.Addr}
	out := logs.String()
	require.Contains(t, out, "SRT ingest is off: cannot listen on "+cfg.SRTAddr)
	require.Contains(t, out, "RTMP ingest is off: cannot listen on "+cfg.RTMPAddr)
	require.Contains(t, out, "KINEMA_RTMP_ADDR")

	var st struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	require.Equal(t, http.StatusCreated, s.api(http.MethodPost, "/api/v1/live", map[string]string{"title": "x"}, &st))
	require.Equal(t, "idle", st.Status)
	resp, err := http.Get(s.base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// With ingest off, the live API says so: 503, code live_off and a sentence
// naming the flags, not a 404 or 405.
func TestIngestOffAnswers503(t *testing.T) {
	for _, off := range []string{"", "off"} {
		s := setupWith(t, func(c *config.Config) { c.SRTAddr, c.RTMPAddr, c.Workers = off, off, 0 })
		for _, c := range []struct{ method, path string }{
			{http.MethodGet, "/api/v1/live"}, {http.MethodPost, "/api/v1/live"}, {http.MethodGet, "/api/v1/live/abc"},
			{http.MethodGet, "/live/abc/master.m3u8"},
		} {
			req, err := http.NewRequest(c.method, s.base+c.path, strings.NewReader(`{"title":"x"}`))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+adminToken)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s %s: %s", c.method, c.path, data)
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			require.NoError(t, json.Unmarshal(data, &body), string(data))
			require.Equal(t, "live_off", body.Error.Code)
			require.Contains(t, body.Error.Message, "--srt-addr")
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
)

const adminToken = "test-admin-token"

// server is a kinema running in-process on a loopback port, as `kinema serve`
// would run it, with its own data directory.
type server struct {
	t    *testing.T
	main *Main
	base string
}

func setup(t *testing.T) *server {
	t.Helper()
	return setupWith(t, nil)
}

// setupWith lets a test change the configuration before the server starts,
// and the Main itself with tweak functions.
func setupWith(t *testing.T, change func(*config.Config), tweaks ...func(*Main)) *server {
	t.Helper()
	testutil.RequireFFmpeg(t)
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.MetricsAddr = "127.0.0.1:0"
	cfg.SRTAddr, cfg.RTMPAddr = "", "" // parallel servers: live ingest is tested on its own ports
	cfg.DataDir = t.TempDir()
	cfg.AdminToken = adminToken
	cfg.Workers = 3
	cfg.Ladder.SegmentSeconds = 2
	cfg.Ladder.SegmentsPerChunk = 1 // several chunks even for short clips
	cfg.Ladder.Preset = "veryfast"
	cfg.MaxAttempts = 2
	cfg.ShutdownTimeout = 5 * time.Second
	if change != nil {
		change(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	m := &Main{Config: cfg, Log: log}
	for _, tweak := range tweaks {
		tweak(m)
	}
	require.NoError(t, m.Run(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		require.NoError(t, m.Close(ctx))
	})
	return &server{t: t, main: m, base: "http://" + m.Addr}
}

// video is the subset of the API's video JSON the tests read.
type video struct {
	ID         string  `json:"id"`
	Status     string  `json:"status"`
	Kind       string  `json:"kind"`
	Progress   float64 `json:"progress"`
	Error      string  `json:"error"`
	Retryable  *bool   `json:"retryable"`
	Duration   float64 `json:"duration"`
	Width      int     `json:"width"`
	Height     int     `json:"height"`
	Renditions []struct {
		ID     string `json:"id"`
		Type   string `json:"type"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
		Codecs string `json:"codecs"`
	} `json:"renditions"`
	Playback *struct {
		HLS, DASH, Poster, Storyboard string
	} `json:"playback"`
	Upload *struct {
		URL    string `json:"url"`
		Method string `json:"method"`
		TusURL string `json:"tus_url"`
	} `json:"upload"`
}

// api sends a request with the admin key and decodes a JSON answer.
func (s *server) api(method, path string, body any, out any) int {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	require.NoError(s.t, err)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	if out != nil && len(data) > 0 {
		require.NoError(s.t, json.Unmarshal(data, out), string(data))
	}
	return resp.StatusCode
}

func (s *server) create(title string) video {
	s.t.Helper()
	var v video
	require.Equal(s.t, http.StatusCreated, s.api(http.MethodPost, "/api/v1/videos", map[string]string{"title": title}, &v))
	require.Equal(s.t, "waiting_upload", v.Status)
	require.NotNil(s.t, v.Upload)
	return v
}

// put uploads file to the video's signed PUT URL and returns the status code.
func (s *server) put(v video, file string) int {
	s.t.Helper()
	f, err := os.Open(file)
	require.NoError(s.t, err)
	defer f.Close()
	req, err := http.NewRequest(http.MethodPut, v.Upload.URL, f)
	require.NoError(s.t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// wait polls until the video is ready or failed and checks that progress
// never moves backwards on the way.
func (s *server) wait(id string) video {
	s.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	last := 0.0
	for time.Now().Before(deadline) {
		var v video
		require.Equal(s.t, http.StatusOK, s.api(http.MethodGet, "/api/v1/videos/"+id, nil, &v))
		require.GreaterOrEqual(s.t, v.Progress+1e-9, last, "progress went backwards")
		last = v.Progress
		if v.Status == "ready" || v.Status == "failed" {
			return v
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("video %s did not finish in time", id)
	return video{}
}

// get fetches a URL without credentials other than what the URL carries.
func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, data
}

// uploadAndWait runs the whole path for one file through the signed PUT URL.
func (s *server) uploadAndWait(title, file string) video {
	s.t.Helper()
	v := s.create(title)
	require.Equal(s.t, http.StatusOK, s.put(v, file))
	return s.wait(v.ID)
}

func tokenOf(u string) string {
	_, q, _ := strings.Cut(u, "?token=")
	return q
}

func dirOf(u string) string { return u[:strings.LastIndex(strings.Split(u, "?")[0], "/")+1] }

func writeTemp(t testing.TB, name string, data []byte) string {
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

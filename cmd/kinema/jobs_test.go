package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/testutil"
)

// TestJobsAPI: operators see every job of a video with its attempts and
// worker; only admin keys may look.
func TestJobsAPI(t *testing.T) {
	t.Parallel()
	s := setup(t)
	v := s.uploadAndWait("jobs", testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 5}))
	require.Equal(t, "ready", v.Status, v.Error)

	var res struct {
		Jobs []struct {
			K       string `json:"kind"`
			S       string `json:"state"`
			W       string `json:"worker"`
			V       string `json:"video_id"`
			Attempt int    `json:"attempt"`
		}
	}
	require.Equal(t, http.StatusOK, s.api(http.MethodGet, "/api/v1/jobs?video="+v.ID, nil, &res))
	kinds := map[string]int{}
	for _, j := range res.Jobs {
		require.Equal(t, v.ID, j.V)
		require.Equal(t, "completed", j.S)
		require.NotEmpty(t, j.W, "the worker that ran it is recorded")
		require.Equal(t, 1, j.Attempt)
		kinds[j.K]++
	}
	// Chunks of 2 s, the first second alone: 0-1, 1-2, 2-4, 4-5.
	require.Equal(t, map[string]int{"probe": 1, "encode_chunk": 4, "encode_audio": 1, "thumbnails": 1, "package": 1, "publish": 1}, kinds)
	require.Equal(t, http.StatusBadRequest, s.api(http.MethodGet, "/api/v1/jobs?state=stuck", nil, nil))

	// A non-admin key may not list jobs, nor retry a video it does not own
	// (one it cannot even see answers like a missing id).
	key := auth.NewAPIKey()
	_, err := s.main.backends.cat.CreateAPIKey(context.Background(), "viewer", auth.HashAPIKey(key), false)
	require.NoError(t, err)
	for _, req := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/api/v1/jobs", http.StatusForbidden},
		{http.MethodPost, "/api/v1/videos/" + v.ID + "/retry", http.StatusNotFound},
	} {
		r, _ := http.NewRequest(req.method, s.base+req.path, nil)
		r.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(r)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, req.status, resp.StatusCode, req.path)
	}
}

// TestMetricsAndOpenAPI: /metrics reports jobs, encodes, queue depth, HTTP
// routes and bytes; the OpenAPI document is served.
func TestMetricsAndOpenAPI(t *testing.T) {
	t.Parallel()
	s := setup(t)
	v := s.uploadAndWait("metrics", testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 3}))
	require.Equal(t, "ready", v.Status, v.Error)
	code, _ := get(t, v.Playback.HLS)
	require.Equal(t, http.StatusOK, code)

	// The video turns ready inside the publish job's transaction; the job's
	// own metrics are recorded a moment later, when Work returns.
	var body []byte
	require.Eventually(t, func() bool {
		_, body = get(t, "http://"+s.main.MetricsAddr+"/metrics")
		return strings.Contains(string(body), `kinema_jobs_total{kind="publish",outcome="completed"} 1`)
	}, 10*time.Second, 50*time.Millisecond)
	for _, want := range []string{
		`kinema_jobs_total{kind="encode_chunk",outcome="completed"}`,
		`kinema_jobs_total{kind="publish",outcome="completed"} 1`,
		`kinema_encode_realtime_factor_count{kind="video"}`,
		`kinema_http_requests_total{code="200",method="GET",route="/api/v1/videos/{id}"}`,
		`kinema_http_requests_total{code="200",method="GET",route="/media/"}`, // mediaFirst, ahead of the mux
		`kinema_queue_stats_success 1`,
		`kinema_bytes_in_total`,
		`kinema_bytes_out_total`,
	} {
		require.Contains(t, string(body), want)
	}
	require.NotContains(t, string(body), v.ID, "no video ids in labels")

	code, doc := get(t, s.base+"/api/v1/openapi.json")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(doc), `"openapi": "3.0`)
}

//go:build e2e

package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// scaleoutEnv is the environment of every process of a cluster on the
// PostgreSQL and S3-compatible servers started by scripts/test-integration.sh.
func scaleoutEnv(t *testing.T) []string {
	endpoint := os.Getenv("KINEMA_TEST_S3_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("KINEMA_REQUIRE_S3") == "1" {
			t.Fatal("KINEMA_TEST_S3_ENDPOINT is not set and KINEMA_REQUIRE_S3=1")
		}
		t.Skip("KINEMA_TEST_S3_ENDPOINT not set; run under scripts/test-integration.sh")
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	bucket := "kinema-e2e-" + hex.EncodeToString(b)
	return []string{
		"KINEMA_DB=" + testutil.PostgresURL(t),
		"KINEMA_STORE=s3://" + bucket + "/media-store",
		// Uploads in a bucket of their own, as an operator keeping raw and
		// processed media apart would set it up.
		"KINEMA_RAW_STORE=s3://" + bucket + "-raw/uploads",
		"KINEMA_S3_ENDPOINT=" + endpoint,
		"KINEMA_S3_PATH_STYLE=true",
		"AWS_ACCESS_KEY_ID=" + os.Getenv("KINEMA_TEST_S3_ACCESS_KEY"),
		"AWS_SECRET_ACCESS_KEY=" + os.Getenv("KINEMA_TEST_S3_SECRET_KEY"),
		"AWS_REGION=" + os.Getenv("KINEMA_TEST_S3_REGION"),
		"KINEMA_S3_WEBHOOK_SECRET=e2e-webhook-secret",
		// Small multipart parts so a small clip takes the multipart path.
		"KINEMA_MULTIPART_THRESHOLD=5242880", "KINEMA_MULTIPART_PART_SIZE=5242880",
		// Short chunks, slow preset: chunk jobs are surely running when a
		// worker is killed. Leases and timeouts keep their defaults.
		"KINEMA_SEGMENT_SECONDS=1", "KINEMA_SEGMENTS_PER_CHUNK=1", "KINEMA_PRESET=medium",
	}
}

// cluster is `kinema serve --workers 0` and two `kinema worker` processes
// on PostgreSQL + S3 with default settings, beside two busy cores.
type cluster struct {
	bin         string
	api, w1, w2 *server
}

func startCluster(t *testing.T) cluster {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	env := scaleoutEnv(t)
	testutil.BurnCPU(t, 2)
	return cluster{bin: bin,
		api: startRole(t, bin, "serve", t.TempDir(), env, "--workers", "0", "--srt-addr=", "--rtmp-addr="),
		w1:  startWorker(t, bin, env), w2: startWorker(t, bin, env)}
}

// clusterReady bounds the wait for a cluster's video to end ready, or for
// a survivor to take a job back. One worker encodes 8 s of 720p with one
// slot beside the two busy cores the cluster starts, a chunk reniced for
// its life when it ran beside a first pass: 1-2 minutes alone here, more
// on a machine running other tests.
const clusterReady = 5 * time.Minute

// other is the worker that is not w.
func (c cluster) other(w *server) *server {
	if w == c.w1 {
		return c.w2
	}
	return c.w1
}

// startWorker runs `kinema worker` and returns it with its process id.
func startWorker(t *testing.T, bin string, env []string) *server {
	return startRole(t, bin, "worker", t.TempDir(), env, "--concurrency", "1")
}

// TestScaleOut: `kinema serve --workers 0` plus two `kinema worker`
// processes on PostgreSQL + S3, with default settings, beside two busy
// cores. The upload goes straight to S3 with presigned multipart URLs; one
// worker is SIGKILLed while it holds a chunk job; the job is requeued
// within 20 s, runs again on the other worker and the video ends ready with
// every chunk exactly once.
func TestScaleOut(t *testing.T) {
	c := startCluster(t)
	api := c.api

	// ~8 MB so the 5 MiB multipart threshold is crossed.
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 1280, Height: 720, Seconds: 8, Codec: "libx264"})
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	if len(data) < 5<<20+1 {
		data = append(data, make([]byte, 5<<20+1-len(data))...) // mp4 readers ignore trailing bytes
		require.NoError(t, os.WriteFile(clip, data, 0o600))
	}

	var v struct {
		ID     string
		Upload struct {
			DirectURL string `json:"direct_url"`
		}
	}
	require.Equal(t, http.StatusCreated, apiCall(t, http.MethodPost, api.base+"/api/v1/videos", map[string]string{"title": "cluster"}, &v))
	require.NotEmpty(t, v.Upload.DirectURL, "an S3 store offers direct uploads")
	var grant struct {
		Key      string
		UploadID string `json:"upload_id"`
		Parts    []struct {
			Number int32
			URL    string
		}
		PartSize int64 `json:"part_size"`
	}
	require.Equal(t, http.StatusOK, post(t, v.Upload.DirectURL, map[string]int{"size": len(data)}, &grant))
	require.NotEmpty(t, grant.UploadID, "multipart")
	require.GreaterOrEqual(t, len(grant.Parts), 2)
	type part struct {
		Number int32  `json:"number"`
		ETag   string `json:"etag"`
	}
	var done []part
	for _, p := range grant.Parts {
		start := int64(p.Number-1) * grant.PartSize
		end := min(start+grant.PartSize, int64(len(data)))
		req, _ := http.NewRequest(http.MethodPut, p.URL, bytes.NewReader(data[start:end]))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "part %d", p.Number)
		done = append(done, part{p.Number, resp.Header.Get("ETag")})
	}
	completeURL := strings.Replace(v.Upload.DirectURL, "/direct?", "/direct/complete?", 1)
	body := map[string]any{"key": grant.Key, "upload_id": grant.UploadID, "size": len(data), "parts": done}
	require.Equal(t, http.StatusOK, post(t, completeURL, body, nil))
	// The store's event webhook arriving too does not start a second run.
	event := map[string]any{"Records": []map[string]any{{"eventName": "s3:ObjectCreated:CompleteMultipartUpload",
		"s3": map[string]any{"object": map[string]any{"key": "uploads/" + grant.Key, "size": len(data)}}}}}
	req, _ := http.NewRequest(http.MethodPost, api.base+"/api/v1/hooks/s3", jsonBody(event))
	req.Header.Set("Authorization", "Bearer e2e-webhook-secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	hook, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.JSONEq(t, `{"started":0}`, string(hook))

	// Kill whichever worker holds a chunk job, the hard way.
	victim, _ := waitRunningChunk(t, api.base, v.ID, c.w1, c.w2)
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGKILL))
	killed := time.Now()
	<-victim.done
	survivor := c.other(victim)
	t.Cleanup(func() {
		if t.Failed() {
			for _, j := range videoJobs(t, api.base, v.ID) {
				t.Logf("job %+v", j)
			}
		}
	})
	// The dead worker's chunk is requeued once its 10 s lease runs out, not
	// after River's 2 h rescue. The survivor takes it when its one slot
	// frees, which beside two busy cores may take a while.
	testutil.PollUntil(t, 20*time.Second, "the killed worker's chunk is requeued", func() bool {
		for _, j := range videoJobs(t, api.base, v.ID) {
			if j.Kind == "encode_chunk" && j.WorkersLost > 0 {
				return true
			}
		}
		return false
	})
	t.Logf("the killed worker's chunk was requeued %.1f s after SIGKILL", time.Since(killed).Seconds())
	testutil.PollUntil(t, clusterReady, "the killed worker's chunk runs on the other worker", func() bool {
		for _, j := range videoJobs(t, api.base, v.ID) {
			if j.Kind == "encode_chunk" && j.WorkersLost > 0 && j.State != "available" && isWorker(j.Worker, survivor) {
				return true
			}
		}
		return false
	})
	t.Logf("the killed worker's chunk ran again %.1f s after SIGKILL", time.Since(killed).Seconds())

	waitStatus(t, api.base, v.ID, "ready", clusterReady)

	// Every chunk completed once; the killed attempt is kept as discarded.
	completed, discarded, requeued := 0, 0, 0
	for _, j := range videoJobs(t, api.base, v.ID) {
		if j.Kind != "encode_chunk" {
			continue
		}
		switch j.State {
		case "completed":
			completed++
			if j.WorkersLost > 0 {
				requeued++
			}
		case "discarded":
			discarded++
			require.Contains(t, j.LastError, "stopped sending heartbeats")
		default:
			t.Fatalf("chunk job left %s", j.State)
		}
	}
	require.Equal(t, 8, completed, "8 s in 1 s chunks")
	require.Equal(t, 1, discarded, "the killed attempt")
	require.Equal(t, 1, requeued, "the killed worker's chunk ran again elsewhere")

	// The published rendition has every segment: 8 segments of 1 s.
	var got struct{ Playback struct{ HLS string } }
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, api.base+"/api/v1/videos/"+v.ID, nil, &got))
	master := fetch(t, got.Playback.HLS)
	variant := regexp.MustCompile(`(?m)^(v0/index\.m3u8\?token=\S+)$`).FindStringSubmatch(master)
	require.NotNil(t, variant, master)
	playlist := fetch(t, got.Playback.HLS[:strings.Index(got.Playback.HLS, "master.m3u8")]+variant[1])
	require.Equal(t, 8, strings.Count(playlist, "#EXTINF:"), playlist)

	// The core contract holds on the cluster: a resumable tus upload through
	// the API node (stored into S3) with `kinema upload --wait`.
	small := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})
	out, code := runCLI(t, c.bin, "upload", "--server", api.base, "--token", adminToken, "--wait", small)
	require.Zero(t, code, out)
	require.Contains(t, out, `"status": "ready"`)
}

func startRole(t *testing.T, bin, role, data string, env []string, args ...string) *server {
	t.Helper()
	return startCmd(t, bin, append([]string{role, "--addr", "127.0.0.1:0", "--data", data}, args...), env)
}

// jobView is a job as GET /api/v1/jobs shows it.
type jobView struct {
	ID          int64
	Kind, State string
	Worker      string
	WorkersLost int    `json:"workers_lost"`
	LastError   string `json:"last_error"`
}

func videoJobs(t *testing.T, base, id string) []jobView {
	var jobs struct{ Jobs []jobView }
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, base+"/api/v1/jobs?video="+id, nil, &jobs))
	return jobs.Jobs
}

// jobByID is job id of video as GET /api/v1/jobs shows it.
func jobByID(t *testing.T, base, video string, id int64) jobView {
	for _, j := range videoJobs(t, base, video) {
		if j.ID == id {
			return j
		}
	}
	t.Fatalf("job %d of video %s is gone", id, video)
	return jobView{}
}

// isWorker: River records "worker-HOST-PID-RANDOM" as a job's worker.
func isWorker(id string, w *server) bool {
	return strings.Contains(id, "-"+itoa(w.cmd.Process.Pid)+"-")
}

// waitRunningChunk returns the worker whose process holds a running chunk
// job of the video, and that job's id.
func waitRunningChunk(t *testing.T, base, id string, workers ...*server) (*server, int64) {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		for _, j := range videoJobs(t, base, id) {
			if j.Kind != "encode_chunk" || j.State != "running" {
				continue
			}
			for _, w := range workers {
				if isWorker(j.Worker, w) {
					return w, j.ID
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no chunk job was seen running")
	return nil, 0
}

func post(t *testing.T, url string, body, out any) int {
	resp, err := http.Post(url, "application/json", jsonBody(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		require.NoError(t, json.Unmarshal(data, out), string(data))
	}
	if resp.StatusCode >= 300 {
		t.Logf("POST %s: %s %s", url, resp.Status, data)
	}
	return resp.StatusCode
}

func fetch(t *testing.T, url string) string {
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

// TestWorkerSIGTERM: a worker told to stop while it encodes releases its
// job at once (default settings, beside two busy cores): the process exits
// within the shutdown grace, the same job runs on the other worker within
// seconds, and the video ends ready.
func TestWorkerSIGTERM(t *testing.T) {
	c := startCluster(t)
	api := c.api
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 1280, Height: 720, Seconds: 8, Codec: "libx264"})
	id := createAndPut(t, api.base, clip)

	victim, job := waitRunningChunk(t, api.base, id, c.w1, c.w2)
	survivor := c.other(victim)
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGTERM))
	termed := time.Now()
	select {
	case <-victim.done:
	case <-time.After(20 * time.Second): // the default shutdown grace
		t.Fatal("the worker did not exit within the shutdown grace")
	}
	t.Logf("worker exited %.1f s after SIGTERM", time.Since(termed).Seconds())
	require.True(t, victim.logged("job interrupted by shutdown"), "the running job was cancelled, not awaited")

	// Released, not left to a lease or River's rescue: snoozed for a second,
	// then free for any worker. When the survivor takes it depends only on
	// when its one slot frees, which beside two busy cores may take a
	// while; clusterReady bounds that.
	testutil.PollUntil(t, 5*time.Second, "the chunk is released", func() bool {
		j := jobByID(t, api.base, id, job)
		return j.State == "scheduled" || j.State == "available" || isWorker(j.Worker, survivor)
	})
	t.Logf("the chunk was free for any worker %.1f s after SIGTERM", time.Since(termed).Seconds())
	testutil.PollUntil(t, clusterReady, "the released chunk runs on the other worker", func() bool {
		j := jobByID(t, api.base, id, job)
		return j.State != "available" && j.State != "scheduled" && isWorker(j.Worker, survivor)
	})
	t.Logf("the released chunk ran again %.1f s after SIGTERM", time.Since(termed).Seconds())
	waitStatus(t, api.base, id, "ready", clusterReady)
}

// TestWorkerPaused: a worker frozen (SIGSTOP: a long GC pause, a VM
// migration, a network cut) while it holds a chunk is presumed dead; the
// chunk runs elsewhere; when the worker wakes up, its late result is
// refused and it stops the job itself, so the chunk completes exactly once
// and the video is whole.
func TestWorkerPaused(t *testing.T) {
	c := startCluster(t)
	api := c.api
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 1280, Height: 720, Seconds: 8, Codec: "libx264"})
	id := createAndPut(t, api.base, clip)

	victim, _ := waitRunningChunk(t, api.base, id, c.w1, c.w2)
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGSTOP))
	frozen := time.Now()
	testutil.PollUntil(t, 30*time.Second, "the frozen worker's chunk is requeued", func() bool {
		for _, j := range videoJobs(t, api.base, id) {
			if j.Kind == "encode_chunk" && j.WorkersLost > 0 {
				return true
			}
		}
		return false
	})
	t.Logf("requeued %.1f s after the worker froze", time.Since(frozen).Seconds())
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGCONT))

	waitStatus(t, api.base, id, "ready", clusterReady)
	testutil.PollUntil(t, 30*time.Second, "the woken worker drops its stale attempt", func() bool {
		return victim.logged("this attempt's result is dropped") || victim.logged("job taken by another worker")
	})
	completed, discarded := 0, 0
	for _, j := range videoJobs(t, api.base, id) {
		if j.Kind != "encode_chunk" {
			continue
		}
		switch j.State {
		case "completed":
			completed++
		case "discarded":
			discarded++
		default:
			t.Fatalf("chunk job left %s", j.State)
		}
	}
	require.Equal(t, 8, completed)
	require.Equal(t, 1, discarded, "the frozen worker's attempt")

	var got struct{ Playback struct{ HLS string } }
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, api.base+"/api/v1/videos/"+id, nil, &got))
	master := fetch(t, got.Playback.HLS)
	variant := regexp.MustCompile(`(?m)^(v0/index\.m3u8\?token=\S+)$`).FindStringSubmatch(master)
	require.NotNil(t, variant, master)
	playlist := fetch(t, got.Playback.HLS[:strings.Index(got.Playback.HLS, "master.m3u8")]+variant[1])
	require.Equal(t, 8, strings.Count(playlist, "#EXTINF:"), playlist)
}

//go:build e2e

package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// Infrastructure faults from issue 11, each against the real component and
// with default settings, beside CPU load. Recovery times are logged with
// "RECOVERY" (go test -v) for docs/reliability.md.

// TestStoreDown30sMidProcessing: the S3-compatible store goes away for 30 s
// while chunks are encoding. Jobs wait it out without using their attempts
// and the video ends ready; an upload during the outage is refused and can
// be sent again to the same URL afterwards.
func TestStoreDown30sMidProcessing(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	s3 := startS3(t)
	env := append([]string{"KINEMA_DB=" + testutil.PostgresURL(t)}, s3.env("kinema-faults")...)
	testutil.BurnCPU(t, 2) // faults must be survived on a busy machine
	api := startRole(t, bin, "serve", t.TempDir(), env, "--srt-addr=", "--rtmp-addr=")

	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 6})
	id := createAndPut(t, api.base, clip)
	waitRunningKind(t, api.base, id, "encode_chunk", 2*time.Minute)

	s3.stop(t)
	down := time.Now()
	// The API still answers from the catalog.
	require.Equal(t, http.StatusOK, getVideo(api.base, id).Code)
	// An upload cannot be stored: refused at once, nothing half-kept.
	small := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})
	upID, upURL := createVideo(t, api.base, "during outage")
	code, body := putFile(t, upURL, small)
	t.Logf("upload while the store is down: %d %s (after %s)", code, strings.TrimSpace(body), time.Since(down).Round(time.Millisecond))
	require.GreaterOrEqual(t, code, 400, "an upload the store did not take is not reported as done")
	require.Equal(t, "waiting_upload", getVideo(api.base, upID).Status)

	time.Sleep(time.Until(down.Add(30 * time.Second)))
	require.NotEqual(t, "ready", getVideo(api.base, id).Status, "the outage hit the video mid-processing")
	require.NotEqual(t, "failed", getVideo(api.base, id).Status, getVideo(api.base, id).Error)
	s3.start(t)
	back := time.Now()
	waitVideo(t, api.base, id, "ready", 5*time.Minute)
	t.Logf("RECOVERY store down 30 s: video ready %s after the store came back", time.Since(back).Round(time.Second))
	require.True(t, api.logged("infrastructure unavailable"), "a job met the outage and waited")

	// No attempt was used on the outage (a job may still lose one for other
	// reasons, such as a late lease heartbeat on this busy machine).
	require.False(t, loggedLine(api, "job failed", s3.addr), "a store error used up an attempt")
	var jobs struct {
		Jobs []struct {
			Kind, State string
			Attempt     int
			FinalizedAt time.Time `json:"finalized_at"`
		}
	}
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, api.base+"/api/v1/jobs?video="+id, nil, &jobs))
	for _, j := range jobs.Jobs {
		require.Equal(t, "completed", j.State, j.Kind)
		t.Logf("job %s (attempt %d) completed %s after the store came back", j.Kind, j.Attempt, j.FinalizedAt.Sub(back).Round(100*time.Millisecond))
	}
	var got struct{ Playback struct{ HLS string } }
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, api.base+"/api/v1/videos/"+id, nil, &got))
	require.Contains(t, fetch(t, got.Playback.HLS), "#EXT-X-STREAM-INF")

	// The refused upload goes through on the same URL now.
	code, body = putFile(t, upURL, small)
	require.Equal(t, http.StatusOK, code, body)
	waitVideo(t, api.base, upID, "ready", 3*time.Minute)
}

// TestPostgresRestartMidProcessing: PostgreSQL stops (fast shutdown, as in a
// restart) as soon as the upload is in, while the first job works, and comes
// back 30 s later (a restart with crash recovery, a failover): that job's
// catalog writes fail. The API
// answers errors meanwhile, then answers again; workers reconnect, progress
// and catalog writes resume, and the video ends ready.
func TestPostgresRestartMidProcessing(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	pg := startPG(t)
	testutil.BurnCPU(t, 2) // faults must be survived on a busy machine
	api := startRole(t, bin, "serve", t.TempDir(), []string{"KINEMA_DB=" + pg.url()}, "--srt-addr=", "--rtmp-addr=")

	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 6})
	id := createAndPut(t, api.base, clip)
	before := getVideo(api.base, id)
	pg.stop(t)
	down := time.Now()
	during := getVideo(api.base, id)
	t.Logf("GET video while PostgreSQL is down: %d after %s", during.Code, time.Since(down).Round(time.Millisecond))
	require.GreaterOrEqual(t, during.Code, 500, "a clear server error, not a hang or a wrong answer")
	require.Equal(t, http.StatusServiceUnavailable, statusOf(t, api.base+"/readyz"))
	// Once the pool has found its connections gone: 503, try again later.
	for getVideo(api.base, id).Code != http.StatusServiceUnavailable {
		require.Less(t, time.Since(down), 10*time.Second, "the API answers 503 while the database is down")
		time.Sleep(100 * time.Millisecond)
	}

	time.Sleep(time.Until(down.Add(30 * time.Second)))
	pg.start(t)
	back := time.Now()
	for getVideo(api.base, id).Code != http.StatusOK {
		require.Less(t, time.Since(back), time.Minute, "the API answers again")
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("RECOVERY postgres restart: API answers %s after the database is back", time.Since(back).Round(time.Millisecond))
	require.Equal(t, http.StatusOK, statusOf(t, api.base+"/readyz"))

	// Progress keeps moving and the video ends ready.
	var progressed bool
	deadline := time.Now().Add(5 * time.Minute)
	for {
		v := getVideo(api.base, id)
		progressed = progressed || v.Progress > before.Progress
		if v.Status == "ready" {
			break
		}
		require.NotEqual(t, "failed", v.Status, v.Error)
		require.True(t, time.Now().Before(deadline), "video %s not ready after the restart: %+v", id, v)
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("RECOVERY postgres restart (down 30 s): video ready %s after the database came back", time.Since(back).Round(time.Second))
	require.True(t, progressed, "progress moved past %.2f after the restart", before.Progress)

	// Catalog writes work: a new video goes all the way.
	small := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})
	id2 := createAndPut(t, api.base, small)
	waitVideo(t, api.base, id2, "ready", 3*time.Minute)
}

// TestDiskFull: `kinema serve --data` on a 40 MB tmpfs (catalog, store,
// scratch and tus files all on it). An upload that does not fit is refused
// and leaves the space as it was; a disk filled by someone else still lets
// the API read; an encode that fills the disk fails with a reason that says
// so. The catalog keeps every video, and once space is freed a resent
// upload, a new video and a retry all end ready.
func TestDiskFull(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data := smallDisk(t)
	testutil.BurnCPU(t, 2) // faults must be survived on a busy machine
	api := start(t, bin, data)

	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 4})
	first := createAndPut(t, api.base, clip)
	waitVideo(t, api.base, first, "ready", 3*time.Minute)

	// An upload bigger than the space left: refused, and its partial file is
	// gone again (the 3 MB stay free).
	big := padFile(t, clip, 8<<20) // mp4 readers ignore trailing bytes
	upID, upURL := createVideo(t, api.base, "too big for the disk")
	filler := fillDisk(t, data, 3<<20)
	code, body := putFile(t, upURL, big)
	t.Logf("upload bigger than the free space: %d %s", code, strings.TrimSpace(body))
	require.GreaterOrEqual(t, code, 400, "an upload that was not stored is not reported as done")
	require.Equal(t, "waiting_upload", getVideo(api.base, upID).Status)
	require.Equal(t, "ready", getVideo(api.base, first).Status, "the API still answers")
	require.GreaterOrEqual(t, freeBytes(t, data), int64(2<<20), "the partial upload was removed")
	require.NoError(t, os.Remove(filler))
	freed := time.Now()
	code, body = putFile(t, upURL, big)
	require.Equal(t, http.StatusOK, code, body)
	waitVideo(t, api.base, upID, "ready", 3*time.Minute)
	t.Logf("RECOVERY disk full during upload: upload sent again, ready %s after space was freed", time.Since(freed).Round(time.Second))

	// Someone else fills the disk to the last byte: reads still work,
	// writes fail cleanly, and work again once space is freed.
	filler = fillDisk(t, data, 0)
	require.Equal(t, "ready", getVideo(api.base, first).Status, "reads work on a full disk")
	var created struct{ ID string }
	code = apiCall(t, http.MethodPost, api.base+"/api/v1/videos", map[string]string{"title": "full"}, nil)
	t.Logf("create video on a 100%% full disk: %d", code)
	// SQLite may still have room in its WAL file; if not, a clean 5xx.
	require.True(t, code == http.StatusCreated || code >= 500, "create on a full disk answered %d", code)
	require.NoError(t, os.Remove(filler))
	require.Equal(t, http.StatusCreated, apiCall(t, http.MethodPost, api.base+"/api/v1/videos", map[string]string{"title": "freed"}, &created))

	// An encode that fills the disk: the source is stored, then the outputs
	// do not fit.
	encID := createAndPut(t, api.base, testutil.MakeClip(t, testutil.ClipOptions{Width: 1280, Height: 720, Seconds: 4}))
	waitRunningKind(t, api.base, encID, "encode_chunk", 2*time.Minute)
	filler = fillDisk(t, data, 1<<20)
	filled := time.Now()
	failed := waitFailed(t, api.base, encID, 5*time.Minute)
	t.Logf("encode on a full disk: failed %s after the disk filled: %q", time.Since(filled).Round(time.Second), failed.Error)
	require.Contains(t, failed.Error, "disk space")
	require.NoError(t, os.Remove(filler))
	freed = time.Now()
	require.Equal(t, http.StatusAccepted, retryVideo(t, api.base, encID))
	waitVideo(t, api.base, encID, "ready", 3*time.Minute)
	t.Logf("RECOVERY disk full during encode: retried video ready %s after space was freed", time.Since(freed).Round(time.Second))

	// The catalog survived intact: a restart on the same data sees it all.
	api.stop(t)
	api = start(t, bin, data)
	for _, id := range []string{first, upID, encID} {
		require.Equal(t, "ready", getVideo(api.base, id).Status, id)
	}
	require.Equal(t, "waiting_upload", getVideo(api.base, created.ID).Status)
}

func waitFailed(t *testing.T, base, id string, timeout time.Duration) videoState {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		v := getVideo(base, id)
		require.NotEqual(t, "ready", v.Status)
		if v.Status == "failed" {
			return v
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("video %s neither failed nor got ready within %s: %+v", id, timeout, getVideo(base, id))
	return videoState{}
}

func retryVideo(t *testing.T, base, id string) int {
	return apiCall(t, http.MethodPost, base+"/api/v1/videos/"+id+"/retry", nil, nil)
}

func runCmd(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

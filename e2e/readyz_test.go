//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// What a load balancer and an uploader are told when the store or the disk
// fails (#18 items 5 and 10): /readyz names the part that is down, a PUT
// answers a status that says "retry" (503, 507) instead of 400, and no
// answer or failure reason shows a path or an object key.

// getText fetches url and returns status, Retry-After and body.
func getText(t *testing.T, method, url string, body io.Reader) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

// putAnswer sends file to a signed upload URL.
func putAnswer(t *testing.T, url, file string) (status int, retryAfter, code, body string) {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	status, retryAfter, body = getText(t, http.MethodPut, url, f)
	var e struct{ Error struct{ Code string } }
	_ = json.Unmarshal([]byte(body), &e)
	return status, retryAfter, e.Error.Code, body
}

// eventuallyLogged waits for the server's log line (it is read from its
// stderr in the background) with every part, such as the video id.
func eventuallyLogged(t *testing.T, s *server, parts ...string) {
	t.Helper()
	require.Eventually(t, func() bool { return loggedLine(s, parts...) }, 10*time.Second, 50*time.Millisecond, "logged: %q", parts)
}

// requireNoInternals: what users see names no path, key, host or SDK.
func requireNoInternals(t *testing.T, text string) {
	t.Helper()
	for _, leak := range []string{"/", "work", "raw", "scratch", "operation error", "127.0.0.1", "no space left"} {
		require.NotContains(t, text, leak, text)
	}
}

func TestReadyzAndPutWhileStoreDown(t *testing.T) {
	bin := binary(t)
	s3 := startS3(t)
	env := append([]string{"KINEMA_DB=" + testutil.PostgresURL(t)}, s3.env("kinema-readyz")...)
	testutil.BurnCPU(t, 2) // faults must be survived on a busy machine
	api := startRole(t, bin, "serve", t.TempDir(), env, "--srt-addr=", "--rtmp-addr=")

	code, _, body := getText(t, http.MethodGet, api.base+"/readyz", nil)
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, "database: ok\nstore: ok\n", body)

	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})
	id, url := createVideo(t, api.base, "store down")
	s3.stop(t)
	down := time.Now()
	for {
		code, _, body = getText(t, http.MethodGet, api.base+"/readyz", nil)
		if code == http.StatusServiceUnavailable {
			break
		}
		// The store is asked at most every 2 s, with a 3 s timeout.
		require.Less(t, time.Since(down), 10*time.Second, "/readyz still %d %q with the store down", code, body)
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("/readyz 503 %s after the store stopped: %q", time.Since(down).Round(time.Millisecond), body)
	require.Equal(t, "database: ok\nstore: unavailable\n", body)
	eventuallyLogged(t, api, "readyz: store unavailable")

	status, retry, errCode, body := putAnswer(t, url, clip)
	t.Logf("PUT while the store is down: %d Retry-After %q %s", status, retry, strings.TrimSpace(body))
	require.Equal(t, http.StatusServiceUnavailable, status, body)
	require.Equal(t, "unavailable", errCode)
	require.NotEmpty(t, retry)
	requireNoInternals(t, body)
	eventuallyLogged(t, api, "upload refused: backend unavailable", id)
	require.Equal(t, "waiting_upload", getVideo(api.base, id).Status)

	s3.start(t)
	back := time.Now()
	for {
		code, _, body = getText(t, http.MethodGet, api.base+"/readyz", nil)
		if code == http.StatusOK {
			break
		}
		require.Less(t, time.Since(back), 10*time.Second, "/readyz still %d %q with the store back", code, body)
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("RECOVERY store back: /readyz 200 after %s", time.Since(back).Round(time.Millisecond))
	status, _, _, body = putAnswer(t, url, clip)
	require.Equal(t, http.StatusOK, status, body)
	waitVideo(t, api.base, id, "ready", 3*time.Minute)
}

// TestFullDiskAnswers507AndHidesPaths: `kinema serve --data` on a 40 MB
// tmpfs. A PUT that does not fit answers 507 with Retry-After, and an encode
// that fills the disk fails with a sentence, its paths only in the log.
func TestFullDiskAnswers507AndHidesPaths(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data := smallDisk(t)
	testutil.BurnCPU(t, 2) // faults must be survived on a busy machine
	api := start(t, bin, data)

	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 2})
	big := padFile(t, clip, 8<<20) // mp4 readers ignore trailing bytes
	id, url := createVideo(t, api.base, "too big for the disk")
	filler := fillDisk(t, data, 2<<20)
	status, retry, errCode, body := putAnswer(t, url, big)
	t.Logf("PUT on a full disk: %d Retry-After %q %s", status, retry, strings.TrimSpace(body))
	require.Equal(t, http.StatusInsufficientStorage, status, body)
	require.Equal(t, "insufficient_storage", errCode)
	require.NotEmpty(t, retry)
	requireNoInternals(t, body)
	eventuallyLogged(t, api, "upload refused: disk full", id)
	require.NoError(t, os.Remove(filler))
	status, _, _, body = putAnswer(t, url, big)
	require.Equal(t, http.StatusOK, status, body)
	waitVideo(t, api.base, id, "ready", 3*time.Minute)

	// The outputs of an encode do not fit.
	encID := createAndPut(t, api.base, testutil.MakeClip(t, testutil.ClipOptions{Width: 1280, Height: 720, Seconds: 4}))
	waitRunningKind(t, api.base, encID, "encode_chunk", 2*time.Minute)
	filler = fillDisk(t, data, 1<<20)
	failed := waitFailed(t, api.base, encID, 5*time.Minute)
	t.Logf("encode on a full disk: %q", failed.Error)
	require.Contains(t, failed.Error, "ran out of disk space")
	requireNoInternals(t, failed.Error)
	eventuallyLogged(t, api, "job failed for good", encID)
	require.NoError(t, os.Remove(filler))
}

// tusRequest sends one tus request and returns status, Retry-After, body
// and Upload-Offset.
func tusRequest(t *testing.T, method, url string, headers map[string]string, body io.Reader) (int, string, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if method == http.MethodPost {
		return resp.StatusCode, resp.Header.Get("Retry-After"), string(b), resp.Header.Get("Location")
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b), resp.Header.Get("Upload-Offset")
}

// tusCreate starts a tus upload of size bytes and returns its URL.
func tusCreate(t *testing.T, endpoint string, size int64) string {
	t.Helper()
	code, _, body, loc := tusRequest(t, http.MethodPost, endpoint, map[string]string{"Upload-Length": strconv.FormatInt(size, 10)}, nil)
	require.Equal(t, http.StatusCreated, code, body)
	if strings.HasPrefix(loc, "/") {
		u, err := neturl.Parse(endpoint)
		require.NoError(t, err)
		loc = u.Scheme + "://" + u.Host + loc
	}
	return loc
}

func tusPatch(t *testing.T, url string, offset int64, data []byte) (int, string, string, string) {
	return tusRequest(t, http.MethodPatch, url, map[string]string{
		"Upload-Offset": strconv.FormatInt(offset, 10), "Content-Type": "application/offset+octet-stream",
	}, bytes.NewReader(data))
}

// TestTusOnFullDiskAndStoreDown: a tus PATCH that does not fit on the disk
// answers 507 and one whose last bytes cannot be stored answers 503, both
// with Retry-After and without paths (tusd alone answers 500 with the
// error's text); after the fault, the client resumes at the offset HEAD
// gives and the video ends ready.
func TestTusOnFullDiskAndStoreDown(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	s3 := startS3(t)
	data := smallDisk(t)
	testutil.BurnCPU(t, 2) // faults must be survived on a busy machine
	// The catalog and the tus files on the small disk, the media in S3.
	api := startRole(t, bin, "serve", data, s3.env("kinema-tus-faults"), "--srt-addr=", "--rtmp-addr=")

	clip, err := os.ReadFile(padFile(t, testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2}), 6<<20))
	require.NoError(t, err)
	id, endpoint := newTusVideo(t, api.base)
	up := tusCreate(t, endpoint, int64(len(clip)))

	filler := fillDisk(t, data, 2<<20)
	code, retry, body, _ := tusPatch(t, up, 0, clip)
	t.Logf("tus PATCH on a full disk: %d Retry-After %q %s", code, retry, strings.TrimSpace(body))
	require.Equal(t, http.StatusInsufficientStorage, code, body)
	require.NotEmpty(t, retry)
	requireNoInternals(t, body)
	eventuallyLogged(t, api, "tus upload refused: disk full", id)
	require.NoError(t, os.Remove(filler))

	// Resume where the disk stopped it, with the store down for the end.
	code, _, body, off := tusRequest(t, http.MethodHead, up, nil, nil)
	require.Equal(t, http.StatusOK, code, body)
	offset, err := strconv.ParseInt(off, 10, 64)
	require.NoError(t, err)
	require.Less(t, offset, int64(len(clip)))
	s3.stop(t)
	code, retry, body, _ = tusPatch(t, up, offset, clip[offset:])
	t.Logf("last tus PATCH with the store down: %d Retry-After %q %s", code, retry, strings.TrimSpace(body))
	require.Equal(t, http.StatusServiceUnavailable, code, body)
	require.NotEmpty(t, retry)
	requireNoInternals(t, body)
	require.Equal(t, "waiting_upload", getVideo(api.base, id).Status)

	s3.start(t)
	// All bytes are on the disk: HEAD stores them now and says so.
	code, _, body, off = tusRequest(t, http.MethodHead, up, nil, nil)
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, strconv.Itoa(len(clip)), off)
	waitVideo(t, api.base, id, "ready", 3*time.Minute)
}

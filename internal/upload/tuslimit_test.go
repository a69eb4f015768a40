package upload

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
)

// limitBytes is the upload limit these tests run with (issue 18's 3 MB).
const limitBytes = 3_000_000

// sendPatch sends one PATCH and returns its status and body. chunked sends
// the body without Content-Length.
func sendPatch(t *testing.T, url string, offset int, body []byte, chunked bool) (int, string) {
	t.Helper()
	var r io.Reader = bytes.NewReader(body)
	if chunked {
		r = io.MultiReader(r) // hides the length: Transfer-Encoding: chunked
	}
	req, err := http.NewRequest(http.MethodPatch, url, r)
	require.NoError(t, err)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", strconv.Itoa(offset))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestTusDeferredLengthLimit: with Upload-Defer-Length, the PATCH that
// would take the upload past MaxBytes gets 413, the upload's files are
// removed, and the video still takes a file within the limit.
func TestTusDeferredLengthLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, Config{TTL: time.Hour, MaxBytes: limitBytes})
	deferred := map[string]string{"Upload-Defer-Length": "1"}

	// Issue 18's request sequence: 8 MiB PATCHes after a deferred creation.
	v, g := h.video(0)
	u, code := h.create(g.TusURL, -1, deferred)
	require.Equal(t, http.StatusCreated, code)
	code, body := sendPatch(t, u, 0, randomBytes(8<<20), false)
	require.Equal(t, http.StatusRequestEntityTooLarge, code)
	require.Contains(t, body, "larger than this server accepts (at most 3000000 bytes)")
	require.Empty(t, h.tusFiles(), "the partial file is removed")
	require.Equal(t, http.StatusNotFound, h.head(u).StatusCode)
	code, _ = sendPatch(t, u, 0, randomBytes(8<<20), false)
	require.Equal(t, http.StatusNotFound, code, "later PATCHes find no upload")
	require.Equal(t, media.StatusWaitingUpload, h.status(v.ID))

	// Chunks within the limit are taken until one would cross it.
	u, code = h.create(g.TusURL, -1, deferred)
	require.Equal(t, http.StatusCreated, code)
	require.Equal(t, http.StatusNoContent, h.patch(u, 0, randomBytes(1_000_000)).StatusCode)
	require.Equal(t, http.StatusNoContent, h.patch(u, 1_000_000, randomBytes(1_000_000)).StatusCode)
	code, _ = sendPatch(t, u, 2_000_000, randomBytes(1_000_001), false)
	require.Equal(t, http.StatusRequestEntityTooLarge, code)
	require.Empty(t, h.tusFiles())

	// The same without Content-Length (tusd's own cap; the file stays at
	// the limit until the upload is removed or swept).
	u, code = h.create(g.TusURL, -1, deferred)
	require.Equal(t, http.StatusCreated, code)
	code, _ = sendPatch(t, u, 0, randomBytes(4_000_000), true)
	require.Equal(t, http.StatusRequestEntityTooLarge, code)
	require.Equal(t, http.StatusNoContent, h.tusReq(http.MethodDelete, u, nil, nil).StatusCode)

	// Creation with the first chunk in the POST body.
	resp := h.tusReq(http.MethodPost, g.TusURL, deferred, randomBytes(limitBytes+1))
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Empty(t, h.tusFiles())

	// A file exactly at the limit, its length declared at the end, passes.
	data := randomBytes(limitBytes)
	u, code = h.create(g.TusURL, -1, deferred)
	require.Equal(t, http.StatusCreated, code)
	require.Equal(t, http.StatusNoContent, h.patch(u, 0, data[:2_000_000]).StatusCode)
	resp = h.tusReq(http.MethodPatch, u, map[string]string{"Upload-Offset": "2000000", "Upload-Length": strconv.Itoa(limitBytes)}, data[2_000_000:])
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Equal(t, media.StatusQueued, h.status(v.ID))
	require.Equal(t, data, h.source(v.ID))
}

// TestTusConcatLimit: partial uploads are capped one by one (deferred ones
// too), and a final upload whose partials add up to more than MaxBytes is
// refused without starting the video.
func TestTusConcatLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, Config{TTL: time.Hour, MaxBytes: limitBytes})
	v, g := h.video(0)

	u, code := h.create(g.TusURL, -1, map[string]string{"Upload-Concat": "partial", "Upload-Defer-Length": "1"})
	require.Equal(t, http.StatusCreated, code)
	code, _ = sendPatch(t, u, 0, randomBytes(limitBytes+1), false)
	require.Equal(t, http.StatusRequestEntityTooLarge, code)
	require.Empty(t, h.tusFiles())

	partial := map[string]string{"Upload-Concat": "partial"}
	var parts []string
	for range 2 {
		p, code := h.create(g.TusURL, 2_000_000, partial)
		require.Equal(t, http.StatusCreated, code)
		require.Equal(t, http.StatusNoContent, h.patch(p, 0, randomBytes(2_000_000)).StatusCode)
		parts = append(parts, p)
	}
	_, code = h.create(g.TusURL, -1, map[string]string{"Upload-Concat": "final;" + strings.Join(parts, " ")})
	require.Equal(t, http.StatusRequestEntityTooLarge, code)
	require.Equal(t, media.StatusWaitingUpload, h.status(v.ID))
}

// TestPutLimit: the signed PUT stops reading at MaxBytes and stores nothing,
// on disk and on S3.
func TestPutLimit(t *testing.T) {
	t.Parallel()
	testPutLimit(t, newHarness(t, nil, Config{TTL: time.Hour, MaxBytes: limitBytes}))
}

func TestPutLimitS3(t *testing.T) {
	t.Parallel()
	testPutLimit(t, newHarness(t, s3Store(t), Config{TTL: time.Hour, MaxBytes: limitBytes}))
}

func testPutLimit(t *testing.T, h *harness) {
	v, g := h.video(0)
	req, err := http.NewRequest(http.MethodPut, g.URL, bytes.NewReader(randomBytes(limitBytes+1)))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Equal(t, media.StatusWaitingUpload, h.status(v.ID))
	keys, err := h.store.List(t.Context(), "raw/")
	require.NoError(t, err)
	require.Empty(t, keys, "the partial object is removed")
}

package upload

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage/s3"
)

// TestDirectLimit: a direct upload over MaxBytes is refused with 413 and
// deleted, whatever size the client announced: the presigned PUT signs its
// Content-Length, and an assembled multipart object is checked on
// completion (part URLs do not bound the parts' sizes).
func TestDirectLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, s3Store(t), Config{TTL: time.Hour, MaxBytes: limitBytes, MultipartThreshold: 1})
	v, g := h.video(0)
	post := func(url string, body any, out any) int {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		resp, err := http.Post(url, "application/json", bytes.NewReader(b))
		require.NoError(t, err)
		defer resp.Body.Close()
		if out != nil {
			require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
		}
		return resp.StatusCode
	}
	put := func(url string, body []byte) (int, string) {
		req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("ETag")
	}
	require.Equal(t, http.StatusRequestEntityTooLarge, post(g.DirectURL, map[string]int64{"size": limitBytes + 1}, nil))

	// Multipart, announced 2 MB, one part of 4 MB sent: the part's size is
	// signed, so the store refuses it.
	var mg directGrant
	require.Equal(t, http.StatusOK, post(g.DirectURL, map[string]int64{"size": 2_000_000}, &mg))
	require.NotEmpty(t, mg.UploadID)
	require.Len(t, mg.Parts, 1)
	if req, err := http.NewRequest(http.MethodPut, mg.Parts[0].URL, bytes.NewReader(randomBytes(4_000_000))); err == nil {
		if resp, err := http.DefaultClient.Do(req); err == nil { // versitygw may reset the connection
			resp.Body.Close()
			require.Equal(t, http.StatusForbidden, resp.StatusCode)
		}
	}
	// A store that ignored the signed length would keep it: completion
	// measures the object and refuses it.
	unsized, err := h.store.(*s3.Store).PresignPart(t.Context(), mg.Key, mg.UploadID, 1, 0, time.Minute)
	require.NoError(t, err)
	code, etag := put(unsized, randomBytes(4_000_000))
	require.Equal(t, http.StatusOK, code)
	complete := strings.Replace(g.DirectURL, "/direct?", "/direct/complete?", 1)
	req := directCompleteRequest{Key: mg.Key, UploadID: mg.UploadID, Parts: []directPart{{Number: 1, ETag: etag}}}
	require.Equal(t, http.StatusRequestEntityTooLarge, post(complete, req, nil))
	require.Equal(t, media.StatusWaitingUpload, h.status(v.ID))
	_, err = h.store.Stat(t.Context(), mg.Key)
	require.Error(t, err, "the oversized object is deleted")

	// Single presigned PUT, announced 2 MB, 4 MB sent: the store refuses it.
	h2 := newHarness(t, h.store, Config{TTL: time.Hour, MaxBytes: limitBytes})
	v2, g2 := h2.video(0)
	var sg directGrant
	require.Equal(t, http.StatusOK, post(g2.DirectURL, map[string]int64{"size": 2_000_000}, &sg))
	require.Equal(t, http.MethodPut, sg.Method)
	preq, err := http.NewRequest(http.MethodPut, sg.URL, bytes.NewReader(randomBytes(4_000_000)))
	require.NoError(t, err)
	if resp, err := http.DefaultClient.Do(preq); err == nil { // versitygw resets the connection
		resp.Body.Close()
		require.NotEqual(t, http.StatusOK, resp.StatusCode)
	}
	_, err = h2.store.Stat(t.Context(), sg.Key)
	require.Error(t, err)
	require.Equal(t, media.StatusWaitingUpload, h2.status(v2.ID))
}

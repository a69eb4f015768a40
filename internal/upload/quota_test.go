package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage/s3"
)

const quotaSentence = "delete some videos or ask an administrator for a larger quota."

// ownedVideo creates a video of owner and returns it with its grant.
func (h *harness) ownedVideo(owner string) (media.Video, Grant) {
	h.t.Helper()
	v, err := h.cat.CreateVideo(context.Background(), catalog.NewVideo{Title: "q", OwnerID: owner})
	require.NoError(h.t, err)
	g, err := h.s.Grant(h.base, v.ID, v.CreatedAt)
	require.NoError(h.t, err)
	return v, g
}

// send does one request and returns its status and body.
func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// requireNothingKept: the video still waits for its file, and no byte of
// a refused upload is left in the store or the tus directory.
func (h *harness) requireNothingKept(v media.Video) {
	h.t.Helper()
	require.Equal(h.t, media.StatusWaitingUpload, h.status(v.ID))
	kept, err := h.store.List(context.Background(), "raw/"+v.ID+"/")
	require.NoError(h.t, err)
	require.Empty(h.t, kept)
	for _, f := range h.tusFiles() {
		require.True(h.t, strings.HasSuffix(f, ".lock"), "tus file left: %s", f)
	}
}

// TestStorageQuotaRefusesUploads: with 10 kB of storage and 7 kB used, a
// 5 kB file is refused on every path with the sentence, when its size is
// announced (PUT's Content-Length, tus's Upload-Length) and when it is only
// known at the end (chunked PUT, tus with deferred length), and nothing is
// kept; a 3 kB file then fits exactly.
func TestStorageQuotaRefusesUploads(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, Config{TTL: time.Hour})
	h.cat.UseQuota(media.Quota{StorageBytes: 10_000})
	first, g := h.ownedVideo("alice")
	req, _ := http.NewRequest(http.MethodPut, g.URL, bytes.NewReader(randomBytes(7000)))
	code, body := send(t, req)
	require.Equal(t, http.StatusOK, code, body)

	v, g := h.ownedVideo("alice")
	want := "This file (5 kB) does not fit: your videos use 7 kB of your 10 kB storage quota; " + quotaSentence

	req, _ = http.NewRequest(http.MethodPut, g.URL, bytes.NewReader(randomBytes(5000)))
	code, body = send(t, req)
	require.Equal(t, http.StatusForbidden, code, body)
	require.JSONEq(t, `{"error":{"code":"quota_exceeded","message":"`+want+`"}}`, body)
	h.requireNothingKept(v)

	// Chunked: the size is known once the bytes are stored.
	req, _ = http.NewRequest(http.MethodPut, g.URL, io.MultiReader(bytes.NewReader(randomBytes(5000))))
	req.ContentLength = -1
	code, body = send(t, req)
	require.Equal(t, http.StatusForbidden, code, body)
	require.Contains(t, body, want)
	h.requireNothingKept(v)

	req, _ = http.NewRequest(http.MethodPost, g.TusURL, nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", "5000")
	code, body = send(t, req)
	require.Equal(t, http.StatusForbidden, code, body)
	require.Contains(t, body, want)
	h.requireNothingKept(v)

	// Deferred length: refused by the PATCH that completes the file.
	loc, code := h.create(g.TusURL, -1, map[string]string{"Upload-Defer-Length": "1"})
	require.Equal(t, http.StatusCreated, code)
	req, _ = http.NewRequest(http.MethodPatch, loc, bytes.NewReader(randomBytes(5000)))
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Upload-Length", "5000")
	code, body = send(t, req)
	require.Equal(t, http.StatusForbidden, code, body)
	require.Contains(t, body, want)
	h.requireNothingKept(v)
	require.Equal(t, http.StatusNotFound, h.head(loc).StatusCode, "the refused upload is gone")

	used, err := h.cat.StorageUsed(context.Background(), "alice")
	require.NoError(t, err)
	require.EqualValues(t, 7000, used)
	req, _ = http.NewRequest(http.MethodPut, g.URL, bytes.NewReader(randomBytes(3000)))
	code, body = send(t, req)
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, media.StatusQueued, h.status(v.ID))
	require.Equal(t, media.StatusQueued, h.status(first.ID))
}

// TestDirectStorageQuota: a direct upload is refused when its announced
// size does not fit, and an assembled multipart object bigger than it
// announced is refused at completion and deleted.
func TestDirectStorageQuota(t *testing.T) {
	t.Parallel()
	h := newHarness(t, s3Store(t), Config{TTL: time.Hour, MultipartThreshold: 1})
	h.cat.UseQuota(media.Quota{StorageBytes: 10_000})
	v, g := h.ownedVideo("bob")
	post := func(url string, in, out any) (int, string) {
		b, err := json.Marshal(in)
		require.NoError(t, err)
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
		code, body := send(t, req)
		if out != nil && code == http.StatusOK {
			require.NoError(t, json.Unmarshal([]byte(body), out))
		}
		return code, body
	}
	code, body := post(g.DirectURL, map[string]int64{"size": 20_000}, nil)
	require.Equal(t, http.StatusForbidden, code, body)
	require.Contains(t, body, "This file (20 kB) does not fit: your videos use 0 bytes of your 10 kB storage quota; "+quotaSentence)

	var mg directGrant
	code, body = post(g.DirectURL, map[string]int64{"size": 1000}, &mg)
	require.Equal(t, http.StatusOK, code, body)
	require.Len(t, mg.Parts, 1)
	// The part's size is signed (TestDirectLimit); a store that ignored it
	// would keep this one, and completion measures the object.
	unsized, err := h.store.(*s3.Store).PresignPart(t.Context(), mg.Key, mg.UploadID, 1, 0, time.Minute)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPut, unsized, bytes.NewReader(randomBytes(20_000)))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	complete := strings.Replace(g.DirectURL, "/direct?", "/direct/complete?", 1)
	code, body = post(complete, directCompleteRequest{Key: mg.Key, UploadID: mg.UploadID,
		Parts: []directPart{{Number: 1, ETag: resp.Header.Get("ETag")}}}, nil)
	require.Equal(t, http.StatusForbidden, code, body)
	require.Contains(t, body, "quota_exceeded")
	_, err = h.store.Stat(t.Context(), mg.Key)
	require.Error(t, err, "the object over quota is deleted")
	require.Equal(t, media.StatusWaitingUpload, h.status(v.ID))
}

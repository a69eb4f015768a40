package upload

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
)

// TestTusRepeatedFinal: a client that lost the answer to its final request
// (tus-js-client parallelUploads) finds its partials finished and gets the
// same final upload back for the same request; anything else is a conflict.
// The records go with the video.
func TestTusRepeatedFinal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, Config{TTL: time.Hour})
	v, g := h.video(0)
	partial := map[string]string{"Upload-Concat": "partial"}
	var urls []string
	for _, n := range []int{40_000, 25_000} {
		u, code := h.create(g.TusURL, n, partial)
		require.Equal(t, http.StatusCreated, code)
		require.Equal(t, http.StatusNoContent, h.patch(u, 0, randomBytes(n)).StatusCode)
		urls = append(urls, u)
	}
	final := map[string]string{"Upload-Concat": "final;" + strings.Join(urls, " ")}
	fu, code := h.create(g.TusURL, -1, final)
	require.Equal(t, http.StatusCreated, code)
	require.Equal(t, media.StatusQueued, h.status(v.ID))
	source := h.source(v.ID)

	// The client retries: HEAD on each partial, then the same final request.
	for i, n := range []string{"40000", "25000"} {
		resp := h.head(urls[i])
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, n, resp.Header.Get("Upload-Offset"))
		require.Equal(t, n, resp.Header.Get("Upload-Length"))
	}
	again, code := h.create(g.TusURL, -1, final)
	require.Equal(t, http.StatusCreated, code)
	require.True(t, strings.HasSuffix(fu, again), "the same upload: %s vs %s", fu, again)
	require.Equal(t, source, h.source(v.ID), "nothing was stored again")
	rep, err := h.s.Sweep(context.Background(), time.Now())
	require.NoError(t, err)
	require.Zero(t, rep.TusRemoved, "the sweep keeps the records while the video exists")
	require.Equal(t, http.StatusCreated, func() int { _, c := h.create(g.TusURL, -1, final); return c }())

	// Not the same request: a conflict, as before.
	_, code = h.create(g.TusURL, -1, map[string]string{"Upload-Concat": "final;" + urls[1] + " " + urls[0]})
	require.Equal(t, http.StatusConflict, code)
	_, code = h.create(g.TusURL, -1, map[string]string{"Upload-Concat": "final;" + urls[0]})
	require.Equal(t, http.StatusConflict, code)
	_, code = h.create(g.TusURL, 10, partial)
	require.Equal(t, http.StatusConflict, code)
	w, gw := h.video(0)
	_, code = h.create(gw.TusURL, -1, final)
	require.Equal(t, http.StatusBadRequest, code, "another video cannot take them")
	require.Equal(t, media.StatusWaitingUpload, h.status(w.ID))

	// Deleting the video forgets the final upload and its partials.
	require.NoError(t, h.cat.DeleteVideo(context.Background(), v.ID))
	require.Equal(t, http.StatusNotFound, h.head(urls[0]).StatusCode)
	require.Equal(t, http.StatusNotFound, h.head(urls[1]).StatusCode)
	require.Equal(t, http.StatusNotFound, h.head(fu).StatusCode)
	require.Empty(t, h.tusFiles())
}

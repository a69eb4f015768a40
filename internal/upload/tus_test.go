package upload

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
)

// TestTusConcatenation: partial uploads need the video's token and start
// nothing; a final upload joins only partials of its own video, and only it
// stores the file and starts processing.
func TestTusConcatenation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, Config{TTL: time.Hour})
	a, ga := h.video(0)
	b, gb := h.video(0)
	part1, part2 := randomBytes(70_000), randomBytes(30_001)
	partial := map[string]string{"Upload-Concat": "partial"}

	_, code := h.create(h.base+TusPath, len(part1), partial)
	require.Equal(t, http.StatusForbidden, code, "a partial upload needs the token too")

	u1, code := h.create(ga.TusURL, len(part1), partial)
	require.Equal(t, http.StatusCreated, code)
	u2, code := h.create(ga.TusURL, len(part2), partial)
	require.Equal(t, http.StatusCreated, code)
	require.Equal(t, http.StatusNoContent, h.patch(u1, 0, part1).StatusCode)
	require.Equal(t, media.StatusWaitingUpload, h.status(a.ID), "a finished partial starts nothing")
	require.Equal(t, http.StatusNoContent, h.patch(u2, 0, part2).StatusCode)
	require.Equal(t, media.StatusWaitingUpload, h.status(a.ID))

	final := map[string]string{"Upload-Concat": "final;" + u1 + " " + u2}
	_, code = h.create(gb.TusURL, -1, final)
	require.Equal(t, http.StatusBadRequest, code, "another video's partials cannot be joined")
	require.Equal(t, media.StatusWaitingUpload, h.status(b.ID))

	whole, code := h.create(gb.TusURL, 10, nil)
	require.Equal(t, http.StatusCreated, code)
	require.Equal(t, http.StatusNoContent, h.patch(whole, 0, randomBytes(10)).StatusCode)
	_, code = h.create(ga.TusURL, -1, map[string]string{"Upload-Concat": "final;" + u1 + " " + whole})
	require.Equal(t, http.StatusBadRequest, code, "only partial uploads can be joined")

	fu, code := h.create(ga.TusURL, -1, final)
	require.Equal(t, http.StatusCreated, code)
	require.Equal(t, media.StatusQueued, h.status(a.ID))
	require.Equal(t, append(append([]byte{}, part1...), part2...), h.source(a.ID))

	resp := h.head(fu)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, strconv.Itoa(len(part1)+len(part2)), resp.Header.Get("Upload-Offset"))
	resp = h.head(u1)
	require.Equal(t, http.StatusOK, resp.StatusCode, "joined partials answer as finished (tusconcat.go)")
	require.Equal(t, strconv.Itoa(len(part1)), resp.Header.Get("Upload-Offset"))
	for _, f := range h.tusFiles() {
		require.True(t, strings.HasSuffix(f, ".info"), "the partials' bytes are gone, their records stay: %s", f)
	}
}

// TestTusHeadAfterFinish: a finished upload answers HEAD (and a repeated
// last PATCH) with Upload-Offset = Upload-Length while its video exists.
func TestTusHeadAfterFinish(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, Config{TTL: time.Hour})
	v, g := h.video(0)
	data := randomBytes(50_000)
	u, code := h.create(g.TusURL, len(data), nil)
	require.Equal(t, http.StatusCreated, code)
	require.Equal(t, http.StatusNoContent, h.patch(u, 0, data[:20_000]).StatusCode)
	require.Equal(t, http.StatusNoContent, h.patch(u, 20_000, data[20_000:]).StatusCode)
	require.Equal(t, media.StatusQueued, h.status(v.ID))

	resp := h.head(u)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "50000", resp.Header.Get("Upload-Offset"))
	require.Equal(t, "50000", resp.Header.Get("Upload-Length"))
	resp = h.patch(u, 50_000, nil)
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "the last PATCH sent again succeeds")
	require.Equal(t, http.StatusConflict, h.patch(u, 20_000, data[20_000:]).StatusCode)
	require.Equal(t, data, h.source(v.ID))
	_, err := os.Stat(filepath.Join(h.s.cfg.TusDir, strings.TrimPrefix(u, h.base+TusPath)))
	require.ErrorIs(t, err, os.ErrNotExist, "the bytes left the tus directory")

	require.NoError(t, h.cat.DeleteVideo(context.Background(), v.ID))
	require.Equal(t, http.StatusNotFound, h.head(u).StatusCode)
	require.Empty(t, h.tusFiles(), "the record went with the video")
}

// TestTusSettlesAfterCrash: the server died after the last byte reached the
// disk but before the video started (or after the bytes were stored but
// before it started). The next HEAD, or the sweep, starts it once.
func TestTusSettlesAfterCrash(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, Config{TTL: time.Hour})
	ctx := context.Background()

	// 1. All bytes on disk, hook never ran: the next HEAD starts the video.
	v, g := h.video(0)
	data := randomBytes(40_000)
	u, code := h.create(g.TusURL, len(data), nil)
	require.Equal(t, http.StatusCreated, code)
	id := strings.TrimPrefix(u, h.base+TusPath)
	require.NoError(t, os.WriteFile(filepath.Join(h.s.cfg.TusDir, id), data, 0o640))
	require.Equal(t, media.StatusWaitingUpload, h.status(v.ID))
	resp := h.head(u)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "40000", resp.Header.Get("Upload-Offset"))
	require.Equal(t, media.StatusQueued, h.status(v.ID))
	require.Equal(t, data, h.source(v.ID))

	// 2. Store key chosen and bytes stored, then the crash: the sweep starts it.
	v2, g2 := h.video(0)
	u2, code := h.create(g2.TusURL, len(data), nil)
	require.Equal(t, http.StatusCreated, code)
	id2 := strings.TrimPrefix(u2, h.base+TusPath)
	info, err := h.s.tusInfo(id2)
	require.NoError(t, err)
	key := RawKey(v2.ID)
	info.Storage[storageSource] = key
	require.NoError(t, h.s.writeTusInfo(info))
	_, err = h.store.Put(ctx, key, strings.NewReader(string(data)))
	require.NoError(t, err)
	rep, err := h.s.Sweep(ctx, time.Now())
	require.NoError(t, err)
	require.Equal(t, 1, rep.TusStarted)
	require.Equal(t, media.StatusQueued, h.status(v2.ID))
	gotKey, _, err := h.cat.Source(ctx, v2.ID)
	require.NoError(t, err)
	require.Equal(t, key, gotKey)
	rep, err = h.s.Sweep(ctx, time.Now())
	require.NoError(t, err)
	require.Zero(t, rep.TusStarted, "started once")
	require.Equal(t, http.StatusOK, h.head(u2).StatusCode)
}

// TestGrantExpiry: upload URLs expire TTL after the video was created,
// however often it is read, and tus creation is refused after that.
func TestGrantExpiry(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, Config{TTL: time.Hour})
	v, g := h.video(2 * time.Hour)
	require.Equal(t, v.CreatedAt.Add(time.Hour).Truncate(time.Second).UTC(), g.ExpiresAt)
	require.Equal(t, g.ExpiresAt.Add(24*time.Hour), g.DeleteAt)
	_, code := h.create(g.TusURL, 10, nil)
	require.Equal(t, http.StatusForbidden, code)
	b, _ := json.Marshal(g)
	require.Contains(t, string(b), `"delete_at"`)
}

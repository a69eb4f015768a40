package upload

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

func TestSweepLocal(t *testing.T) {
	t.Parallel()
	testSweep(t, newHarness(t, nil, Config{TTL: 24 * time.Hour}))
}

func TestSweepS3(t *testing.T) {
	t.Parallel()
	h := newHarness(t, s3Store(t), Config{TTL: 24 * time.Hour})
	testSweep(t, h)
	testSweepMultipart(t, h)
}

// testSweep: never-uploaded videos go 24 h after their upload URL expired,
// with their raw objects; idle or unwanted tus files go; finished uploads'
// records stay while their video exists.
func testSweep(t *testing.T, h *harness) {
	ctx := context.Background()
	now := time.Now()
	put := func(key string) {
		_, err := h.store.Put(ctx, key, strings.NewReader("bytes"))
		require.NoError(t, err)
	}
	exists := func(key string) bool {
		_, err := h.store.Stat(ctx, key)
		return err == nil
	}

	abandoned, ga := h.video(49 * time.Hour) // URL expired 25 h ago
	put(ga.keyForTest(abandoned.ID))
	recent, gr := h.video(47 * time.Hour) // URL expired 23 h ago: kept
	uploaded, _ := h.video(72 * time.Hour)
	_, err := h.cat.StartRun(ctx, uploaded.ID, "raw/"+uploaded.ID+"/source-x", 5)
	require.NoError(t, err)
	require.WithinDuration(t, now.Add(time.Hour), gr.DeleteAt, 2*time.Second)

	// tus uploads: one idle for longer than TTL, one fresh, one for a video
	// that got its source another way, one finished.
	fresh, gf := h.video(time.Hour)
	idleURL, _ := h.create(gf.TusURL, 100, nil)
	require.Equal(t, http.StatusNoContent, h.patch(idleURL, 0, randomBytes(10)).StatusCode)
	age(t, h, idleURL, 25*time.Hour)
	freshURL, _ := h.create(gf.TusURL, 100, nil)
	other, gother := h.video(time.Hour)
	otherURL, _ := h.create(gother.TusURL, 100, nil)
	_, err = h.cat.StartRun(ctx, other.ID, "raw/"+other.ID+"/source-y", 5)
	require.NoError(t, err)
	done, gd := h.video(time.Hour)
	doneURL, _ := h.create(gd.TusURL, 10, nil)
	require.Equal(t, http.StatusNoContent, h.patch(doneURL, 0, randomBytes(10)).StatusCode)
	age(t, h, doneURL, 30*24*time.Hour)

	rep, err := h.s.Sweep(ctx, now)
	require.NoError(t, err)
	require.Equal(t, 1, rep.VideosDeleted)
	require.Equal(t, 2, rep.TusRemoved)
	require.Equal(t, "", string(h.status(abandoned.ID)), "deleted")
	require.False(t, exists(ga.keyForTest(abandoned.ID)), "its raw objects too")
	require.Equal(t, media.StatusWaitingUpload, h.status(recent.ID))
	require.Equal(t, media.StatusWaitingUpload, h.status(fresh.ID))
	require.Equal(t, media.StatusQueued, h.status(uploaded.ID))
	require.Equal(t, http.StatusNotFound, h.head(idleURL).StatusCode)
	require.Equal(t, http.StatusNotFound, h.head(otherURL).StatusCode)
	require.Equal(t, http.StatusOK, h.head(freshURL).StatusCode)
	require.Equal(t, http.StatusOK, h.head(doneURL).StatusCode, "a finished upload is kept while its video exists")

	// A day later the recent one is due too; a deleted video's record goes.
	require.NoError(t, h.cat.DeleteVideo(ctx, done.ID))
	rep, err = h.s.Sweep(ctx, now.Add(2*time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, rep.VideosDeleted)
	require.Equal(t, 1, rep.TusRemoved)
	require.Equal(t, "", string(h.status(recent.ID)))
	require.Equal(t, http.StatusNotFound, h.head(doneURL).StatusCode)
	require.Equal(t, media.StatusWaitingUpload, h.status(fresh.ID))
}

// testSweepMultipart: unfinished multipart uploads are aborted once their
// video no longer waits for an upload; others are left alone.
func testSweepMultipart(t *testing.T, h *harness) {
	ctx := context.Background()
	ps, ok := h.store.(storage.Presigner)
	require.True(t, ok)
	ml := h.store.(storage.MultipartLister)
	waiting, _ := h.video(time.Hour)
	gone, _ := h.video(time.Hour)
	keep, err := ps.CreateMultipart(ctx, RawKey(waiting.ID))
	require.NoError(t, err)
	_, err = ps.CreateMultipart(ctx, RawKey(gone.ID))
	require.NoError(t, err)
	require.NoError(t, h.cat.DeleteVideo(ctx, gone.ID))

	rep, err := h.s.Sweep(ctx, time.Now())
	require.NoError(t, err)
	require.Equal(t, 1, rep.MultipartAborted)
	left, err := ml.ListMultipart(ctx, "raw/")
	require.NoError(t, err)
	require.Len(t, left, 1)
	require.Equal(t, keep, left[0].UploadID)
}

// age sets the modification time of a tus upload's files to age ago.
func age(t *testing.T, h *harness, url string, age time.Duration) {
	id := url[strings.LastIndex(url, "/")+1:]
	past := time.Now().Add(-age)
	for _, suffix := range []string{"", ".info"} {
		p := filepath.Join(h.s.cfg.TusDir, id+suffix)
		if _, err := os.Stat(p); err == nil {
			require.NoError(t, os.Chtimes(p, past, past))
		}
	}
}

// keyForTest is a raw object of the video, as a direct PUT leaves it.
func (g Grant) keyForTest(videoID string) string { return "raw/" + videoID + "/source-direct" }

package delivery

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPictures: thumbnail.jpg, thumbnail.webp and animated.webp are
// signed like every other file, made by the PictureFunc (never read from
// the store), bounded by it (400), and absent without one.
func TestPictures(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.put(t, "media/"+videoID+"/thumbnail.jpg", secret) // never served: pictures are made
	require.Equal(t, http.StatusNotFound, b.get(mediaURL(videoID, "thumbnail.webp", b.token)).Code, "no PictureFunc")

	img := filepath.Join(t.TempDir(), "pic")
	require.NoError(t, os.WriteFile(img, []byte("PICTURE"), 0o644))
	var asked []string
	b.h.pictures = func(_ context.Context, id, file string, q url.Values) (string, error) {
		asked = append(asked, id+"/"+file+"?"+q.Encode())
		if q.Get("time") == "999" {
			return "", ErrPictureRequest
		}
		if q.Get("time") == "404" {
			return "", ErrNoPicture
		}
		return img, nil
	}
	w := b.get(mediaURL(videoID, "thumbnail.jpg", b.token) + "&time=12.5&width=320")
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "PICTURE", w.Body.String())
	require.Equal(t, "image/jpeg", w.Header().Get("Content-Type"))
	require.Equal(t, immutableCache, w.Header().Get("Cache-Control"))
	w = b.get(mediaURL(videoID, "animated.webp", b.token) + "&start=1&end=3")
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "image/webp", w.Header().Get("Content-Type"))
	require.Equal(t, http.StatusBadRequest, b.get(mediaURL(videoID, "thumbnail.webp", b.token)+"&time=999").Code)
	require.Equal(t, http.StatusNotFound, b.get(mediaURL(videoID, "thumbnail.webp", b.token)+"&time=404").Code)
	n := len(asked)
	for _, target := range []string{
		"/media/" + videoID + "/thumbnail.jpg?time=1",              // no token
		mediaURL(videoID, "thumbnail.jpg", "bogus") + "&time=1",    // bad token
		mediaURL("other", "thumbnail.jpg", b.token) + "&time=1",    // another video's token
		mediaURL(videoID, "v0/thumbnail.jpg", b.token) + "&time=1", // only at the top
	} {
		require.NotEqual(t, http.StatusOK, b.get(target).Code, target)
	}
	require.Len(t, asked, n, "refused requests never reach ffmpeg")
}

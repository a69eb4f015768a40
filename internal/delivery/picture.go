package delivery

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
)

// pictureFiles are the pictures made on request rather than read from the
// store: a frame at ?time=&width= as JPEG or WebP, and a short animated
// WebP for ?start=&end=&width=.
var pictureFiles = map[string]bool{
	"thumbnail.jpg":  true,
	"thumbnail.webp": true,
	"animated.webp":  true,
}

// PictureFunc makes (or finds in its cache) picture file of video videoID
// for the request's query, and returns the path of a local file holding
// it. It is only asked once the request's grant checks out. Errors:
// ErrPictureRequest for a query out of bounds (400), media.ErrNotFound
// style errors wrapped in ErrNoPicture when there is nothing to show (404).
type PictureFunc func(ctx context.Context, videoID, file string, query url.Values) (string, error)

// Errors a PictureFunc returns for the handler to answer.
var (
	ErrPictureRequest = errors.New("delivery: picture request out of bounds")
	ErrNoPicture      = errors.New("delivery: no picture")
)

var pictureTypes = map[string]string{
	"thumbnail.jpg":  "image/jpeg",
	"thumbnail.webp": "image/webp",
	"animated.webp":  "image/webp",
}

func (h *Handler) servePicture(w http.ResponseWriter, r *http.Request, log func() *slog.Logger, id, rel string, g grant) {
	path, err := h.pictures(r.Context(), id, rel, r.URL.Query())
	switch {
	case errors.Is(err, ErrPictureRequest):
		fail(w, http.StatusBadRequest)
		return
	case errors.Is(err, ErrNoPicture):
		fail(w, http.StatusNotFound)
		return
	case err != nil:
		if r.Context().Err() == nil {
			log().ErrorContext(r.Context(), "make picture", "err", err)
		}
		fail(w, http.StatusInternalServerError)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		fail(w, http.StatusNotFound) // trimmed from the cache meanwhile; the next try makes it again
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fail(w, http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", pictureTypes[rel])
	if g.cookie {
		hdr["Cache-Control"] = privateImmutableCacheValue
	} else {
		hdr["Cache-Control"] = immutableCacheValue
	}
	http.ServeContent(w, r, "", st.ModTime(), f)
}

package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/storage"
)

// maxManifestSize caps what is read into memory for rewriting. A two-hour
// film at 4 s segments has a media playlist of about 100 KiB.
const maxManifestSize = 4 << 20

// Cache lifetimes. Manifests embed the viewer's token, so only the viewer's
// own cache may keep them, and not for long: the token expires and a video
// may be reprocessed. Everything else lives under a path that is never
// rewritten in place, so it is immutable; shared caches key it on the full
// URL including the token, which is correct, if not maximally shareable.
const (
	manifestMaxAge = 60 * time.Second
	immutableCache = "public, max-age=31536000, immutable"
)

// Handler serves GET, HEAD and OPTIONS for /media/{id}/{path...}. Mount it at
// PathPrefix without stripping the prefix.
type Handler struct {
	store         storage.Store
	keys          *auth.Keys
	publishedFunc func(ctx context.Context, videoID string) (bool, error)
	logger        *slog.Logger
	nowFunc       func() time.Time
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns a Handler reading published media from store under
// "media/<id>/". isPublished must not be nil; it is asked on every request
// after the token checks out (cache it if that is costly). now is the clock
// used for token expiry; nil means time.Now, and a nil logger discards.
func NewHandler(store storage.Store, keys *auth.Keys, isPublished func(ctx context.Context, videoID string) (bool, error), logger *slog.Logger, now func() time.Time) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Handler{store: store, keys: keys, publishedFunc: isPublished, logger: logger, nowFunc: now}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	// Players run on other origins (embeds, the dev UI server). Nothing here
	// depends on cookies, so a wildcard is safe: the token is the credential.
	hdr.Set("Access-Control-Allow-Origin", "*")
	hdr.Set("X-Content-Type-Options", "nosniff")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		hdr.Set("Access-Control-Allow-Headers", "Range")
		hdr.Set("Access-Control-Max-Age", "86400")
		hdr.Set("Allow", "GET, HEAD, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		hdr.Set("Allow", "GET, HEAD, OPTIONS")
		fail(w, http.StatusMethodNotAllowed)
		return
	}
	hdr.Set("Access-Control-Expose-Headers", "Content-Length, Content-Range, ETag")

	id, rel, ok := parseMediaPath(r.URL)
	if !ok {
		fail(w, http.StatusBadRequest)
		return
	}
	ft, ok := lookupType(rel)
	if !ok {
		fail(w, http.StatusNotFound)
		return
	}
	log := h.logger.With("video", id, "path", rel)

	token, claims, err := h.authorize(r, id)
	if err != nil {
		log.DebugContext(r.Context(), "media request refused", "reason", err)
		fail(w, http.StatusForbidden)
		return
	}
	published, err := h.publishedFunc(r.Context(), id)
	if err != nil {
		log.ErrorContext(r.Context(), "check published", "err", err)
		fail(w, http.StatusInternalServerError)
		return
	}
	if !published {
		fail(w, http.StatusNotFound)
		return
	}

	// parseMediaPath already allows only plain names; CleanKey is the storage
	// layer's own guard, kept so the two checks must both fail to expose
	// anything outside media/<id>/.
	key, err := storage.CleanKey("media/" + id + "/" + rel)
	if err != nil {
		fail(w, http.StatusBadRequest)
		return
	}
	obj, err := h.store.Open(r.Context(), key)
	switch {
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrInvalidKey):
		fail(w, http.StatusNotFound)
		return
	case err != nil:
		log.ErrorContext(r.Context(), "open media object", "key", key, "err", err)
		fail(w, http.StatusInternalServerError)
		return
	}
	defer obj.Close()

	hdr.Set("Content-Type", ft.contentType)
	if ft.manifest {
		h.serveManifest(w, r, log, obj, rel, token, claims.ExpiresAt)
		return
	}
	if etag := quoteETag(obj.Info().ETag); etag != "" {
		hdr.Set("ETag", etag)
	}
	hdr.Set("Cache-Control", immutableCache)
	http.ServeContent(w, r, "", obj.Info().ModTime, obj)
}

// authorize returns the request's play token and its claims if the token is
// valid now and was issued for video id.
func (h *Handler) authorize(r *http.Request, id string) (string, auth.Claims, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return "", auth.Claims{}, fmt.Errorf("bad query: %w", err)
	}
	tokens := q["token"]
	if len(tokens) != 1 {
		return "", auth.Claims{}, fmt.Errorf("want one token, got %d", len(tokens))
	}
	claims, err := h.keys.Verify(tokens[0], auth.PurposePlay, h.nowFunc())
	if err != nil {
		return "", auth.Claims{}, err
	}
	if claims.VideoID != id {
		return "", auth.Claims{}, errors.New("token is for another video")
	}
	return tokens[0], claims, nil
}

// serveManifest rewrites a manifest so every child URL carries token, then
// serves the result with an ETag of the rewritten bytes (the stored object's
// ETag would be wrong: the bytes differ per token).
func (h *Handler) serveManifest(w http.ResponseWriter, r *http.Request, log *slog.Logger, obj storage.Object, rel, token string, expires time.Time) {
	src, err := io.ReadAll(io.LimitReader(obj, maxManifestSize+1))
	if err == nil && len(src) > maxManifestSize {
		err = fmt.Errorf("manifest larger than %d bytes", maxManifestSize)
	}
	if err != nil {
		log.ErrorContext(r.Context(), "read manifest", "err", err)
		fail(w, http.StatusInternalServerError)
		return
	}
	query := "token=" + url.QueryEscape(token)
	var out []byte
	switch path.Ext(rel) {
	case ".m3u8":
		out = manifest.RewriteHLS(src, query)
	case ".mpd":
		out, err = manifest.RewriteMPD(src, query)
	case ".vtt":
		out = manifest.RewriteVTT(src, query)
	}
	if err != nil {
		log.ErrorContext(r.Context(), "rewrite manifest", "err", err)
		fail(w, http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(out)
	hdr := w.Header()
	hdr.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	maxAge := min(manifestMaxAge, expires.Sub(h.nowFunc()))
	hdr.Set("Cache-Control", fmt.Sprintf("private, max-age=%d", max(0, int(maxAge.Seconds()))))
	http.ServeContent(w, r, "", obj.Info().ModTime, bytes.NewReader(out))
}

// quoteETag turns a storage ETag into an HTTP entity tag, leaving one that is
// already quoted (or weak) alone.
func quoteETag(tag string) string {
	if tag == "" {
		return ""
	}
	if strings.HasPrefix(tag, `"`) || strings.HasPrefix(tag, `W/"`) {
		return tag
	}
	return `"` + strings.ReplaceAll(tag, `"`, "") + `"`
}

// fail writes a short plain-text status. It says nothing about why: telling
// a client which token check failed only helps someone forging one.
func fail(w http.ResponseWriter, code int) {
	hdr := w.Header()
	for _, k := range []string{"ETag", "Last-Modified", "Content-Range"} {
		hdr.Del(k)
	}
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, http.StatusText(code)+"\n")
}

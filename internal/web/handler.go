package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"
)

// Cache policies. Vite puts a content hash in every file name under assets/,
// so those never change; everything else must be revalidated.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// file is one UI file held in memory with a strong validator. The built UI is
// a few hundred KiB, so reading it once at start-up is cheaper than hashing on
// every request.
type file struct {
	name string
	body []byte
	etag string
}

// spa serves a built single-page app from an fs.FS.
type spa struct {
	logger *slog.Logger
	files  map[string]*file // keyed by clean path without the leading slash
	index  *file            // nil when the UI was not built
	// csp is the Content-Security-Policy of the app's pages.
	csp string
	// ancestors, when set, names who may frame each video's embed page.
	ancestors AncestorsFunc
}

// Handler returns an http.Handler serving the UI embedded in the binary. When
// the binary was built with the noui tag, or before `make ui` has run, it
// serves a short page explaining that the UI is missing.
//
// mediaOrigins are other origins the pages load media from (a CloudFront
// distribution, a public URL on another host); see contentSecurityPolicy.
func Handler(logger *slog.Logger, mediaOrigins ...string) http.Handler {
	return NewHandler(embedded(), logger, mediaOrigins...)
}

// NewHandler returns an http.Handler serving the single-page app in fsys,
// which must hold index.html at its root and hashed files under assets/. A nil
// fsys, or one without index.html, gives the "built without UI" page. Files
// that cannot be read are logged and skipped rather than failing start-up,
// because the API must keep working without a UI.
func NewHandler(fsys fs.FS, logger *slog.Logger, mediaOrigins ...string) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &spa{logger: logger, files: map[string]*file{}, csp: contentSecurityPolicy(mediaOrigins)}
	if fsys == nil {
		return h
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || hidden(p) {
			return nil
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h.files[p] = &file{name: p, body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		logger.Warn("web: reading embedded UI", "err", err)
	}
	h.index = h.files["index.html"]
	if h.index == nil {
		logger.Info("web: UI not built; serving placeholder page (run `make ui`)")
	}
	return h
}

// ServeHTTP implements http.Handler.
func (h *spa) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// The API is mounted elsewhere; an unknown API path reaching us is a
	// client bug and must not be answered with HTML.
	if r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/") {
		notFoundJSON(w)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", h.policyFor(r))
	if h.index == nil {
		h.serveNotBuilt(w, r)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if f, ok := h.files[name]; ok && name != "index.html" {
		cache := cacheRevalidate
		if strings.HasPrefix(name, "assets/") {
			cache = cacheImmutable
		}
		h.serveFile(w, r, f, cache)
		return
	}
	// A missing hashed asset is a stale page asking for an old build; HTML in
	// its place would only produce confusing script errors.
	if strings.HasPrefix(name, "assets/") {
		http.NotFound(w, r)
		return
	}
	h.serveFile(w, r, h.index, cacheRevalidate)
}

// serveFile writes f with its validator; ServeContent handles If-None-Match,
// Range and HEAD, and picks the Content-Type from the extension.
func (h *spa) serveFile(w http.ResponseWriter, r *http.Request, f *file, cache string) {
	w.Header().Set("Cache-Control", cache)
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.body))
}

// notBuiltPage is shown when the binary carries no UI, so someone opening the
// server in a browser learns why instead of seeing a blank 404.
var notBuiltPage = template.Must(template.New("notbuilt").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>kinema</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f2f2f2;padding:.1em .3em;border-radius:3px}</style>
</head><body>
<h1>kinema</h1>
<p>This server was built without the web UI assets. The API at <code>/api/v1/</code> works as usual.</p>
<p>To include the UI, run <code>make ui</code> and rebuild the binary (without the <code>noui</code> build tag).</p>
</body></html>
`))

func (h *spa) serveNotBuilt(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if err := notBuiltPage.Execute(w, nil); err != nil {
		// Only a client that went away makes this fail; nothing to return to.
		h.logger.Debug("web: writing placeholder page", "err", err)
	}
}

// notFoundJSON answers in the API's error shape so API clients can parse it.
func notFoundJSON(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"error":{"code":"not_found","message":"no such API endpoint"}}` + "\n"))
}

// hidden reports whether any element of p starts with a dot, such as the
// dist/.keep placeholder; those are never served.
func hidden(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if strings.HasPrefix(part, ".") && part != "." {
			return true
		}
	}
	return false
}

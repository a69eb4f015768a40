package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// builtUI is a minimal stand-in for a Vite build.
func builtUI() fstest.MapFS {
	return fstest.MapFS{
		"index.html":              {Data: []byte("<!doctype html><title>kinema</title><div id=root></div>")},
		"assets/index-abc123.js":  {Data: []byte("console.log('hi')")},
		"assets/index-def456.css": {Data: []byte("body{}")},
		"favicon.svg":             {Data: []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")},
		".keep":                   {Data: nil},
	}
}

func get(t *testing.T, h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandlerServesSPA(t *testing.T) {
	t.Parallel()
	h := NewHandler(builtUI(), nil)

	tests := []struct {
		name, path   string
		status       int
		cache        string
		bodyContains string
		contentType  string
	}{
		{"root is index", "/", 200, "no-cache", "<div id=root>", "text/html"},
		{"index.html is no-cache too", "/index.html", 200, "no-cache", "<div id=root>", "text/html"},
		{"client route gets index", "/watch/abc123", 200, "no-cache", "<div id=root>", "text/html"},
		{"nested client route gets index", "/upload/x/y", 200, "no-cache", "<div id=root>", "text/html"},
		{"hashed js is immutable", "/assets/index-abc123.js", 200, cacheImmutable, "console.log", "javascript"},
		{"hashed css is immutable", "/assets/index-def456.css", 200, cacheImmutable, "body{}", "text/css"},
		{"missing asset is 404 not html", "/assets/index-old.js", 404, "", "", ""},
		{"root file revalidates", "/favicon.svg", 200, "no-cache", "<svg", "image/svg+xml"},
		{"dot files are hidden", "/.keep", 200, "no-cache", "<div id=root>", "text/html"},
		{"unknown api path is json 404", "/api/v1/nope", 404, "", `"not_found"`, "application/json"},
		{"traversal stays inside", "/../../etc/passwd", 200, "no-cache", "<div id=root>", "text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := get(t, h, http.MethodGet, tt.path)
			require.Equal(t, tt.status, rec.Code)
			if tt.cache != "" {
				require.Equal(t, tt.cache, rec.Header().Get("Cache-Control"))
			}
			if tt.bodyContains != "" {
				require.Contains(t, rec.Body.String(), tt.bodyContains)
			}
			if tt.contentType != "" {
				require.Contains(t, rec.Header().Get("Content-Type"), tt.contentType)
			}
		})
	}
}

func TestHandlerConditionalAndHead(t *testing.T) {
	t.Parallel()
	h := NewHandler(builtUI(), nil)

	first := get(t, h, http.MethodGet, "/")
	etag := first.Header().Get("ETag")
	require.NotEmpty(t, etag)

	again := get(t, h, http.MethodGet, "/library", "If-None-Match", etag)
	require.Equal(t, http.StatusNotModified, again.Code)

	head := get(t, h, http.MethodHead, "/assets/index-abc123.js")
	require.Equal(t, http.StatusOK, head.Code)
	require.Empty(t, head.Body.String())

	post := get(t, h, http.MethodPost, "/")
	require.Equal(t, http.StatusMethodNotAllowed, post.Code)
}

func TestHandlerNotBuilt(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]http.Handler{
		"nil fs":        NewHandler(nil, nil),
		"no index.html": NewHandler(fstest.MapFS{".keep": {}}, nil),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, p := range []string{"/", "/watch/x", "/assets/index-abc123.js"} {
				rec := get(t, h, http.MethodGet, p)
				require.Equal(t, http.StatusOK, rec.Code, p)
				require.Contains(t, rec.Body.String(), "make ui")
				require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			}
			require.Equal(t, http.StatusNotFound, get(t, h, http.MethodGet, "/api/v1/x").Code)
		})
	}
}

// TestEmbeddedHandler checks the real embedded FS: before `make ui` it holds
// only dist/.keep and must give the placeholder; after, the built index.
func TestEmbeddedHandler(t *testing.T) {
	t.Parallel()
	rec := get(t, Handler(nil), http.MethodGet, "/")
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	require.True(t, strings.Contains(body, "make ui") || strings.Contains(body, `id="root"`), body)
}

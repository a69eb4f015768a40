package live

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/manifest"
)

// PathPrefix is where Handler expects to be mounted, without StripPrefix.
const PathPrefix = "/live/"

// maxManifestSize bounds what is read for rewriting; a 60 s window is a few
// KiB.
const maxManifestSize = 1 << 20

// Cache lifetimes. Manifests change with every segment and embed the
// viewer's token: private and shorter than half a segment. Segment names
// are never reused within a broadcast, so they are immutable.
const (
	manifestCache  = "private, max-age=1"
	immutableCache = "public, max-age=31536000, immutable"
)

var liveTypes = map[string]struct {
	contentType string
	manifest    bool
}{
	".m3u8": {"application/vnd.apple.mpegurl", true},
	".mpd":  {"application/dash+xml", true},
	".m4s":  {"video/iso.segment", false},
}

// Handler serves a stream's live manifests and segments under
// /live/<id>/<file> with the same play tokens as /media/: a token signed
// for the stream id, checked on every request and propagated to every
// child URL by rewriting the manifests.
func (s *Service) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Service) serveHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Access-Control-Allow-Origin", "*") // the token is the credential, not cookies
	hdr.Set("X-Content-Type-Options", "nosniff")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		hdr.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		hdr.Set("Allow", "GET, HEAD, OPTIONS")
		fail(w, http.StatusMethodNotAllowed)
		return
	}
	id, name, ok := parseLivePath(r.URL)
	if !ok {
		fail(w, http.StatusBadRequest)
		return
	}
	ft, ok := liveTypes[path.Ext(name)]
	if !ok {
		fail(w, http.StatusNotFound)
		return
	}
	token, err := s.authorize(r, id)
	if err != nil {
		fail(w, http.StatusForbidden)
		return
	}
	// The token was signed for this stream id, so no registry lookup is
	// needed: an unknown stream has no files.
	var handled bool
	if handled, name = s.serveLL(w, r, id, name, token); handled {
		return
	}
	f, modTime, err := s.openOutput(r.Context(), id, name)
	if err != nil {
		// Before the first segment the manifests do not exist yet; players
		// retry on 404.
		fail(w, http.StatusNotFound)
		return
	}
	defer f.Close()
	hdr.Set("Content-Type", ft.contentType)
	if !ft.manifest {
		s.views.saw(id, token, s.now())
		hdr.Set("Cache-Control", immutableCache)
		http.ServeContent(w, r, "", modTime, f)
		return
	}
	src, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil || len(src) > maxManifestSize {
		s.log.Error("read live manifest", "stream", id, "file", name, "err", err)
		fail(w, http.StatusInternalServerError)
		return
	}
	query := "token=" + url.QueryEscape(token)
	var out []byte
	if path.Ext(name) == ".mpd" {
		if l := s.ll.get(id); l != nil {
			src = l.regularMPD(src)
		}
		out, err = manifest.RewriteMPD(src, query)
	} else {
		if l := s.ll.get(id); l != nil {
			src = l.regularPDT(src)
		}
		out = manifest.RewriteHLS(src, query)
	}
	if err != nil {
		s.log.Error("rewrite live manifest", "stream", id, "file", name, "err", err)
		fail(w, http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(out)
	hdr.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	hdr.Set("Cache-Control", manifestCache)
	http.ServeContent(w, r, "", modTime, bytes.NewReader(out))
}

// authorize returns the request's single play token if it is valid now
// and was signed for stream id.
func (s *Service) authorize(r *http.Request, id string) (string, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return "", err
	}
	toks := q["token"]
	if len(toks) != 1 {
		return "", fmt.Errorf("want one token, got %d", len(toks))
	}
	c, err := s.keys.Verify(toks[0], auth.PurposePlay, s.now())
	if err != nil {
		return "", err
	}
	// Same rules as VOD delivery, including IP binding and path prefixes.
	client := remoteIP
	if s.cfg.ClientIPFunc != nil {
		client = s.cfg.ClientIPFunc
	}
	if err := c.Grants(id, r.URL.Path, client(r)); err != nil {
		return "", err
	}
	return toks[0], nil
}

func remoteIP(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// parseLivePath splits /live/<id>/<file>. Like delivery's parser it works on
// the escaped path and admits only [A-Za-z0-9._-] names not starting with a
// dot, so no encoding trick reaches the file system; live output is flat.
func parseLivePath(u *url.URL) (id, name string, ok bool) {
	p := u.EscapedPath()
	if p != u.Path {
		return "", "", false
	}
	rest, ok := strings.CutPrefix(p, PathPrefix)
	if !ok {
		return "", "", false
	}
	id, name, ok = strings.Cut(rest, "/")
	if !ok || !safeName(id) || !safeName(name) || strings.Contains(id, ".") {
		return "", "", false
	}
	return id, name, true
}

func safeName(s string) bool {
	if s == "" || s[0] == '.' || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func fail(w http.ResponseWriter, code int) {
	hdr := w.Header()
	hdr.Del("ETag")
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, http.StatusText(code)+"\n")
}

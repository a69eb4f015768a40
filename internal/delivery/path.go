package delivery

import (
	"net/url"
	"path"
	"strings"
)

// PathPrefix is where the handler expects to be mounted, without
// http.StripPrefix: mux.Handle(delivery.PathPrefix, h).
const PathPrefix = "/media/"

// maxPathLen bounds the part after PathPrefix; real paths are under 80 bytes.
const maxPathLen = 512

// fileType describes how one file extension is served.
type fileType struct {
	contentType      string
	manifest         bool     // read, rewritten with the token, never cached long
	contentTypeValue []string // {contentType}, shared by every response
}

// fileTypes is the allowlist: anything else under media/<id>/ (work files,
// logs, whatever a future pipeline drops there) is not served.
var fileTypes = map[string]fileType{
	".m3u8": newFileType("application/vnd.apple.mpegurl", true),
	".mpd":  newFileType("application/dash+xml", true),
	".vtt":  newFileType("text/vtt; charset=utf-8", true),
	".m4s":  newFileType("video/iso.segment", false),
	".mp4":  newFileType("video/mp4", false),
	".jpg":  newFileType("image/jpeg", false),
	".m4a":  newFileType("audio/mp4", false), // downloads
}

func newFileType(contentType string, manifest bool) fileType {
	return fileType{contentType: contentType, manifest: manifest, contentTypeValue: []string{contentType}}
}

// parseMediaPath splits /media/<id>/<rel> into the video id and the path
// inside the video (e.g. "master.m3u8" or "v0/seg_00000.m4s").
//
// It works on the escaped path so that encoded tricks (%2e%2e, %2f, %5c, %00)
// are seen as written, and it accepts only letters, digits, '-', '_' and '.'
// in segments that do not start with a dot. No legitimate name needs more,
// so traversal, hidden files, empty segments, backslashes and NUL are all
// rejected without having to enumerate them.
func parseMediaPath(u *url.URL) (id, rel string, ok bool) {
	p := u.EscapedPath()
	if p != u.Path || !strings.HasPrefix(p, PathPrefix) {
		return "", "", false
	}
	rest := p[len(PathPrefix):]
	if len(rest) > maxPathLen {
		return "", "", false
	}
	// <id>/<file> or <id>/<rid>/<file>
	id, rel, ok = strings.Cut(rest, "/")
	if !ok || !safeSegment(id) || strings.Contains(id, ".") { // video ids are letters, digits, '-' and '_'
		return "", "", false
	}
	first, second, nested := strings.Cut(rel, "/")
	if !safeSegment(first) || nested && !safeSegment(second) { // so no third '/' either
		return "", "", false
	}
	return id, rel, true
}

// lookupType returns how rel is served, and false for extensions that are not
// served at all.
func lookupType(rel string) (fileType, bool) {
	ft, ok := fileTypes[path.Ext(rel)]
	return ft, ok
}

func safeSegment(s string) bool {
	if s == "" || s[0] == '.' || len(s) > 255 {
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

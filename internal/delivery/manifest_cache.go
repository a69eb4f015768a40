package delivery

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/storage"
)

// Manifest cache bounds. A player fetches the same playlists with the same
// token again and again (live playlists every few seconds, a VOD's on every
// seek or rendition switch), and each rewrite costs more than serving the
// bytes. A two-hour film's media playlist rewritten with a token is about
// 0.5 MiB; bigger ones are rewritten each time rather than crowd out the rest.
const (
	maxCachedManifests     = 8192
	maxCachedManifestBytes = 32 << 20
	maxCachedManifestSize  = 1 << 20
)

// manifestRecheck is how long a cached manifest is served without asking the
// store whether the object changed: a manifest replaced in place (a video
// reprocessed) may be served as it was for this long. It bounds staleness of
// bytes only; the grant and the gates are checked on every request.
const manifestRecheck = time.Second

// manifestKey names one served form of a stored manifest: rewritten for a
// query token, or as stored (cookie, token ""); or, with template set, the
// HLS playlist's precompiled rewrite that new tokens are rendered from.
type manifestKey struct {
	key      string
	token    string
	cookie   bool
	template bool
}

// manifestEntry is a served manifest, valid while the stored object is the
// version it was made from.
type manifestEntry struct {
	version storage.Info // Size, ModTime, ETag of the stored object
	body    []byte
	tmpl    *manifest.HLSTemplate // template entries only, which have no body
	// Header values, made once per entry (net/http never changes a value
	// slice): the quoted ETag of body, Last-Modified (nil for a zero time)
	// and Content-Length.
	etag, lastModified, length []string

	checked atomic.Int64 // UnixNano of the last time version was found current
}

// current reports whether e may be served at now: it was checked against the
// store within manifestRecheck, or statFunc finds it still current.
func (e *manifestEntry) current(now time.Time, statFunc func() (storage.Info, error)) bool {
	if d := now.UnixNano() - e.checked.Load(); d >= 0 && d < int64(manifestRecheck) {
		return true
	}
	info, err := statFunc()
	if err != nil || !e.matches(info) {
		return false
	}
	e.checked.Store(now.UnixNano())
	return true
}

// size is what the entry counts against maxCachedManifestBytes.
func (e *manifestEntry) size() int {
	if e.tmpl != nil {
		return e.tmpl.Size()
	}
	return len(e.body)
}

func (e *manifestEntry) matches(info storage.Info) bool {
	return e.version.Size == info.Size && e.version.ETag == info.ETag && e.version.ModTime.Equal(info.ModTime)
}

func newManifestEntry(info storage.Info, body []byte, etag string, now time.Time) *manifestEntry {
	e := &manifestEntry{version: info, body: body, etag: []string{etag}, length: []string{strconv.Itoa(len(body))}}
	e.checked.Store(now.UnixNano())
	if !isZeroTime(info.ModTime) {
		e.lastModified = []string{info.ModTime.UTC().Format(http.TimeFormat)}
	}
	return e
}

// isZeroTime is net/http's rule for a modification time that is not sent.
func isZeroTime(t time.Time) bool {
	return t.IsZero() || t.Equal(time.Unix(0, 0))
}

// manifestCache holds served manifests by (object key, token). It holds only
// bytes: the grant is checked on every request before the cache is asked,
// and an entry is used only for the exact token it was made for and the
// exact stored version it was made from.
type manifestCache struct {
	mu      sync.RWMutex
	entries map[manifestKey]*manifestEntry
	bytes   int
}

func newManifestCache() *manifestCache {
	return &manifestCache{entries: map[manifestKey]*manifestEntry{}}
}

func (c *manifestCache) get(k manifestKey) *manifestEntry {
	c.mu.RLock()
	e := c.entries[k]
	c.mu.RUnlock()
	return e
}

func (c *manifestCache) put(k manifestKey, e *manifestEntry) {
	size := e.size()
	if size > maxCachedManifestSize {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[k]; old != nil {
		c.bytes -= old.size()
		delete(c.entries, k)
	}
	if len(c.entries) >= maxCachedManifests || c.bytes+size > maxCachedManifestBytes {
		// Drop arbitrary entries (map order) until a quarter is free, so a
		// cache under churn sweeps every few thousand inserts, not each one.
		for dk, de := range c.entries {
			if len(c.entries) <= maxCachedManifests*3/4 && c.bytes+size <= maxCachedManifestBytes*3/4 {
				break
			}
			c.bytes -= de.size()
			delete(c.entries, dk)
		}
	}
	c.entries[k] = e
	c.bytes += size
}

// serveManifestEntry writes e as a 200 with one Write, so net/http sends
// headers and body in one system call. Conditional and range requests go to
// http.ServeContent, which has the rules for them.
func serveManifestEntry(w http.ResponseWriter, r *http.Request, e *manifestEntry) {
	hdr := w.Header()
	hdr["Etag"] = e.etag
	for _, k := range []string{"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range"} {
		if _, ok := r.Header[k]; ok {
			http.ServeContent(writeOnly{w}, r, "", e.version.ModTime, bytes.NewReader(e.body))
			return
		}
	}
	if e.lastModified != nil {
		hdr["Last-Modified"] = e.lastModified
	}
	hdr["Accept-Ranges"] = acceptRangesBytes
	if r.Method == http.MethodHead || len(e.body) >= smallBody {
		hdr["Content-Length"] = e.length
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(e.body)
	}
}

var acceptRangesBytes = []string{"bytes"}

// smallBody is net/http's response buffer (bufferBeforeChunkingSize): a body
// shorter than that, written at once, is still buffered when the handler
// returns, and net/http sets its Content-Length itself, outside the header
// map. The map then holds 8 entries, which Go keeps in one small-map group
// instead of a grown table, for it and for the copy WriteHeader makes.
const smallBody = 2048

// writeOnly hides the writer's ReadFrom: net/http's would send the first 512
// bytes and the rest in two system calls, where a small body in one Write
// goes out with the headers.
type writeOnly struct{ http.ResponseWriter }

package delivery

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
	"github.com/stretchr/testify/require"
)

const videoID = "abc_123-X"

// secret is stored where the handler must never serve it from.
const secret = "TOP-SECRET-SOURCE-BYTES"

type bundle struct {
	h         *Handler
	store     *memStore
	keys      *auth.Keys
	now       time.Time
	mu        sync.Mutex
	published map[string]bool
	notBefore map[string]time.Time // grants issued earlier are revoked
	pubErr    error
	token     string // valid play token for videoID
}

// gate is the bundle's GateFunc, answering from published and notBefore.
func (b *bundle) gate(_ context.Context, id string) (Gate, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return Gate{Published: b.published[id], NotBefore: b.notBefore[id]}, b.pubErr
}

func setup(t *testing.T) *bundle {
	t.Helper()
	seed := make([]byte, ed25519.SeedSize)
	keys, err := auth.NewKeys(ed25519.NewKeyFromSeed(seed))
	require.NoError(t, err)
	b := &bundle{
		store:     newMemStore(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)),
		keys:      keys,
		now:       time.Unix(1_700_000_000, 0),
		published: map[string]bool{videoID: true, "other": true},
	}
	b.h = NewHandler(b.store, keys, b.gate, nil, func() time.Time { return b.now })
	b.token = b.sign(t, videoID, auth.PurposePlay, b.now.Add(time.Hour))
	b.putMedia(t, videoID)
	b.putMedia(t, "other")
	b.put(t, "uploads/"+videoID+"/source.mp4", secret)
	b.put(t, "media/"+videoID+"/secret.txt", secret)
	b.put(t, "media/"+videoID+"/v0/.hidden.m4s", secret)
	return b
}

func (b *bundle) sign(t *testing.T, id, purpose string, exp time.Time) string {
	t.Helper()
	tok, err := b.keys.Sign(auth.Claims{VideoID: id, Purpose: purpose, ExpiresAt: exp})
	require.NoError(t, err)
	return tok
}

func (b *bundle) put(t *testing.T, key, data string) {
	t.Helper()
	_, err := b.store.Put(context.Background(), key, strings.NewReader(data))
	require.NoError(t, err)
}

// segmentBytes is recognisable content for range checks.
func segmentBytes(rid string, n int) string {
	var s strings.Builder
	for i := 0; s.Len() < 1000; i++ {
		fmt.Fprintf(&s, "%s-%d-%04d|", rid, n, i)
	}
	return s.String()
}

// putMedia stores a complete small package written by the manifest package,
// as the pipeline would.
func (b *bundle) putMedia(t *testing.T, id string) {
	t.Helper()
	rs := []media.Rendition{
		{ID: "v0", Type: media.KindVideo, Width: 640, Height: 360, FPSNum: 30, FPSDen: 1, Bitrate: 900_000, Codecs: "avc1.64001e"},
		{ID: "a0", Type: media.KindAudio, Bitrate: 128_000, Channels: 2, SampleRate: 48000},
	}
	pls := map[string]manifest.MediaPlaylist{}
	for _, r := range rs {
		pl := "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n" +
			"#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n" +
			"#EXTINF:4.000000,\nseg_00000.m4s\n#EXTINF:2.500000,\nseg_00001.m4s\n#EXT-X-ENDLIST\n"
		parsed, err := manifest.ParseMediaPlaylist(strings.NewReader(pl))
		require.NoError(t, err)
		pls[r.ID] = parsed
		dir := "media/" + id + "/" + r.ID + "/"
		b.put(t, dir+"index.m3u8", pl)
		b.put(t, dir+"init.mp4", "init-"+r.ID)
		b.put(t, dir+"seg_00000.m4s", segmentBytes(r.ID, 0))
		b.put(t, dir+"seg_00001.m4s", segmentBytes(r.ID, 1))
	}
	var master, mpd bytes.Buffer
	require.NoError(t, manifest.WriteMaster(&master, rs))
	require.NoError(t, manifest.WriteMPD(&mpd, 6.5, rs, pls))
	b.put(t, "media/"+id+"/master.m3u8", master.String())
	b.put(t, "media/"+id+"/manifest.mpd", mpd.String())
	b.put(t, "media/"+id+"/poster.jpg", "JPEG-poster")
	b.put(t, "media/"+id+"/storyboard.jpg", "JPEG-sprite")
	b.put(t, "media/"+id+"/storyboard.vtt", "WEBVTT\n\n00:00.000 --> 00:05.000\nstoryboard.jpg#xywh=0,0,160,90\n")
}

// do sends a request with a raw target (path and query exactly as given).
func (b *bundle) do(method, target string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, r)
	return w
}

func (b *bundle) get(target string, hdr ...string) *httptest.ResponseRecorder {
	return b.do(http.MethodGet, target, hdr...)
}

func mediaURL(id, rel, token string) string {
	return "/media/" + id + "/" + rel + "?token=" + url.QueryEscape(token)
}

func requireCORS(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	require.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"))
}

// hlsChildren returns every URI a playlist references, from URI lines and
// URI="..." attributes.
func hlsChildren(body string) []string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case !strings.HasPrefix(line, "#"):
			out = append(out, line)
		default:
			for _, part := range strings.Split(line, `URI="`)[1:] {
				out = append(out, part[:strings.IndexByte(part, '"')])
			}
		}
	}
	return out
}

// TestHLSCrawl plays the whole HLS tree the way a player would: every URL it
// reaches from the master must carry the token and be served.
func TestHLSCrawl(t *testing.T) {
	t.Parallel()
	b := setup(t)
	base, err := url.Parse("http://kinema.test" + mediaURL(videoID, "master.m3u8", b.token))
	require.NoError(t, err)

	seen := map[string]bool{}
	queue := []*url.URL{base}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if seen[u.Path] {
			continue
		}
		seen[u.Path] = true
		require.Equal(t, b.token, u.Query().Get("token"), u.String())

		w := b.get(u.RequestURI())
		require.Equal(t, http.StatusOK, w.Code, u.String())
		requireCORS(t, w)
		require.NotEmpty(t, w.Header().Get("ETag"))
		if strings.HasSuffix(u.Path, ".m3u8") {
			require.Equal(t, "application/vnd.apple.mpegurl", w.Header().Get("Content-Type"))
			require.Equal(t, "private, max-age=60", w.Header().Get("Cache-Control"))
			for _, child := range hlsChildren(w.Body.String()) {
				ref, err := u.Parse(child)
				require.NoError(t, err)
				queue = append(queue, ref)
			}
		} else {
			require.Equal(t, "public, max-age=31536000, s-maxage=60, immutable", w.Header().Get("Cache-Control"))
			require.Contains(t, []string{"video/mp4", "video/iso.segment"}, w.Header().Get("Content-Type"))
			require.NotEmpty(t, w.Header().Get("Last-Modified"))
		}
	}
	// master + 2 playlists + 2×(init + 2 segments)
	require.Len(t, seen, 9)
}

func TestDASHManifest(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := b.get(mediaURL(videoID, "manifest.mpd", b.token))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "application/dash+xml", w.Header().Get("Content-Type"))

	var doc struct {
		Templates []struct {
			Media string `xml:"media,attr"`
			Init  string `xml:"initialization,attr"`
		} `xml:"Period>AdaptationSet>Representation>SegmentTemplate"`
	}
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &doc))
	require.Len(t, doc.Templates, 2)
	q := "?token=" + b.token
	for _, tmpl := range doc.Templates {
		require.True(t, strings.HasSuffix(tmpl.Media, "$Number%05d$.m4s"+q), tmpl.Media)
		require.True(t, strings.HasSuffix(tmpl.Init, "/init.mp4"+q), tmpl.Init)
		// Expand the template the way dash.js does and fetch the result.
		seg := strings.Replace(tmpl.Media, "$Number%05d$", "00001", 1)
		for _, rel := range []string{seg, tmpl.Init} {
			got := b.get("/media/" + videoID + "/" + rel)
			require.Equal(t, http.StatusOK, got.Code, rel)
		}
	}
}

func TestStoryboardVTT(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := b.get(mediaURL(videoID, "storyboard.vtt", b.token))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "text/vtt; charset=utf-8", w.Header().Get("Content-Type"))
	require.Contains(t, w.Body.String(), "storyboard.jpg?token="+b.token+"#xywh=0,0,160,90")

	img := b.get(mediaURL(videoID, "storyboard.jpg", b.token))
	require.Equal(t, http.StatusOK, img.Code)
	require.Equal(t, "image/jpeg", img.Header().Get("Content-Type"))
	require.Equal(t, "JPEG-sprite", img.Body.String())
}

func TestRange(t *testing.T) {
	t.Parallel()
	b := setup(t)
	want := segmentBytes("v0", 1)
	w := b.get(mediaURL(videoID, "v0/seg_00001.m4s", b.token), "Range", "bytes=10-19")
	require.Equal(t, http.StatusPartialContent, w.Code)
	require.Equal(t, want[10:20], w.Body.String())
	require.Equal(t, fmt.Sprintf("bytes 10-19/%d", len(want)), w.Header().Get("Content-Range"))
	require.Contains(t, w.Header().Get("Access-Control-Expose-Headers"), "Content-Range")

	w = b.get(mediaURL(videoID, "v0/seg_00001.m4s", b.token), "Range", "bytes=99999-")
	require.Equal(t, http.StatusRequestedRangeNotSatisfiable, w.Code)
}

func TestConditional(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, rel := range []string{"v0/seg_00000.m4s", "master.m3u8", "manifest.mpd"} {
		u := mediaURL(videoID, rel, b.token)
		first := b.get(u)
		require.Equal(t, http.StatusOK, first.Code)
		etag := first.Header().Get("ETag")
		require.Regexp(t, `^"[0-9a-f]+"$`, etag)

		w := b.get(u, "If-None-Match", etag)
		require.Equal(t, http.StatusNotModified, w.Code, rel)
		require.Empty(t, w.Body.String())

		w = b.get(u, "If-None-Match", `"something-else"`)
		require.Equal(t, http.StatusOK, w.Code, rel)
	}
	// A manifest's ETag covers the rewritten bytes, so it differs per token.
	other := b.sign(t, videoID, auth.PurposePlay, b.now.Add(2*time.Hour))
	e1 := b.get(mediaURL(videoID, "master.m3u8", b.token)).Header().Get("ETag")
	e2 := b.get(mediaURL(videoID, "master.m3u8", other)).Header().Get("ETag")
	require.NotEqual(t, e1, e2)
}

func TestForbidden(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.token
	p, s, _ := strings.Cut(tok, ".")
	tamperedSig := p + "." + strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, s[:1]) + s[1:]
	tests := map[string]string{
		"missing":        "/media/" + videoID + "/master.m3u8",
		"empty":          "/media/" + videoID + "/master.m3u8?token=",
		"expired":        mediaURL(videoID, "master.m3u8", b.sign(t, videoID, auth.PurposePlay, b.now.Add(-time.Second))),
		"expires now":    mediaURL(videoID, "master.m3u8", b.sign(t, videoID, auth.PurposePlay, b.now)),
		"tampered sig":   mediaURL(videoID, "master.m3u8", tamperedSig),
		"tampered body":  mediaURL(videoID, "master.m3u8", "x"+tok[1:]),
		"other video":    mediaURL(videoID, "master.m3u8", b.sign(t, "other", auth.PurposePlay, b.now.Add(time.Hour))),
		"own token else": mediaURL("other", "master.m3u8", tok),
		"upload purpose": mediaURL(videoID, "master.m3u8", b.sign(t, videoID, auth.PurposeUpload, b.now.Add(time.Hour))),
		"two tokens":     mediaURL(videoID, "master.m3u8", tok) + "&token=" + tok,
		"garbage":        "/media/" + videoID + "/master.m3u8?token=garbage",
		"bad query":      "/media/" + videoID + "/master.m3u8?token=" + tok + "&%zz",
		"segment":        "/media/" + videoID + "/v0/seg_00000.m4s",
		"unknown key": mediaURL(videoID, "master.m3u8", func() string {
			k, err := auth.NewKeys(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize)))
			require.NoError(t, err)
			tok, err := k.Sign(auth.Claims{VideoID: videoID, Purpose: auth.PurposePlay, ExpiresAt: b.now.Add(time.Hour)})
			require.NoError(t, err)
			return tok
		}()),
	}
	for name, target := range tests {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			w := b.do(method, target)
			require.Equal(t, http.StatusForbidden, w.Code, name)
			requireCORS(t, w)
			require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
			require.Empty(t, w.Header().Get("ETag"))
			if method == http.MethodGet {
				require.Equal(t, "Forbidden\n", w.Body.String(), name)
			}
		}
	}
}

func TestPathSafety(t *testing.T) {
	t.Parallel()
	b := setup(t)
	q := "?token=" + b.token
	targets := []string{
		"/media/" + videoID + "/../../uploads/" + videoID + "/source.mp4",
		"/media/" + videoID + "/../x.m3u8",
		"/media/" + videoID + "/./master.m3u8",
		"/media/" + videoID + "//master.m3u8",
		"/media/" + videoID + "/%2e%2e/%2e%2e/uploads/" + videoID + "/source.mp4",
		"/media/" + videoID + "/%2E%2E/x.jpg",
		"/media/" + videoID + "/..%2f..%2fuploads%2f" + videoID + "%2fsource.mp4",
		"/media/" + videoID + "/v0%2fseg_00000.m4s",
		"/media/" + videoID + "%2fv0/seg_00000.m4s",
		"/media/" + videoID + "/v0%5cseg_00000.m4s",
		"/media/" + videoID + "/v0\\seg_00000.m4s",
		"/media/" + videoID + "/master.m3u8%00.jpg",
		"/media/" + videoID + "/%6daster.m3u8", // needless escape
		"/media/" + videoID + "/v0/.hidden.m4s",
		"/media/" + videoID + "/secret.txt",
		"/media/" + videoID + "/v0/x/seg_00000.m4s",
		"/media/" + videoID + "/",
		"/media/" + videoID,
		"/media/",
		"/media/../uploads/" + videoID + "/source.mp4",
		"/other/" + videoID + "/master.m3u8",
		"/media/" + videoID + "/" + strings.Repeat("a", 600) + ".jpg",
		"/media/" + videoID + "/missing.m4s",
		"/media/" + videoID + "/v9/index.m3u8",
	}
	for _, target := range targets {
		w := b.get(target + q)
		require.Contains(t, []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound}, w.Code, target)
		require.NotContains(t, w.Body.String(), secret, target)
		require.Less(t, w.Body.Len(), 40, target)
	}
}

// TestMountedOnServeMux checks the handler behind a real server and mux, the
// way cmd/kinema mounts it; the mux's own cleaning may redirect, but nothing
// may leak.
func TestMountedOnServeMux(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mux := http.NewServeMux()
	mux.Handle(PathPrefix, b.h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	get := func(target string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+target, nil)
		require.NoError(t, err)
		req.URL.Opaque = target[:strings.IndexByte(target+"?", '?')] // send the path byte for byte
		res, err := client.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, string(body)
	}
	code, body := get(mediaURL(videoID, "master.m3u8", b.token))
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "v0/index.m3u8?token=")

	q := "?token=" + b.token
	for _, target := range []string{
		"/media/" + videoID + "/../../uploads/" + videoID + "/source.mp4" + q,
		"/media/" + videoID + "/%2e%2e/%2e%2e/uploads/" + videoID + "/source.mp4" + q,
		"/media/" + videoID + "/..%2f..%2fuploads%2f" + videoID + "%2fsource.mp4" + q,
	} {
		code, body := get(target)
		require.NotEqual(t, http.StatusOK, code, target)
		require.NotContains(t, body, secret, target)
	}
}

func TestUnpublishedAndMissing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.mu.Lock()
	b.published[videoID] = false
	b.mu.Unlock()
	w := b.get(mediaURL(videoID, "master.m3u8", b.token))
	require.Equal(t, http.StatusNotFound, w.Code)
	// An invalid token still gets 403, not a hint that the video exists.
	w = b.get(mediaURL(videoID, "master.m3u8", "bad"))
	require.Equal(t, http.StatusForbidden, w.Code)

	b2 := setup(t)
	tok := b2.sign(t, "nothing-here", auth.PurposePlay, b2.now.Add(time.Hour))
	b2.published["nothing-here"] = true
	require.Equal(t, http.StatusNotFound, b2.get(mediaURL("nothing-here", "master.m3u8", tok)).Code)

	b3 := setup(t)
	b3.pubErr = errors.New("db down")
	w = b3.get(mediaURL(videoID, "master.m3u8", b3.token))
	require.Equal(t, http.StatusInternalServerError, w.Code)
	require.Equal(t, "Internal Server Error\n", w.Body.String())
}

func TestHead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// A long playlist: its Content-Length comes from the handler, a short
	// one's from net/http (serveManifestEntry), so through a real server.
	long := "#EXTM3U\n" + strings.Repeat("#EXTINF:4.000,\nseg_00000.m4s\n", 100)
	b.put(t, "media/"+videoID+"/v0/long.m3u8", long)
	srv := httptest.NewServer(b.h)
	defer srv.Close()
	for _, rel := range []string{"master.m3u8", "v0/long.m3u8", "v0/seg_00000.m4s", "poster.jpg"} {
		resp, err := http.Get(srv.URL + mediaURL(videoID, rel, b.token))
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, rel)
		require.Empty(t, resp.TransferEncoding, rel) // not chunked
		require.Equal(t, int64(len(body)), resp.ContentLength, rel)

		req, err := http.NewRequest(http.MethodHead, srv.URL+mediaURL(videoID, rel, b.token), nil)
		require.NoError(t, err)
		head, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		head.Body.Close()
		require.Equal(t, http.StatusOK, head.StatusCode, rel)
		require.Equal(t, resp.ContentLength, head.ContentLength, rel)
		require.Equal(t, resp.Header.Get("ETag"), head.Header.Get("ETag"), rel)
		require.Equal(t, "*", head.Header.Get("Access-Control-Allow-Origin"), rel)
	}
}

func TestOptionsAndMethods(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// Preflights carry no credentials, so no token is needed.
	w := b.do(http.MethodOptions, "/media/"+videoID+"/v0/seg_00000.m4s",
		"Origin", "https://player.example", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "range")
	require.Equal(t, http.StatusNoContent, w.Code)
	requireCORS(t, w)
	require.Equal(t, "GET, HEAD, OPTIONS", w.Header().Get("Access-Control-Allow-Methods"))
	require.Equal(t, "Range", w.Header().Get("Access-Control-Allow-Headers"))

	ok := b.get(mediaURL(videoID, "poster.jpg", b.token))
	require.Equal(t, http.StatusOK, ok.Code)
	expose := ok.Header().Get("Access-Control-Expose-Headers")
	for _, h := range []string{"Content-Length", "Content-Range", "ETag"} {
		require.Contains(t, expose, h)
	}

	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		w := b.do(m, mediaURL(videoID, "poster.jpg", b.token))
		require.Equal(t, http.StatusMethodNotAllowed, w.Code, m)
		require.Equal(t, "GET, HEAD, OPTIONS", w.Header().Get("Allow"))
	}
}

func TestManifestCacheFollowsTokenExpiry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.sign(t, videoID, auth.PurposePlay, b.now.Add(20*time.Second))
	w := b.get(mediaURL(videoID, "master.m3u8", tok))
	require.Equal(t, "private, max-age=20", w.Header().Get("Cache-Control"))
}

func TestManifestTooLarge(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.put(t, "media/"+videoID+"/master.m3u8", "#EXTM3U\n"+strings.Repeat("#", maxManifestSize))
	w := b.get(mediaURL(videoID, "master.m3u8", b.token))
	require.Equal(t, http.StatusInternalServerError, w.Code)
}

func TestBrokenMPD(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.put(t, "media/"+videoID+"/manifest.mpd", "<MPD><unclosed>")
	w := b.get(mediaURL(videoID, "manifest.mpd", b.token))
	require.Equal(t, http.StatusInternalServerError, w.Code)
	require.NotContains(t, w.Body.String(), "MPD")
}

func TestQuoteETag(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":        "",
		"abc":     `"abc"`,
		`"abc"`:   `"abc"`,
		`W/"abc"`: `W/"abc"`,
		`a"b`:     `"ab"`,
	} {
		require.Equal(t, want, quoteETag(in), in)
	}
}

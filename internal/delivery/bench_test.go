package delivery

import (
	"context"
	"crypto/ed25519"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/storage/local"
)

// The benchmarks serve from the local disk store, as `kinema serve` does,
// through a ResponseWriter that discards what it is given, so -benchmem
// counts the handler's own allocations. Profile with
//
//	go test -run '^$' -bench Serve -benchmem -cpuprofile /tmp/cpu.out ./internal/delivery
//
// (bench/nginx.sh measures the whole server against nginx.)

// benchPlaylist is a media playlist the size of a 20 s video's (5 segments).
const benchPlaylist = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n" +
	"#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"init.mp4\"\n" +
	"#EXTINF:4.000000,\nseg_00000.m4s\n#EXTINF:4.000000,\nseg_00001.m4s\n#EXTINF:4.000000,\nseg_00002.m4s\n" +
	"#EXTINF:4.000000,\nseg_00003.m4s\n#EXTINF:4.000000,\nseg_00004.m4s\n#EXT-X-ENDLIST\n"

// discardWriter is a reusable http.ResponseWriter that keeps only the status.
type discardWriter struct {
	hdr  http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.hdr }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

func (w *discardWriter) ReadFrom(r io.Reader) (int64, error) { return io.Copy(io.Discard, r) }

// FlushError is net/http's: serveObject flushes the headers before a file.
func (w *discardWriter) FlushError() error { return nil }

type benchEnv struct {
	h     *Handler
	token string
}

func newBenchEnv(b testing.TB) benchEnv {
	b.Helper()
	store, err := local.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	put := func(key, data string) {
		if _, err := store.Put(ctx, key, strings.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	put("media/"+videoID+"/v0/index.m3u8", benchPlaylist)
	put("media/"+videoID+"/v0/seg_00000.m4s", strings.Repeat("x", 64<<10))
	keys, err := auth.NewKeys(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	if err != nil {
		b.Fatal(err)
	}
	gate := func(context.Context, string) (Gate, error) { return Gate{Published: true}, nil }
	h := NewHandler(store, keys, gate, nil, nil)
	tok, err := keys.Sign(auth.Claims{VideoID: videoID, Purpose: auth.PurposePlay, ExpiresAt: time.Now().Add(time.Hour), IssuedAt: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	return benchEnv{h: h, token: tok}
}

// run serves target (with an optional cookie) b.N times and fails unless each
// answer is 200.
func (e benchEnv) run(b *testing.B, target string, cookie bool) {
	b.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if cookie {
		r.AddCookie(&http.Cookie{Name: CookieName, Value: e.token})
	}
	w := &discardWriter{hdr: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e.serve(b, w, r)
	}
}

func (e benchEnv) serve(t testing.TB, w *discardWriter, r *http.Request) {
	clear(w.hdr)
	w.code = 0
	e.h.ServeHTTP(w, r)
	if w.code != 0 && w.code != http.StatusOK {
		t.Fatalf("status %d", w.code)
	}
}

// TestServeAllocations bounds what the handler allocates for a signed
// segment and a signed playlist, the requests a player repeats, once the
// token, gate and manifest caches are warm (issue 19: allocations cost GC
// time under load). The bounds are today's counts; raise one only with a
// reason.
func TestServeAllocations(t *testing.T) {
	e := newBenchEnv(t)
	for _, c := range []struct {
		name, target string
		cookie       bool
		max          float64
	}{
		{"segment token", mediaURL(videoID, "v0/seg_00000.m4s", e.token), false, 12},
		{"segment cookie", "/media/" + videoID + "/v0/seg_00000.m4s", true, 15},
		{"playlist token", mediaURL(videoID, "v0/index.m3u8", e.token), false, 1},
		{"playlist cookie", "/media/" + videoID + "/v0/index.m3u8", true, 4},
	} {
		r := httptest.NewRequest(http.MethodGet, c.target, nil)
		if c.cookie {
			r.AddCookie(&http.Cookie{Name: CookieName, Value: e.token})
		}
		w := &discardWriter{hdr: http.Header{}}
		e.serve(t, w, r) // warm the caches
		got := testing.AllocsPerRun(200, func() { e.serve(t, w, r) })
		t.Logf("%s: %.0f allocations", c.name, got)
		if got > c.max {
			t.Errorf("%s: %.0f allocations per request, want <= %.0f", c.name, got, c.max)
		}
	}
}

func BenchmarkServeSegment(b *testing.B) {
	e := newBenchEnv(b)
	b.Run("token", func(b *testing.B) { e.run(b, mediaURL(videoID, "v0/seg_00000.m4s", e.token), false) })
	b.Run("cookie", func(b *testing.B) { e.run(b, "/media/"+videoID+"/v0/seg_00000.m4s", true) })
}

func BenchmarkServePlaylist(b *testing.B) {
	e := newBenchEnv(b)
	b.Run("token", func(b *testing.B) { e.run(b, mediaURL(videoID, "v0/index.m3u8", e.token), false) })
	b.Run("cookie", func(b *testing.B) { e.run(b, "/media/"+videoID+"/v0/index.m3u8", true) })
}

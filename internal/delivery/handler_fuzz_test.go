package delivery

import (
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/auth"
)

// fuzzClient is the address every fuzzed request comes from.
const fuzzClient = "192.0.2.7"

// credential is one token the fuzz bundle signed and what it grants: a
// video id or a path prefix.
type credential struct {
	video, prefix string
}

func (c credential) grants(id, path string) bool {
	if c.prefix != "" {
		return strings.HasPrefix(path, c.prefix)
	}
	return c.video == id
}

// FuzzMediaRequest sends requests with arbitrary paths, queries and Cookie
// headers to the real handler. Whatever it serves must carry, in the query
// or a playback cookie, a token signed here that grants that path (nothing
// unsigned, expired, for another video or another purpose gets through),
// it never answers 500 for bad input, and an HLS playlist served for a query
// token carries the token on every child URL.
func FuzzMediaRequest(f *testing.F) {
	// setup's keys (an all-zero seed) and clock, so the tokens signed here
	// are the ones the bundle's handler trusts.
	keys, err := auth.NewKeys(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	exp := now.Add(time.Hour)
	sign := func(c auth.Claims) string {
		tok, err := keys.Sign(c)
		if err != nil {
			f.Fatal(err)
		}
		return tok
	}
	token := sign(auth.Claims{VideoID: videoID, Purpose: auth.PurposePlay, ExpiresAt: exp})
	valid := map[string]credential{ // token -> grant, for the tokens that work
		token: {video: videoID},
		sign(auth.Claims{VideoID: videoID, Purpose: auth.PurposePlay, ExpiresAt: exp, ClientIP: netip.MustParseAddr(fuzzClient)}): {video: videoID},
		sign(auth.Claims{PathPrefix: "/media/other/", Purpose: auth.PurposePlay, ExpiresAt: exp}):                                 {prefix: "/media/other/"},
	}
	cookie, err := PlaybackCookie("http://kinema.test", keys, CookieGrant{VideoID: "other"}, time.Hour, now)
	if err != nil {
		f.Fatal(err)
	}
	valid[cookie.Value] = credential{video: "other"}
	for tok := range valid {
		f.Add("/media/"+videoID+"/master.m3u8", "token="+tok, "")
		f.Add("/media/other/v0/index.m3u8", "", CookieName+"="+tok+"; other=1")
	}
	// Genuine tokens that must not work: expired, upload purpose, bound to
	// another address.
	for _, tok := range []string{
		sign(auth.Claims{VideoID: videoID, Purpose: auth.PurposePlay, ExpiresAt: now}),
		sign(auth.Claims{VideoID: videoID, Purpose: auth.PurposeUpload, ExpiresAt: exp}),
		sign(auth.Claims{VideoID: videoID, Purpose: auth.PurposePlay, ExpiresAt: exp, ClientIP: netip.MustParseAddr("192.0.2.8")}),
	} {
		f.Add("/media/"+videoID+"/v0/seg_00000.m4s", "token="+url.QueryEscape(tok), CookieName+"="+token)
	}
	f.Add("/media/"+videoID+"/manifest.mpd", "token="+token+"&token="+token, "")
	f.Add("/media/"+videoID+"/../other/master.m3u8", "a=1;token="+token, "")
	f.Add("/media/other%2Fmaster.m3u8", "", CookieName+"=x; "+CookieName+"=y")

	// The bundle needs a *testing.T: build it for the first input and share
	// it (the handler is safe for concurrent use; the clock never moves).
	var (
		once sync.Once
		b    *bundle
	)
	f.Fuzz(func(t *testing.T, path, rawQuery, cookieHeader string) {
		once.Do(func() {
			b = setup(t)
			if w := b.get(mediaURL(videoID, "master.m3u8", token)); w.Code != http.StatusOK {
				t.Fatalf("the seed token is refused (%d): the property would be vacuous", w.Code)
			}
		})
		u, err := url.ParseRequestURI(path)
		if err != nil || u.RawQuery != "" || u.Fragment != "" {
			return
		}
		u.RawQuery = rawQuery
		r := httptest.NewRequest(http.MethodGet, "http://kinema.test/", nil)
		r.URL, r.RequestURI = u, u.RequestURI()
		r.RemoteAddr = fuzzClient + ":4711"
		if cookieHeader != "" {
			r.Header.Set("Cookie", cookieHeader)
		}
		w := httptest.NewRecorder()
		b.h.ServeHTTP(w, r)

		if w.Code >= 500 {
			t.Fatalf("%d for %q ? %q cookie %q", w.Code, path, rawQuery, cookieHeader)
		}
		if w.Code >= 300 {
			return
		}
		id, _, ok := parseMediaPath(u)
		if !ok {
			t.Fatalf("served %d for a path the parser rejects: %q", w.Code, u.Path)
		}
		// Which of the request's credentials grant it?
		var presented []string
		q, qerr := url.ParseQuery(rawQuery)
		if qerr == nil {
			presented = append(presented, q["token"]...)
		}
		if tok, ok := strings.CutPrefix(rawQuery, "token="); ok {
			presented = append(presented, tok)
		}
		for _, c := range r.CookiesNamed(CookieName) {
			presented = append(presented, c.Value)
		}
		granted := false
		for _, tok := range presented {
			if c, ok := valid[tok]; ok && c.grants(id, u.Path) {
				granted = true
			}
		}
		if !granted {
			t.Fatalf("served %d without a granting credential: %q ? %q cookie %q", w.Code, path, rawQuery, cookieHeader)
		}
		byQuery := strings.HasPrefix(rawQuery, "token=") || qerr == nil && len(q["token"]) > 0
		if strings.HasSuffix(u.Path, ".m3u8") && byQuery {
			for _, child := range hlsChildren(w.Body.String()) {
				if !strings.Contains(child, "token=") {
					t.Fatalf("playlist child %q served without the token", child)
				}
			}
		}
	})
}

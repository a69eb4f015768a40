package cloudfront

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/media"
	"github.com/stretchr/testify/require"
)

const (
	domain = "d111111abcdef8.cloudfront.net"
	kpid   = "K2JCJMDEHXQW5F"
)

// RSA key generation takes a while; share two keys across the package's
// tests (they are never mutated).
var testKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
	var out [2]*rsa.PrivateKey
	for i := range out {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		out[i] = k
	}
	return out
})

type bundle struct {
	s   *Signer
	v   *Verifier
	key *rsa.PrivateKey
	now time.Time
}

func setup(t *testing.T) *bundle {
	t.Helper()
	k := testKeys()
	s, err := NewSignerKey(Config{KeyPairID: kpid, Domain: domain}, k[0])
	require.NoError(t, err)
	// The second key is trusted too, under another id, as in a key group
	// mid-rotation.
	v := NewVerifier(map[string]*rsa.PublicKey{kpid: &k[0].PublicKey, "KOTHER": &k[1].PublicKey})
	return &bundle{s: s, v: v, key: k[0], now: time.Unix(1_700_000_000, 0)}
}

func setParam(t *testing.T, raw, key, val string) string {
	t.Helper()
	base, q, _ := strings.Cut(raw, "?")
	parts := strings.Split(q, "&")
	for i, kv := range parts {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			parts[i] = key + "=" + val
		}
	}
	return base + "?" + strings.Join(parts, "&")
}

func param(t *testing.T, raw, key string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Query().Get(key)
}

func flip(s string) string {
	b := []byte(s)
	if b[10] == 'A' {
		b[10] = 'B'
	} else {
		b[10] = 'A'
	}
	return string(b)
}

func TestCannedURL(t *testing.T) {
	t.Parallel()
	b := setup(t)
	resource := "https://" + domain + "/media/v1/master.m3u8"
	exp := b.now.Add(time.Hour)
	signed, err := b.s.SignURL(resource, exp)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(signed, resource+"?Expires=1700003600&Signature="), signed)
	require.True(t, strings.HasSuffix(signed, "&Key-Pair-Id="+kpid), signed)
	require.NoError(t, b.v.VerifyURL(signed, netip.Addr{}, b.now))

	// Cross-check against the documented format, without the SDK: the
	// canned policy rebuilt here, signed with PKCS#1 v1.5 (deterministic),
	// must give the SDK's signature byte for byte.
	policy := `{"Statement":[{"Resource":"` + resource + `","Condition":{"DateLessThan":{"AWS:EpochTime":1700003600}}}]}`
	sum := sha1.Sum([]byte(policy))
	sig, err := rsa.SignPKCS1v15(nil, b.key, crypto.SHA1, sum[:])
	require.NoError(t, err)
	require.Equal(t, encode(sig), param(t, signed, "Signature"))

	withQuery, err := b.s.SignURL(resource+"?lang=en", exp)
	require.NoError(t, err)
	require.NoError(t, b.v.VerifyURL(withQuery, netip.Addr{}, b.now), "other parameters are part of the resource")

	refused := map[string]string{
		"other video":        strings.Replace(signed, "/v1/", "/v2/", 1),
		"other file":         strings.Replace(signed, "master.m3u8", "v0/index.m3u8", 1),
		"later expiry":       setParam(t, signed, "Expires", "1700007200"),
		"padded expiry":      setParam(t, signed, "Expires", "01700003600"),
		"tampered sig":       setParam(t, signed, "Signature", flip(param(t, signed, "Signature"))),
		"plain base64 sig":   setParam(t, signed, "Signature", strings.NewReplacer("-", "+", "~", "/").Replace(param(t, signed, "Signature"))),
		"unknown key":        setParam(t, signed, "Key-Pair-Id", "KNOPE"),
		"other trusted key":  setParam(t, signed, "Key-Pair-Id", "KOTHER"),
		"extra param":        signed + "&x=1",
		"dropped param":      strings.Replace(withQuery, "lang=en&", "", 1),
		"no signature":       strings.Replace(signed, "&Signature=", "&Sig=", 1),
		"two signatures":     signed + "&Signature=" + param(t, signed, "Signature"),
		"expires and policy": signed + "&Policy=e30_",
		"http scheme":        strings.Replace(signed, "https://", "http://", 1),
		"other host":         strings.Replace(signed, domain, "evil.example", 1),
		"garbage":            "::::",
	}
	for name, u := range refused {
		require.ErrorIs(t, b.v.VerifyURL(u, netip.Addr{}, b.now), ErrInvalid, name)
	}
	require.ErrorIs(t, b.v.VerifyURL(signed, netip.Addr{}, exp), ErrExpired)
	require.ErrorIs(t, b.v.VerifyURL(signed, netip.Addr{}, exp.Add(time.Hour)), ErrExpired)
}

func TestPlaybackURLsCustomPolicy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pb, err := b.s.PlaybackURLs("vid_1", media.KindVideo, time.Hour+400*time.Millisecond, b.now)
	require.NoError(t, err)
	require.Equal(t, b.now.Add(time.Hour).UTC(), pb.ExpiresAt)
	for name, raw := range map[string]string{"hls": pb.HLS, "dash": pb.DASH, "poster": pb.Poster, "storyboard": pb.Storyboard} {
		require.True(t, strings.HasPrefix(raw, "https://"+domain+"/media/vid_1/"), raw)
		require.NotEmpty(t, param(t, raw, "Policy"), name)
		require.NoError(t, b.v.VerifyURL(raw, netip.Addr{}, b.now), name)
	}
	policy, err := decode(param(t, pb.HLS, "Policy"))
	require.NoError(t, err)
	require.Equal(t, `{"Statement":[{"Resource":"https://`+domain+`/media/vid_1/*","Condition":{"DateLessThan":{"AWS:EpochTime":1700003600}}}]}`, string(policy))

	// The wildcard makes the same query valid on child URLs of this video
	// only.
	q := "?" + strings.SplitN(pb.HLS, "?", 2)[1]
	require.NoError(t, b.v.VerifyURL("https://"+domain+"/media/vid_1/v0/seg_00003.m4s"+q, netip.Addr{}, b.now))
	for name, u := range map[string]string{
		"other video":     "https://" + domain + "/media/vid_2/master.m3u8" + q,
		"id prefix":       "https://" + domain + "/media/vid_1x/master.m3u8" + q,
		"outside media":   "https://" + domain + "/uploads/vid_1/source.mp4" + q,
		"other host":      "https://evil.example/media/vid_1/master.m3u8" + q,
		"tampered policy": setParam(t, pb.HLS, "Policy", encode([]byte(strings.Replace(string(policy), "/media/vid_1/*", "/media/*", 1)))),
	} {
		require.ErrorIs(t, b.v.VerifyURL(u, netip.Addr{}, b.now), ErrInvalid, name)
	}
	require.ErrorIs(t, b.v.VerifyURL(pb.HLS, netip.Addr{}, b.now.Add(time.Hour)), ErrExpired)

	audio, err := b.s.PlaybackURLs("vid_1", media.KindAudio, time.Minute, b.now)
	require.NoError(t, err)
	require.Empty(t, audio.Poster)
	_, err = b.s.PlaybackURLs("../x", media.KindVideo, time.Minute, b.now)
	require.Error(t, err)
	_, err = b.s.PlaybackURLs("vid*", media.KindVideo, time.Minute, b.now)
	require.Error(t, err, "an id must not widen the wildcard")
	_, err = b.s.PlaybackURLs("vid_1", media.KindVideo, 0, b.now)
	require.Error(t, err)
}

func TestCannedPlaybackURLs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pb, err := b.s.CannedPlaybackURLs("vid_1", media.KindVideo, time.Hour, b.now)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(pb.HLS, "https://"+domain+"/media/vid_1/master.m3u8?Expires=1700003600&Signature="), pb.HLS)
	for _, raw := range []string{pb.HLS, pb.DASH, pb.Poster, pb.Storyboard} {
		require.NoError(t, b.v.VerifyURL(raw, netip.Addr{}, b.now), raw)
	}
	// A canned signature is for one object only.
	q := "?" + strings.SplitN(pb.HLS, "?", 2)[1]
	require.ErrorIs(t, b.v.VerifyURL("https://"+domain+"/media/vid_1/v0/index.m3u8"+q, netip.Addr{}, b.now), ErrInvalid)
}

func TestCustomPolicyConditions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res := "https://" + domain + "/media/v1/master.m3u8"
	signed, err := b.s.SignURLPolicy(res, Policy{
		Resource: "https://" + domain + "/media/v?/*", Expires: b.now.Add(time.Hour),
		NotBefore: b.now.Add(-time.Minute), SourceIP: netip.MustParsePrefix("203.0.113.0/24"),
	})
	require.NoError(t, err)
	in := netip.MustParseAddr("203.0.113.9")
	require.NoError(t, b.v.VerifyURL(signed, in, b.now))
	require.NoError(t, b.v.VerifyURL(signed, netip.MustParseAddr("::ffff:203.0.113.9"), b.now))
	require.ErrorIs(t, b.v.VerifyURL(signed, netip.MustParseAddr("198.51.100.1"), b.now), ErrInvalid, "outside the source range")
	require.ErrorIs(t, b.v.VerifyURL(signed, netip.Addr{}, b.now), ErrInvalid, "unknown client")
	require.ErrorIs(t, b.v.VerifyURL(signed, in, b.now.Add(-2*time.Minute)), ErrInvalid, "not yet valid")
	require.ErrorIs(t, b.v.VerifyURL(signed, in, b.now.Add(time.Hour)), ErrExpired)
	require.ErrorIs(t, b.v.VerifyURL(strings.Replace(signed, "/v1/", "/v10/", 1), in, b.now), ErrInvalid, "? is one character")

	_, err = b.s.SignURLPolicy(res, Policy{Resource: res})
	require.Error(t, err, "no expiry")
}

// TestForgedPolicies signs policies the SDK would not produce with the
// trusted key, as a leaked or careless signer might, and checks the verifier
// still refuses what it cannot enforce.
func TestForgedPolicies(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res := "https://" + domain + "/media/v1/master.m3u8"
	forge := func(policy string) string {
		sum := sha1.Sum([]byte(policy))
		sig, err := rsa.SignPKCS1v15(nil, b.key, crypto.SHA1, sum[:])
		require.NoError(t, err)
		return res + "?Policy=" + encode([]byte(policy)) + "&Signature=" + encode(sig) + "&Key-Pair-Id=" + kpid
	}
	good := `{"Statement":[{"Resource":"` + res + `","Condition":{"DateLessThan":{"AWS:EpochTime":1700003600}}}]}`
	require.NoError(t, b.v.VerifyURL(forge(good), netip.Addr{}, b.now))
	for name, p := range map[string]string{
		"no expiry":         `{"Statement":[{"Resource":"` + res + `","Condition":{}}]}`,
		"no resource":       `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1700003600}}}]}`,
		"two statements":    `{"Statement":[` + good[len(`{"Statement":[`):len(good)-2] + `,` + good[len(`{"Statement":[`):len(good)-2] + `]}`,
		"unknown condition": `{"Statement":[{"Resource":"` + res + `","Condition":{"DateLessThan":{"AWS:EpochTime":1700003600},"Referer":"x"}}]}`,
		"trailing data":     good + `{}`,
		"bad source ip":     `{"Statement":[{"Resource":"` + res + `","Condition":{"DateLessThan":{"AWS:EpochTime":1700003600},"IpAddress":{"AWS:SourceIp":"nope"}}}]}`,
		"not json":          `Statement`,
	} {
		require.ErrorIs(t, b.v.VerifyURL(forge(p), netip.MustParseAddr("203.0.113.1"), b.now), ErrInvalid, name)
	}
}

func TestPlaybackCookies(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cookies, err := b.s.PlaybackCookies("vid_1", time.Hour, b.now)
	require.NoError(t, err)
	names := map[string]*http.Cookie{}
	for _, c := range cookies {
		names[c.Name] = c
		require.Equal(t, "/media/vid_1/", c.Path)
		require.True(t, c.Secure)
		require.True(t, c.HttpOnly)
		require.Equal(t, http.SameSiteLaxMode, c.SameSite)
		require.Equal(t, b.now.Add(time.Hour).UTC(), c.Expires)
		require.NoError(t, c.Valid())
	}
	require.Contains(t, names, "CloudFront-Policy")
	require.Contains(t, names, "CloudFront-Signature")
	require.Equal(t, kpid, names["CloudFront-Key-Pair-Id"].Value)

	base := "https://" + domain + "/media/vid_1/"
	for _, rel := range []string{"master.m3u8", "v0/index.m3u8", "v0/seg_00000.m4s", "storyboard.jpg"} {
		require.NoError(t, b.v.VerifyCookies(base+rel, cookies, netip.Addr{}, b.now), rel)
	}
	require.ErrorIs(t, b.v.VerifyCookies(base+"master.m3u8", cookies, netip.Addr{}, b.now.Add(time.Hour)), ErrExpired)

	without := func(name string) []*http.Cookie {
		var out []*http.Cookie
		for _, c := range cookies {
			if c.Name != name {
				out = append(out, c)
			}
		}
		return out
	}
	replace := func(name, val string) []*http.Cookie {
		return append(without(name), &http.Cookie{Name: name, Value: val})
	}
	policy, err := decode(names["CloudFront-Policy"].Value)
	require.NoError(t, err)
	wider := encode([]byte(strings.Replace(string(policy), "/media/vid_1/*", "/*", 1)))
	refused := map[string]struct {
		url     string
		cookies []*http.Cookie
	}{
		"other video":      {"https://" + domain + "/media/vid_2/master.m3u8", cookies},
		"other host":       {"https://evil.example/media/vid_1/master.m3u8", cookies},
		"widened policy":   {"https://" + domain + "/media/vid_2/master.m3u8", replace("CloudFront-Policy", wider)},
		"tampered sig":     {base + "master.m3u8", replace("CloudFront-Signature", flip(names["CloudFront-Signature"].Value))},
		"no signature":     {base + "master.m3u8", without("CloudFront-Signature")},
		"no key id":        {base + "master.m3u8", without("CloudFront-Key-Pair-Id")},
		"no policy":        {base + "master.m3u8", without("CloudFront-Policy")},
		"unknown key":      {base + "master.m3u8", replace("CloudFront-Key-Pair-Id", "KNOPE")},
		"duplicate policy": {base + "master.m3u8", append(cookies, names["CloudFront-Policy"])},
		"no cookies":       {base + "master.m3u8", nil},
	}
	for name, tc := range refused {
		require.ErrorIs(t, b.v.VerifyCookies(tc.url, tc.cookies, netip.Addr{}, b.now), ErrInvalid, name)
	}
}

func TestCannedCookies(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res := "https://" + domain + "/media/v1/poster.jpg"
	exp := b.now.Add(time.Minute)
	cookies, err := b.s.SignCannedCookies(res, "/media/v1/", exp)
	require.NoError(t, err)
	require.NoError(t, b.v.VerifyCookies(res, cookies, netip.Addr{}, b.now))
	require.ErrorIs(t, b.v.VerifyCookies("https://"+domain+"/media/v1/master.m3u8", cookies, netip.Addr{}, b.now), ErrInvalid)

	// The documented canned-cookie form (CloudFront-Expires) verifies too.
	var sig string
	for _, c := range cookies {
		if c.Name == "CloudFront-Signature" {
			sig = c.Value
		}
	}
	canned := []*http.Cookie{
		{Name: "CloudFront-Expires", Value: "1700000060"},
		{Name: "CloudFront-Signature", Value: sig},
		{Name: "CloudFront-Key-Pair-Id", Value: kpid},
	}
	require.NoError(t, b.v.VerifyCookies(res, canned, netip.Addr{}, b.now))
	canned[0].Value = "1700000061"
	require.ErrorIs(t, b.v.VerifyCookies(res, canned, netip.Addr{}, b.now), ErrInvalid)
}

func TestCrossSiteCookies(t *testing.T) {
	t.Parallel()
	s, err := NewSignerKey(Config{KeyPairID: kpid, Domain: "cdn.example.com", CookieDomain: "example.com", CrossSite: true}, testKeys()[0])
	require.NoError(t, err)
	cookies, err := s.PlaybackCookies("v1", time.Minute, time.Unix(1_700_000_000, 0))
	require.NoError(t, err)
	for _, c := range cookies {
		require.Equal(t, http.SameSiteNoneMode, c.SameSite)
		require.Equal(t, "example.com", c.Domain)
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"a", "a", true}, {"a", "b", false}, {"*", "", true}, {"*", "anything", true},
		{"a*c", "abbbc", true}, {"a*c", "abbbd", false}, {"a?c", "abc", true}, {"a?c", "ac", false},
		{"https://h/m/v1/*", "https://h/m/v1/x/y.m4s", true}, {"https://h/m/v1/*", "https://h/m/v10/x", false},
		{"http*://h/*", "http://h/x", true}, {"http*://h/*", "https://h/x", true},
		{"*a*a*a*a*a*a*b", strings.Repeat("a", 5000), false},
		{"", "", true}, {"", "a", false}, {"a", "", false},
	} {
		require.Equal(t, tc.want, match(tc.pattern, tc.s), "%q ~ %q", tc.pattern, tc.s)
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "ab+c", "ab/c", "ab=c", "a", strings.Repeat("A", maxEncodedLen+4)} {
		_, err := decode(bad)
		require.Error(t, err, bad)
	}
	for _, in := range [][]byte{{0xfb, 0xff}, {0xfe}, []byte("hello")} {
		out, err := decode(encode(in))
		require.NoError(t, err)
		require.Equal(t, in, out)
	}
}

func TestNewSigner(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key := testKeys()[0]
	pkcs1 := filepath.Join(dir, "pkcs1.pem")
	require.NoError(t, os.WriteFile(pkcs1, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600))
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	pkcs8 := filepath.Join(dir, "pkcs8.pem")
	require.NoError(t, os.WriteFile(pkcs8, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	junk := filepath.Join(dir, "junk.pem")
	require.NoError(t, os.WriteFile(junk, []byte("junk"), 0o600))

	v := NewVerifier(map[string]*rsa.PublicKey{kpid: &key.PublicKey})
	for _, p := range []string{pkcs1, pkcs8} {
		s, err := NewSigner(Config{KeyPairID: kpid, PrivateKeyPEM: p, Domain: domain})
		require.NoError(t, err, p)
		u, err := s.SignURL(s.URL("/media/v/master.m3u8"), time.Unix(1_700_000_060, 0))
		require.NoError(t, err)
		require.NoError(t, v.VerifyURL(u, netip.Addr{}, time.Unix(1_700_000_000, 0)))
	}
	for name, cfg := range map[string]Config{
		"junk key":    {KeyPairID: kpid, PrivateKeyPEM: junk, Domain: domain},
		"missing key": {KeyPairID: kpid, PrivateKeyPEM: filepath.Join(dir, "nope"), Domain: domain},
		"no key id":   {PrivateKeyPEM: pkcs1, Domain: domain},
		"no key path": {KeyPairID: kpid, Domain: domain},
		"url domain":  {KeyPairID: kpid, PrivateKeyPEM: pkcs1, Domain: "https://" + domain},
		"no domain":   {KeyPairID: kpid, PrivateKeyPEM: pkcs1},
	} {
		_, err := NewSigner(cfg)
		require.Error(t, err, name)
	}
	_, err = NewSignerKey(Config{KeyPairID: kpid, Domain: domain}, nil)
	require.Error(t, err)
}

// TestPlaybackBoundToClient: bound URLs and cookies carry a SourceIp of
// exactly the viewer's IPv4 address, and verify only from it; IPv6 viewers
// are not bound (CloudFront's IpAddress condition is IPv4-only in practice).
func TestPlaybackBoundToClient(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, tc := range []struct{ viewer, other string }{
		{"203.0.113.7", "203.0.113.8"},
		{"::ffff:203.0.113.7", "198.51.100.7"}, // mapped IPv4 binds the IPv4 address
	} {
		viewer := netip.MustParseAddr(tc.viewer)
		other := netip.MustParseAddr(tc.other)
		pb, err := b.s.PlaybackURLsBound("vid_1", media.KindVideo, viewer, time.Hour, b.now)
		require.NoError(t, err)
		require.NoError(t, b.v.VerifyURL(pb.HLS, viewer.Unmap(), b.now), tc.viewer)
		require.ErrorIs(t, b.v.VerifyURL(pb.HLS, other, b.now), ErrInvalid, tc.viewer)
		require.ErrorIs(t, b.v.VerifyURL(pb.HLS, netip.Addr{}, b.now), ErrInvalid, "an unknown address never matches")

		cookies, err := b.s.PlaybackCookiesBound("vid_1", viewer, time.Hour, b.now)
		require.NoError(t, err)
		seg := "https://" + domain + "/media/vid_1/v0/seg_00000.m4s"
		require.NoError(t, b.v.VerifyCookies(seg, cookies, viewer.Unmap(), b.now), tc.viewer)
		require.ErrorIs(t, b.v.VerifyCookies(seg, cookies, other, b.now), ErrInvalid, tc.viewer)
	}
	// Unbound URLs, and those for IPv6 viewers, play from anywhere.
	pb, err := b.s.PlaybackURLs("vid_1", media.KindVideo, time.Hour, b.now)
	require.NoError(t, err)
	require.NoError(t, b.v.VerifyURL(pb.HLS, netip.MustParseAddr("198.51.100.9"), b.now))
	pb, err = b.s.PlaybackURLsBound("vid_1", media.KindVideo, netip.MustParseAddr("2001:db8::7"), time.Hour, b.now)
	require.NoError(t, err)
	require.NoError(t, b.v.VerifyURL(pb.HLS, netip.MustParseAddr("198.51.100.9"), b.now))
}

package auth

import (
	"crypto/ed25519"
	"errors"
	"net/netip"
	"testing"
	"time"
)

// fuzzKeys signs with seed 1 and also trusts seed 2's public key, as
// during a key rotation.
func fuzzKeys(f *testing.F) *Keys {
	seed := func(b byte) ed25519.PrivateKey {
		s := make([]byte, ed25519.SeedSize)
		for i := range s {
			s[i] = b
		}
		return ed25519.NewKeyFromSeed(s)
	}
	k, err := NewKeys(seed(1), seed(2).Public().(ed25519.PublicKey))
	if err != nil {
		f.Fatal(err)
	}
	return k
}

// fuzzNow is the clock of the token targets; seeds expire an hour later.
var fuzzNow = time.Unix(1_700_000_000, 0)

// FuzzVerifyToken feeds arbitrary strings to Verify. A token that verifies
// must be exactly what Sign writes for the claims Verify returned: it was
// signed by us (the fuzzer cannot forge Ed25519) and has one encoding, so
// two spellings of one grant cannot exist.
func FuzzVerifyToken(f *testing.F) {
	keys := fuzzKeys(f)
	exp := fuzzNow.Add(time.Hour)
	for _, c := range []Claims{
		{VideoID: "vid_1-A", Purpose: PurposePlay, ExpiresAt: exp},
		{VideoID: "x", Purpose: PurposeUpload, ExpiresAt: exp},
		{PathPrefix: "/media/", Purpose: PurposePlay, ExpiresAt: exp},
		{VideoID: "v", Purpose: PurposePlay, ExpiresAt: exp, ClientIP: netip.MustParseAddr("2001:db8::1")},
		{VideoID: "v", Purpose: PurposePlay, ExpiresAt: exp, ClientIP: netip.MustParseAddr("192.0.2.7"),
			IssuedAt: fuzzNow.Add(-time.Microsecond), UserID: "usr_0123456789abcdef"},
		{VideoID: "old", Purpose: PurposePlay, ExpiresAt: fuzzNow}, // expired at fuzzNow
	} {
		tok, err := keys.Sign(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
	}
	f.Add("e30.AAAA")
	f.Add("eyJrIjoiIiwidiI6IngiLCJwIjoicGxheSIsImUiOjk5OTk5OTk5OTl9.")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		for _, purpose := range []string{PurposePlay, PurposeUpload} {
			c, err := keys.Verify(token, purpose, fuzzNow)
			if err != nil {
				if !errors.Is(err, ErrTokenInvalid) && !errors.Is(err, ErrTokenExpired) {
					t.Fatalf("Verify returned an unexpected error: %v", err)
				}
				continue
			}
			if c.Purpose != purpose || (c.VideoID == "") == (c.PathPrefix == "") || !c.ExpiresAt.After(fuzzNow) {
				t.Fatalf("verified claims grant nothing coherent: %+v", c)
			}
			again, err := keys.Sign(c)
			if err != nil {
				t.Fatalf("verified claims %+v cannot be signed again: %v", c, err)
			}
			if again != token {
				t.Fatalf("a token verified that Sign would not write:\n got  %q\n sign %q", token, again)
			}
		}
	})
}

// FuzzSignVerify signs arbitrary claims. Whatever Sign accepts must verify
// as the same claims (so Sign never writes a token longer than Verify
// reads), and changing any one character must make it invalid.
func FuzzSignVerify(f *testing.F) {
	keys := fuzzKeys(f)
	f.Add("vid_1", "", "", "", int64(3600), int64(0), true, 0)
	f.Add("", "/media/abc/", "usr_0123456789abcdef", "::ffff:10.0.0.1", int64(60), int64(5), true, 17)
	f.Add("x", "", "", "2001:db8::1", int64(1), int64(-1), false, 300)
	f.Add("01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901",
		"", "0123456789012345678901234567890123456789", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", int64(1<<40), int64(1<<40), true, 511)
	f.Fuzz(func(t *testing.T, video, prefix, user, ip string, ttl, issuedAgo int64, play bool, flipAt int) {
		c := Claims{VideoID: video, PathPrefix: prefix, UserID: user, Purpose: PurposeUpload,
			ExpiresAt: fuzzNow.Add(time.Duration(ttl) * time.Second)}
		if play {
			c.Purpose = PurposePlay
		}
		if issuedAgo != 0 {
			c.IssuedAt = fuzzNow.Add(-time.Duration(issuedAgo) * time.Microsecond)
		}
		if a, err := netip.ParseAddr(ip); err == nil {
			c.ClientIP = a
		}
		tok, err := keys.Sign(c)
		if err != nil {
			return
		}
		got, err := keys.Verify(tok, c.Purpose, fuzzNow)
		if c.ExpiresAt.Unix() <= fuzzNow.Unix() {
			if !errors.Is(err, ErrTokenExpired) {
				t.Fatalf("expired token: got %v, want ErrTokenExpired", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("a token Sign wrote (%d bytes) does not verify: %v", len(tok), err)
		}
		want := c
		want.KeyID = keys.KeyID()
		want.ExpiresAt = time.Unix(c.ExpiresAt.Unix(), 0).UTC()
		want.ClientIP = c.ClientIP.Unmap()
		if !c.IssuedAt.IsZero() {
			want.IssuedAt = time.UnixMicro(c.IssuedAt.UnixMicro()).UTC()
		}
		if got != want {
			t.Fatalf("round trip changed the claims:\n got  %+v\n want %+v", got, want)
		}
		b := []byte(tok)
		i := uint(flipAt) % uint(len(b))
		b[i] ^= 1 // stays in the token alphabet or leaves it; either way not our token
		if _, err := keys.Verify(string(b), c.Purpose, fuzzNow); err == nil {
			t.Fatalf("token with byte %d changed still verifies", i)
		}
	})
}

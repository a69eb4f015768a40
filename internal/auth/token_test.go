package auth

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testKeys returns deterministic keys so failures are reproducible.
func testKeys(t *testing.T, seed byte) *Keys {
	t.Helper()
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	k, err := NewKeys(ed25519.NewKeyFromSeed(s))
	require.NoError(t, err)
	return k
}

// forge builds a token from raw parts, signing the payload with signer when
// it is not nil.
func forge(t *testing.T, signer *Keys, payload string) string {
	t.Helper()
	p := b64.EncodeToString([]byte(payload))
	if signer == nil {
		return p + "." + b64.EncodeToString(make([]byte, ed25519.SignatureSize))
	}
	return p + "." + b64.EncodeToString(ed25519.Sign(signer.signer, []byte(p)))
}

func TestVerify(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 1)
	other := testKeys(t, 2)
	now := time.Unix(1_700_000_000, 0)
	exp := now.Add(time.Hour)

	sign := func(k *Keys, video, purpose string, exp time.Time) string {
		tok, err := k.Sign(Claims{VideoID: video, Purpose: purpose, ExpiresAt: exp})
		require.NoError(t, err)
		return tok
	}
	good := sign(keys, "vid_1-A", PurposePlay, exp)
	p, s, _ := strings.Cut(good, ".")

	// A payload naming video "other" but carrying good's signature.
	otherPayload, err := json.Marshal(wireClaims{K: keys.kid, V: "other", P: PurposePlay, E: exp.Unix()})
	require.NoError(t, err)
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}

	tests := []struct {
		name    string
		token   string
		purpose string
		at      time.Time
		want    error
		video   string // expected VideoID on success
	}{
		{name: "valid", token: good, purpose: PurposePlay, at: now, video: "vid_1-A"},
		{name: "valid upload", token: sign(keys, "x", PurposeUpload, exp), purpose: PurposeUpload, at: now, video: "x"},
		{name: "one second before expiry", token: good, purpose: PurposePlay, at: exp.Add(-time.Second), video: "vid_1-A"},
		{name: "at expiry", token: good, purpose: PurposePlay, at: exp, want: ErrTokenExpired},
		{name: "expired", token: good, purpose: PurposePlay, at: exp.Add(time.Hour), want: ErrTokenExpired},
		{name: "wrong purpose", token: good, purpose: PurposeUpload, at: now, want: ErrTokenInvalid},
		{name: "upload token for play", token: sign(keys, "x", PurposeUpload, exp), purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "empty purpose", token: good, purpose: "", at: now, want: ErrTokenInvalid},
		{name: "tampered payload", token: b64.EncodeToString(otherPayload) + "." + s, purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "flipped payload char", token: flip(p, 5) + "." + s, purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "tampered signature", token: p + "." + flip(s, 10), purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "signature from other key", token: p + "." + strings.SplitN(forge(t, other, string(mustDecode(t, p))), ".", 2)[1], purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "unknown kid", token: sign(other, "vid_1-A", PurposePlay, exp), purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "expired and unknown kid", token: sign(other, "v", PurposePlay, now.Add(-time.Hour)), purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "unknown purpose signed", token: forge(t, keys, `{"k":"`+keys.kid+`","v":"v","p":"admin","e":9999999999}`), purpose: "admin", at: now, want: ErrTokenInvalid},
		{name: "bad video id signed", token: forge(t, keys, `{"k":"`+keys.kid+`","v":"../x","p":"play","e":9999999999}`), purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "unknown field signed", token: forge(t, keys, `{"k":"`+keys.kid+`","v":"v","p":"play","e":9999999999,"x":1}`), purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "trailing json signed", token: forge(t, keys, `{"k":"`+keys.kid+`","v":"v","p":"play","e":9999999999}{}`), purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "unsigned", token: forge(t, nil, `{"k":"`+keys.kid+`","v":"v","p":"play","e":9999999999}`), purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "empty", token: "", purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "dot only", token: ".", purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "no signature", token: p, purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "empty signature", token: p + ".", purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "three parts", token: good + ".x", purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "trailing garbage", token: good + "A", purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "short signature", token: p + "." + s[:len(s)-4], purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "padded", token: good + "==", purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "standard base64 chars", token: strings.ReplaceAll(good, "_", "/"), purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "embedded newline", token: p[:4] + "\n" + p[4:] + "." + s, purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "garbage", token: "not a token", purpose: PurposePlay, at: now, want: ErrTokenInvalid},
		{name: "overlong", token: good + strings.Repeat("A", MaxTokenLen), purpose: PurposePlay, at: now, want: ErrTokenInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := keys.Verify(tc.token, tc.purpose, tc.at)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				require.Equal(t, Claims{}, c)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.video, c.VideoID)
			require.Equal(t, tc.purpose, c.Purpose)
			require.Equal(t, keys.KeyID(), c.KeyID)
			require.Equal(t, exp.Unix(), c.ExpiresAt.Unix())
		})
	}
}

// TestVerifyWrongVideo documents that the video check is the caller's: the
// claims name the signed video, never the one in the request.
func TestVerifyWrongVideo(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 1)
	now := time.Unix(1_700_000_000, 0)
	tok, err := keys.Sign(Claims{VideoID: "a", Purpose: PurposePlay, ExpiresAt: now.Add(time.Minute)})
	require.NoError(t, err)
	c, err := keys.Verify(tok, PurposePlay, now)
	require.NoError(t, err)
	require.NotEqual(t, "b", c.VideoID)
}

func TestVerifyRetiredKey(t *testing.T) {
	t.Parallel()
	old := testKeys(t, 1)
	now := time.Unix(1_700_000_000, 0)
	tok, err := old.Sign(Claims{VideoID: "a", Purpose: PurposePlay, ExpiresAt: now.Add(time.Minute)})
	require.NoError(t, err)

	rotated, err := NewKeys(testKeys(t, 2).signer, old.signer.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	_, err = rotated.Verify(tok, PurposePlay, now)
	require.NoError(t, err, "tokens signed by a retired key verify until they expire")
	require.NotEqual(t, old.KeyID(), rotated.KeyID())
}

func TestSignRejects(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 1)
	exp := time.Unix(1_700_000_000, 0)
	for name, c := range map[string]Claims{
		"bad purpose":  {VideoID: "a", Purpose: "admin", ExpiresAt: exp},
		"empty video":  {Purpose: PurposePlay, ExpiresAt: exp},
		"unsafe video": {VideoID: "a/b", Purpose: PurposePlay, ExpiresAt: exp},
		"long video":   {VideoID: strings.Repeat("a", maxVideoIDLen+1), Purpose: PurposePlay, ExpiresAt: exp},
		"no expiry":    {VideoID: "a", Purpose: PurposePlay},
	} {
		_, err := keys.Sign(c)
		require.Error(t, err, name)
	}
	// The longest legal id still fits under the verification cap.
	tok, err := keys.Sign(Claims{VideoID: strings.Repeat("a", maxVideoIDLen), Purpose: PurposeUpload, ExpiresAt: exp})
	require.NoError(t, err)
	require.LessOrEqual(t, len(tok), MaxTokenLen)
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := b64.DecodeString(s)
	require.NoError(t, err)
	return b
}

func FuzzVerify(f *testing.F) {
	keys, err := NewKeys(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	tok, _ := keys.Sign(Claims{VideoID: "a", Purpose: PurposePlay, ExpiresAt: now.Add(time.Hour)})
	f.Add(tok)
	f.Add("")
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := keys.Verify(s, PurposePlay, now)
		if err == nil && s != tok {
			// Ed25519 signatures are not malleable and the encoding is strict,
			// so the only accepted input is the token we signed.
			t.Fatalf("accepted %q as %+v", s, c)
		}
	})
}

package auth

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Token purposes. A token is only accepted for the purpose it was signed for,
// so an upload token cannot be replayed to play a video or the reverse.
const (
	PurposePlay   = "play"
	PurposeUpload = "upload"
)

// MaxTokenLen caps the tokens Verify looks at. Real tokens are about 200
// bytes; the cap keeps hostile input from costing more than a few
// microseconds.
const MaxTokenLen = 512

// maxVideoIDLen bounds video ids inside tokens, which also bounds token size.
const maxVideoIDLen = 128

// Verification errors. They say only "bad" or "expired" on purpose: callers
// answer every failure with the same 403 and must not learn which check failed.
var (
	ErrTokenInvalid = errors.New("auth: invalid token")
	ErrTokenExpired = errors.New("auth: token expired")
)

// Claims is what a token grants: Purpose access to VideoID until ExpiresAt.
type Claims struct {
	KeyID     string    // id of the signing key; set by Sign, ignored on input
	VideoID   string    // letters, digits, '-' and '_'
	Purpose   string    // PurposePlay or PurposeUpload
	ExpiresAt time.Time // kept to the second
}

// wireClaims is the signed JSON payload. Short names keep URLs short.
type wireClaims struct {
	K string `json:"k"`
	V string `json:"v"`
	P string `json:"p"`
	E int64  `json:"e"`
}

// b64 rejects padding and non-zero trailing bits, so each token has exactly
// one encoding.
var b64 = base64.RawURLEncoding.Strict()

// Sign returns a compact token for c, signed with the current key.
func (k *Keys) Sign(c Claims) (string, error) {
	if !validPurpose(c.Purpose) {
		return "", fmt.Errorf("auth: sign: unknown purpose %q", c.Purpose)
	}
	if !validVideoID(c.VideoID) {
		return "", fmt.Errorf("auth: sign: invalid video id %q", c.VideoID)
	}
	if c.ExpiresAt.Unix() <= 0 {
		return "", errors.New("auth: sign: no expiry")
	}
	payload, err := json.Marshal(wireClaims{K: k.kid, V: c.VideoID, P: c.Purpose, E: c.ExpiresAt.Unix()})
	if err != nil {
		return "", fmt.Errorf("auth: sign: %w", err)
	}
	p := b64.EncodeToString(payload)
	sig := ed25519.Sign(k.signer, []byte(p))
	return p + "." + b64.EncodeToString(sig), nil
}

// Verify checks token's signature, purpose and expiry at now and returns its
// claims. It returns ErrTokenExpired only for a genuine token past its expiry,
// and ErrTokenInvalid for everything else. The caller still has to compare
// Claims.VideoID with the video being accessed.
func (k *Keys) Verify(token, purpose string, now time.Time) (Claims, error) {
	if len(token) > MaxTokenLen || !tokenChars(token) {
		return Claims{}, ErrTokenInvalid
	}
	p, s, ok := strings.Cut(token, ".")
	if !ok || p == "" || strings.Contains(s, ".") {
		return Claims{}, ErrTokenInvalid
	}
	sig, err := b64.DecodeString(s)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Claims{}, ErrTokenInvalid
	}
	payload, err := b64.DecodeString(p)
	if err != nil {
		return Claims{}, ErrTokenInvalid
	}
	wc, err := decodeClaims(payload)
	if err != nil {
		return Claims{}, ErrTokenInvalid
	}
	pub, ok := k.pubs[wc.K]
	if !ok || !ed25519.Verify(pub, []byte(p), sig) {
		return Claims{}, ErrTokenInvalid
	}
	// Only a correctly signed token gets this far, so forged input can never
	// learn anything from the checks below.
	if wc.P != purpose || !validPurpose(wc.P) || !validVideoID(wc.V) {
		return Claims{}, ErrTokenInvalid
	}
	if now.Unix() >= wc.E {
		return Claims{}, ErrTokenExpired
	}
	return Claims{KeyID: wc.K, VideoID: wc.V, Purpose: wc.P, ExpiresAt: time.Unix(wc.E, 0).UTC()}, nil
}

// decodeClaims parses exactly one JSON object with only the known fields.
func decodeClaims(payload []byte) (wireClaims, error) {
	var wc wireClaims
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wc); err != nil {
		return wireClaims{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return wireClaims{}, errors.New("trailing data")
	}
	return wc, nil
}

// tokenChars reports whether s uses only the base64url alphabet and '.'. The
// base64 decoder silently skips '\r' and '\n', so this check is what makes a
// token with embedded newlines invalid.
func tokenChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func validPurpose(p string) bool { return p == PurposePlay || p == PurposeUpload }

// validVideoID accepts the URL-safe ids kinema hands out.
func validVideoID(id string) bool {
	if id == "" || len(id) > maxVideoIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

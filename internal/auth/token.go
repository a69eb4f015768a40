package auth

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
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

// maxPrefixLen bounds path prefixes so that a token carrying the longest
// prefix and an IPv6 binding still fits under MaxTokenLen.
const maxPrefixLen = 128

// maxUserIDLen bounds user ids inside tokens: kinema's are 20 characters
// ("usr_" and 16 hex digits), and the longest grant with the longest user id
// must still fit under MaxTokenLen.
const maxUserIDLen = 40

// Verification errors. They say only "bad" or "expired" on purpose: callers
// answer every failure with the same 403 and must not learn which check failed.
var (
	ErrTokenInvalid = errors.New("auth: invalid token")
	ErrTokenExpired = errors.New("auth: token expired")
)

// Claims is what a token grants: Purpose access to VideoID (or, for play
// tokens, to every path under PathPrefix) until ExpiresAt, optionally only
// from ClientIP.
//
// Exactly one of VideoID and PathPrefix is set. Keeping them exclusive makes
// prefix tokens fail safe: a verifier that only compares VideoID (the live
// handler, the upload service, an older edge) sees an empty id and refuses.
type Claims struct {
	KeyID     string    // id of the signing key; set by Sign, ignored on input
	VideoID   string    // letters, digits, '-' and '_'
	Purpose   string    // PurposePlay or PurposeUpload
	ExpiresAt time.Time // kept to the second

	// PathPrefix grants every URL path starting with it, e.g. "/media/" or
	// "/media/abc/". It must start and end with '/' (so "/media/ab/" can
	// never match "/media/abc/") and use only the characters of media paths.
	// Play tokens only.
	PathPrefix string

	// ClientIP, when valid, binds the token to one client address. IPv4
	// mapped IPv6 addresses are stored and compared as IPv4.
	ClientIP netip.Addr

	// IssuedAt, when set, is when the grant was made, kept to the
	// microsecond (a grant fetched right after an unsharing must sort after
	// it): delivery refuses grants made before a video's sharing was
	// narrowed. A zero IssuedAt counts as older than any such change.
	IssuedAt time.Time

	// UserID, when set, is the signed-in user the grant was issued to
	// (same alphabet as video ids): delivery refuses it once that user is
	// deleted or disabled, or loses access (role, groups, password reset)
	// after IssuedAt. Empty for anonymous grants, which no user change
	// affects. Play tokens only.
	UserID string
}

// AllowsClient reports whether a request from addr may use these claims:
// always when the token is not IP-bound, otherwise only from the bound
// address. An invalid addr (the caller could not tell) never matches a bound
// token.
func (c Claims) AllowsClient(addr netip.Addr) bool {
	if !c.ClientIP.IsValid() {
		return true
	}
	return addr.IsValid() && addr.Unmap().WithZone("") == c.ClientIP
}

// Grants reports whether verified play claims cover a request for video (or
// live stream) id at urlPath from client: a prefix-scoped token must match
// the path, any other token the id, and a bound token the client address.
// Both /media/ and /live/ decide with it, so the rules cannot drift apart.
func (c Claims) Grants(id, urlPath string, client netip.Addr) error {
	switch {
	case c.PathPrefix != "":
		if !strings.HasPrefix(urlPath, c.PathPrefix) {
			return errors.New("path outside the token's prefix")
		}
	case c.VideoID != id:
		return errors.New("token is for another video")
	}
	if !c.AllowsClient(client) {
		return errors.New("token is bound to another client address")
	}
	return nil
}

// wireClaims is the signed JSON payload. Short names keep URLs short; the
// optional fields are omitted when unset so older tokens and verifiers keep
// their exact format.
type wireClaims struct {
	K  string `json:"k"`
	V  string `json:"v"`
	P  string `json:"p"`
	E  int64  `json:"e"`
	IP string `json:"ip,omitempty"`
	PX string `json:"px,omitempty"`
	IA int64  `json:"ia,omitempty"` // issued at, Unix microseconds
	U  string `json:"u,omitempty"`  // user the grant was issued to
}

// b64 rejects padding and non-zero trailing bits, so each token has exactly
// one encoding.
var b64 = base64.RawURLEncoding.Strict()

// Sign returns a compact token for c, signed with the current key.
func (k *Keys) Sign(c Claims) (string, error) {
	if !validPurpose(c.Purpose) {
		return "", fmt.Errorf("auth: sign: unknown purpose %q", c.Purpose)
	}
	switch {
	case c.PathPrefix == "" && !validVideoID(c.VideoID):
		return "", fmt.Errorf("auth: sign: invalid video id %q", c.VideoID)
	case c.PathPrefix != "" && c.VideoID != "":
		return "", errors.New("auth: sign: set a video id or a path prefix, not both")
	case c.PathPrefix != "" && c.Purpose != PurposePlay:
		return "", errors.New("auth: sign: path prefixes are for play tokens only")
	case c.PathPrefix != "" && !validPrefix(c.PathPrefix):
		return "", fmt.Errorf("auth: sign: invalid path prefix %q", c.PathPrefix)
	case c.UserID != "" && c.Purpose != PurposePlay:
		return "", errors.New("auth: sign: user ids are for play tokens only")
	case c.UserID != "" && !validUserID(c.UserID):
		return "", fmt.Errorf("auth: sign: invalid user id %q", c.UserID)
	}
	if c.ExpiresAt.Unix() <= 0 {
		return "", errors.New("auth: sign: no expiry")
	}
	wc := wireClaims{K: k.kid, V: c.VideoID, P: c.Purpose, E: c.ExpiresAt.Unix(), PX: c.PathPrefix, U: c.UserID}
	if !c.IssuedAt.IsZero() {
		if c.IssuedAt.UnixMicro() <= 0 {
			return "", errors.New("auth: sign: issued-at before 1970")
		}
		wc.IA = c.IssuedAt.UnixMicro()
	}
	if c.ClientIP.IsValid() {
		if c.ClientIP.Zone() != "" {
			return "", errors.New("auth: sign: client ip must not have a zone")
		}
		wc.IP = c.ClientIP.Unmap().String()
	}
	payload, err := json.Marshal(wc)
	if err != nil {
		return "", fmt.Errorf("auth: sign: %w", err)
	}
	p := b64.EncodeToString(payload)
	sig := ed25519.Sign(k.signer, []byte(p))
	return p + "." + b64.EncodeToString(sig), nil
}

// Verify checks token's signature, purpose and expiry at now and returns its
// claims. It returns ErrTokenExpired only for a genuine token past its expiry,
// and ErrTokenInvalid for everything else. The caller still has to check the
// grant against the request: Claims.VideoID (or PathPrefix) against what is
// being accessed, and Claims.AllowsClient against the client's address.
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
	if wc.P != purpose || !validPurpose(wc.P) {
		return Claims{}, ErrTokenInvalid
	}
	grant := wc.PX == "" && validVideoID(wc.V) ||
		wc.V == "" && wc.P == PurposePlay && validPrefix(wc.PX)
	if !grant {
		return Claims{}, ErrTokenInvalid
	}
	var ip netip.Addr
	if wc.IP != "" {
		// Only the canonical form Sign writes is accepted, so one address has
		// one encoding and comparisons cannot be dodged by spelling.
		ip, err = netip.ParseAddr(wc.IP)
		if err != nil || ip.Zone() != "" || ip.Is4In6() || ip.String() != wc.IP {
			return Claims{}, ErrTokenInvalid
		}
	}
	if wc.IA < 0 || wc.U != "" && (wc.P != PurposePlay || !validUserID(wc.U)) {
		return Claims{}, ErrTokenInvalid
	}
	if now.Unix() >= wc.E {
		return Claims{}, ErrTokenExpired
	}
	c := Claims{
		KeyID: wc.K, VideoID: wc.V, Purpose: wc.P, ExpiresAt: time.Unix(wc.E, 0).UTC(),
		PathPrefix: wc.PX, ClientIP: ip, UserID: wc.U,
	}
	if wc.IA > 0 {
		c.IssuedAt = time.UnixMicro(wc.IA).UTC()
	}
	return c, nil
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

// validPrefix accepts "/seg/.../" where every segment is non-empty, uses
// only media-path characters and does not start with a dot, so a prefix can
// neither climb out with ".." nor be confused by encodings: request paths are
// held to the same alphabet before they are compared.
func validPrefix(p string) bool {
	if len(p) < 3 || len(p) > maxPrefixLen || p[0] != '/' || p[len(p)-1] != '/' {
		return false
	}
	for _, seg := range strings.Split(p[1:len(p)-1], "/") {
		if seg == "" || seg[0] == '.' {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				return false
			}
		}
	}
	return true
}

// validVideoID accepts the URL-safe ids kinema hands out.
func validVideoID(id string) bool { return validID(id, maxVideoIDLen) }

// validUserID accepts user ids: the same alphabet, shorter.
func validUserID(id string) bool { return validID(id, maxUserIDLen) }

func validID(id string, maxLen int) bool {
	if id == "" || len(id) > maxLen {
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

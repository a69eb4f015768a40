package auth

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestClientIPBinding(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 1)
	now := time.Unix(1_700_000_000, 0)
	for _, bound := range []string{"203.0.113.7", "::ffff:203.0.113.7", "2001:db8::1"} {
		tok, err := keys.Sign(Claims{VideoID: "v", Purpose: PurposePlay, ExpiresAt: now.Add(time.Minute), ClientIP: netip.MustParseAddr(bound)})
		require.NoError(t, err)
		c, err := keys.Verify(tok, PurposePlay, now)
		require.NoError(t, err)
		require.True(t, c.AllowsClient(netip.MustParseAddr(bound)), bound)
		require.True(t, c.AllowsClient(netip.MustParseAddr(bound).Unmap()), "mapped and plain IPv4 are one address")
		require.False(t, c.AllowsClient(netip.MustParseAddr("198.51.100.1")), bound)
		require.False(t, c.AllowsClient(netip.Addr{}), "unknown client never matches a bound token")
	}
	tok, err := keys.Sign(Claims{VideoID: "v", Purpose: PurposePlay, ExpiresAt: now.Add(time.Minute)})
	require.NoError(t, err)
	c, err := keys.Verify(tok, PurposePlay, now)
	require.NoError(t, err)
	require.True(t, c.AllowsClient(netip.Addr{}), "unbound tokens work from anywhere")
	require.NotContains(t, string(mustDecode(t, strings.Split(tok, ".")[0])), `"ip"`, "unbound tokens keep the old format")

	_, err = keys.Sign(Claims{VideoID: "v", Purpose: PurposePlay, ExpiresAt: now, ClientIP: netip.MustParseAddr("fe80::1%eth0")})
	require.Error(t, err)
}

func TestPathPrefixClaims(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 1)
	now := time.Unix(1_700_000_000, 0)
	tok, err := keys.Sign(Claims{PathPrefix: "/media/abc/", Purpose: PurposePlay, ExpiresAt: now.Add(time.Minute)})
	require.NoError(t, err)
	c, err := keys.Verify(tok, PurposePlay, now)
	require.NoError(t, err)
	require.Equal(t, "/media/abc/", c.PathPrefix)
	require.Empty(t, c.VideoID, "prefix tokens name no video, so id-only checks refuse them")

	exp := now.Add(time.Minute)
	for name, c := range map[string]Claims{
		"both":          {VideoID: "a", PathPrefix: "/media/a/", Purpose: PurposePlay, ExpiresAt: exp},
		"upload":        {PathPrefix: "/media/a/", Purpose: PurposeUpload, ExpiresAt: exp},
		"no slash end":  {PathPrefix: "/media/a", Purpose: PurposePlay, ExpiresAt: exp},
		"no slash head": {PathPrefix: "media/a/", Purpose: PurposePlay, ExpiresAt: exp},
		"root":          {PathPrefix: "/", Purpose: PurposePlay, ExpiresAt: exp},
		"dotdot":        {PathPrefix: "/media/../", Purpose: PurposePlay, ExpiresAt: exp},
		"empty seg":     {PathPrefix: "/media//", Purpose: PurposePlay, ExpiresAt: exp},
		"encoded":       {PathPrefix: "/media/%2e%2e/", Purpose: PurposePlay, ExpiresAt: exp},
		"backslash":     {PathPrefix: "/media/a\\b/", Purpose: PurposePlay, ExpiresAt: exp},
		"too long":      {PathPrefix: "/" + strings.Repeat("a", maxPrefixLen) + "/", Purpose: PurposePlay, ExpiresAt: exp},
	} {
		_, err := keys.Sign(c)
		require.Error(t, err, name)
	}

	// The largest legal tokens (the longest prefix or video id, with every
	// optional claim at its longest) still fit under the verification cap.
	long := "/" + strings.Repeat("a", maxPrefixLen-2) + "/"
	issued := time.UnixMicro(now.Add(100 * 365 * 24 * time.Hour).UnixMicro()).UTC() // a 17-digit microsecond count
	user := strings.Repeat("u", maxUserIDLen)
	ip := netip.MustParseAddr("2001:db8:1234:5678:9abc:def0:1234:5678")
	for _, c := range []Claims{
		{PathPrefix: long, Purpose: PurposePlay, ExpiresAt: exp, ClientIP: ip, IssuedAt: issued, UserID: user},
		{VideoID: strings.Repeat("v", maxVideoIDLen), Purpose: PurposePlay, ExpiresAt: exp, ClientIP: ip, IssuedAt: issued, UserID: user},
	} {
		tok, err = keys.Sign(c)
		require.NoError(t, err)
		require.LessOrEqual(t, len(tok), MaxTokenLen)
		got, err := keys.Verify(tok, PurposePlay, now)
		require.NoError(t, err)
		require.Equal(t, issued, got.IssuedAt, "issued-at survives to the microsecond")
		require.Equal(t, user, got.UserID)
	}
}

// TestUserIDClaim: a grant made to a user carries the id through a round
// trip; anonymous grants keep the old format; bad ids are never signed.
func TestUserIDClaim(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 1)
	now := time.Now()
	exp := now.Add(time.Hour)
	tok, err := keys.Sign(Claims{VideoID: "a", Purpose: PurposePlay, ExpiresAt: exp, IssuedAt: now, UserID: "usr_0123456789abcdef"})
	require.NoError(t, err)
	c, err := keys.Verify(tok, PurposePlay, now)
	require.NoError(t, err)
	require.Equal(t, "usr_0123456789abcdef", c.UserID)

	anon, err := keys.Sign(Claims{VideoID: "a", Purpose: PurposePlay, ExpiresAt: exp, IssuedAt: now})
	require.NoError(t, err)
	payload, _, _ := strings.Cut(anon, ".")
	require.NotContains(t, string(mustDecode(t, payload)), `"u"`, "anonymous grants name no user")
	c, err = keys.Verify(anon, PurposePlay, now)
	require.NoError(t, err)
	require.Empty(t, c.UserID)

	for name, c := range map[string]Claims{
		"bad chars": {VideoID: "a", Purpose: PurposePlay, ExpiresAt: exp, UserID: "usr/1"},
		"too long":  {VideoID: "a", Purpose: PurposePlay, ExpiresAt: exp, UserID: strings.Repeat("u", maxUserIDLen+1)},
		"upload":    {VideoID: "a", Purpose: PurposeUpload, ExpiresAt: exp, UserID: "usr_1"},
	} {
		_, err := keys.Sign(c)
		require.Error(t, err, name)
	}
}

// TestIssuedAtIsOptional: tokens without an issue time keep their format
// (older tokens still verify) and come back with a zero IssuedAt.
func TestIssuedAtIsOptional(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 1)
	now := time.Now()
	exp := now.Add(time.Hour)
	plain, err := keys.Sign(Claims{VideoID: "a", Purpose: PurposePlay, ExpiresAt: exp})
	require.NoError(t, err)
	payload, _, _ := strings.Cut(plain, ".")
	require.NotContains(t, string(mustDecode(t, payload)), `"ia"`)
	c, err := keys.Verify(plain, PurposePlay, now)
	require.NoError(t, err)
	require.True(t, c.IssuedAt.IsZero())

	_, err = keys.Sign(Claims{VideoID: "a", Purpose: PurposePlay, ExpiresAt: exp, IssuedAt: time.Unix(-5, 0)})
	require.Error(t, err, "an issue time before 1970 is refused")
}

// TestForgedExtensions signs payloads Sign would never produce, as a holder
// of a leaked key could, and checks Verify still enforces the invariants.
func TestForgedExtensions(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 1)
	now := time.Unix(1_700_000_000, 0)
	exp := now.Add(time.Hour).Unix()
	payload := func(wc wireClaims) string {
		wc.K, wc.E = keys.kid, exp
		b, err := json.Marshal(wc)
		require.NoError(t, err)
		return string(b)
	}
	for name, p := range map[string]string{
		"video and prefix":  payload(wireClaims{V: "a", P: PurposePlay, PX: "/media/a/"}),
		"prefix for upload": payload(wireClaims{P: PurposeUpload, PX: "/media/a/"}),
		"bad prefix":        payload(wireClaims{P: PurposePlay, PX: "/media/../"}),
		"neither":           payload(wireClaims{P: PurposePlay}),
		"bad ip":            payload(wireClaims{V: "a", P: PurposePlay, IP: "not-an-ip"}),
		"mapped ip":         payload(wireClaims{V: "a", P: PurposePlay, IP: "::ffff:1.2.3.4"}),
		"non-canonical ip":  payload(wireClaims{V: "a", P: PurposePlay, IP: "2001:DB8::1"}),
		"zoned ip":          payload(wireClaims{V: "a", P: PurposePlay, IP: "fe80::1%eth0"}),
		"negative issued":   payload(wireClaims{V: "a", P: PurposePlay, IA: -1}),
		"bad user":          payload(wireClaims{V: "a", P: PurposePlay, U: "usr 1"}),
		"dotted user":       payload(wireClaims{V: "a", P: PurposePlay, U: "usr.1"}),
		"long user":         payload(wireClaims{V: "a", P: PurposePlay, U: strings.Repeat("u", maxUserIDLen+1)}),
		"upload user":       payload(wireClaims{V: "a", P: PurposeUpload, U: "usr_1"}),
	} {
		_, err := keys.Verify(forge(t, keys, p), PurposePlay, now)
		require.ErrorIs(t, err, ErrTokenInvalid, name)
		_, err = keys.Verify(forge(t, keys, p), PurposeUpload, now)
		require.ErrorIs(t, err, ErrTokenInvalid, name)
	}
}

package api_test

import (
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/api"
)

// createAs creates a video with the Host header set to host and returns
// the status, the error code or the upload URL's host.
func createAs(t *testing.T, b *bundle, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/api/v1/videos", strings.NewReader(`{"title":"host"}`))
	require.NoError(t, err)
	req.Host = host
	req.Header.Set("Authorization", "Bearer "+userKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode != http.StatusCreated {
		require.NotContains(t, string(body), "token=", "no signed URL for a refused host")
		return resp.StatusCode, errorCode(t, body)
	}
	v := decode[video](t, body)
	u, err := url.Parse(v.Upload.URL)
	require.NoError(t, err)
	tus, err := url.Parse(v.Upload.TusURL)
	require.NoError(t, err)
	require.Equal(t, u.Host, tus.Host)
	return resp.StatusCode, u.Host
}

// TestHostHeaderNeverNamesAnotherServer: without --public-url, a Host that
// could name another machine is refused (421 unknown_host) instead of
// ending up in signed upload and playback URLs; localhost, loopback and
// the machine's own addresses still work, and with a public URL the Host
// is ignored.
func TestHostHeaderNeverNamesAnotherServer(t *testing.T) {
	t.Parallel()
	lan := netip.MustParseAddr("192.0.2.10") // stands in for this machine's LAN address
	b := setupWith(t, func(s *api.Server) { s.LocalAddrsFunc = func() []netip.Addr { return []netip.Addr{lan} } })
	port := b.srv.URL[strings.LastIndex(b.srv.URL, ":")+1:]

	for _, host := range []string{"evil.example", "evil.example:" + port, "203.0.113.7:" + port, "localhost.evil.example", "127.0.0.1.nip.io:" + port} {
		code, errCode := createAs(t, b, host)
		require.Equal(t, http.StatusMisdirectedRequest, code, host)
		require.Equal(t, "unknown_host", errCode, host)
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port, "app.localhost:" + port, "[::1]:" + port, "192.0.2.10:" + port} {
		code, got := createAs(t, b, host)
		require.Equal(t, http.StatusCreated, code, host)
		require.Equal(t, host, got)
	}
	// Sign-in is refused the same way, so a rebound DNS name cannot drive it.
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/api/v1/auth/login", strings.NewReader(`{"email":"a@example.com","password":"x"}`))
	require.NoError(t, err)
	req.Host, req.Header["Content-Type"] = "evil.example", []string{"application/json"}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMisdirectedRequest, resp.StatusCode)

	// With a public URL, the Host header plays no part.
	pub := setupWith(t, func(s *api.Server) { s.PublicURL = "https://tv.example" })
	code, got := createAs(t, pub, "evil.example")
	require.Equal(t, http.StatusCreated, code)
	require.Equal(t, "tv.example", got)
}

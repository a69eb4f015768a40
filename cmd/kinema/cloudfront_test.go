package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth/cloudfront"
	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
)

// TestCloudFrontMode: with the CloudFront flags the API hands out
// distribution URLs and cookies that CloudFront's documented format
// accepts (checked by our verifier with the public key); with
// --playback-bind-ip their policy holds the caller's address as SourceIp.
func TestCloudFrontMode(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	pemFile := filepath.Join(t.TempDir(), "cf.pem")
	require.NoError(t, os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600))
	s := setupWith(t, func(c *config.Config) {
		c.CloudFrontDomain, c.CloudFrontKeyPairID, c.CloudFrontPrivateKey = "d111.cloudfront.net", "K2JCJMDEHXQW5F", pemFile
		c.CloudFrontCookieDomain = "cloudfront.net"
		c.PlaybackBindIP = true
	})
	me, stranger := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("192.0.2.1")
	v := s.uploadAndWait("behind a CDN", testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2}))
	require.Equal(t, "ready", v.Status, v.Error)

	ver := cloudfront.NewVerifier(map[string]*rsa.PublicKey{"K2JCJMDEHXQW5F": &key.PublicKey})
	dir := "https://d111.cloudfront.net/media/" + v.ID + "/"
	require.True(t, strings.HasPrefix(v.Playback.HLS, dir+"master.m3u8?"), v.Playback.HLS)
	for _, u := range []string{v.Playback.HLS, v.Playback.DASH, v.Playback.Poster} {
		require.NoError(t, ver.VerifyURL(u, me, time.Now()), u)
		require.ErrorIs(t, ver.VerifyURL(u, stranger, time.Now()), cloudfront.ErrInvalid, "bound to the caller")
	}
	// The wildcard policy covers this video only.
	other := strings.Replace(v.Playback.HLS, v.ID, "someoneelse0000", 1)
	require.Error(t, ver.VerifyURL(other, me, time.Now()))

	req, _ := http.NewRequest(http.MethodPost, s.base+"/api/v1/videos/"+v.ID+"/playback-cookie", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var pb struct{ HLS string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&pb))
	require.Equal(t, dir+"master.m3u8", pb.HLS, "cookies go with plain distribution URLs")
	cookies := resp.Cookies()
	require.Len(t, cookies, 3)
	for _, c := range cookies {
		require.Equal(t, "cloudfront.net", c.Domain)
		require.Equal(t, "/media/"+v.ID+"/", c.Path)
	}
	require.NoError(t, ver.VerifyCookies(dir+"720p/seg-1.m4s", cookies, me, time.Now()))
	require.ErrorIs(t, ver.VerifyCookies(dir+"720p/seg-1.m4s", cookies, stranger, time.Now()), cloudfront.ErrInvalid)
	require.Error(t, ver.VerifyCookies("https://d111.cloudfront.net/media/other/master.m3u8", cookies, me, time.Now()))
}

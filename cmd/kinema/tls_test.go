package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
)

// testCA issues certificates for tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kinema test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

func (ca *testCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// issue writes a leaf for localhost and 127.0.0.1 with this serial into
// certPath and keyPath.
func (ca *testCA) issue(t *testing.T, serial int64, certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	require.NoError(t, os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
}

// tlsClient trusts roots and speaks HTTP/2 when the server offers it; it
// never follows redirects.
func tlsClient(roots *x509.CertPool, serverName string, dialAddr string) *http.Client {
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots, ServerName: serverName},
		ForceAttemptHTTP2: true,
		DisableKeepAlives: true, // every request a new handshake: sees a reloaded certificate
	}
	if dialAddr != "" {
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, dialAddr)
		}
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

// TestTLSFiles: with --tls-cert/--tls-key the listener speaks HTTP/2 over
// TLS, every answer carries HSTS, the session cookie is __Host- and Secure,
// a replaced certificate is served without a restart, and the redirect
// listener sends plain http to the same path over https.
func TestTLSFiles(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	ca.issue(t, 1001, certPath, keyPath)
	s := setupWith(t, func(c *config.Config) {
		c.TLSCert, c.TLSKey, c.RedirectAddr = certPath, keyPath, "127.0.0.1:0"
		c.Workers = 0
	})
	base := "https://" + s.main.Addr
	client := tlsClient(ca.pool(), "localhost", "")

	resp, err := client.Get(base + "/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "HTTP/2.0", resp.Proto)
	require.Equal(t, hstsValue, resp.Header.Get("Strict-Transport-Security"))
	require.Equal(t, int64(1001), resp.TLS.PeerCertificates[0].SerialNumber.Int64())
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'self'")

	// The first account over https: its session cookie is __Host-, Secure.
	body, _ := json.Marshal(map[string]string{"email": "admin@example.com", "password": "correct horse battery staple"})
	resp, err = client.Post(base+"/api/v1/auth/signup", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		require.NotEqual(t, api.SessionCookie, c.Name, "no plain-named session cookie over https")
		if c.Name == api.SecureSessionCookie {
			session = c
		}
	}
	require.NotNil(t, session, "a __Host- session cookie")
	require.True(t, session.Secure)
	require.True(t, session.HttpOnly)
	require.Equal(t, "/", session.Path)
	require.Empty(t, session.Domain)

	// A renewed certificate is served without a restart.
	ca.issue(t, 1002, certPath, keyPath)
	serial := func() int64 {
		resp, err := client.Get(base + "/healthz")
		require.NoError(t, err)
		resp.Body.Close()
		return resp.TLS.PeerCertificates[0].SerialNumber.Int64()
	}
	require.Eventually(t, func() bool { return serial() == 1002 }, 10*time.Second, 100*time.Millisecond)

	// A broken pair (key not yet written) keeps the last good certificate.
	require.NoError(t, os.WriteFile(keyPath, []byte("not a key"), 0o600))
	time.Sleep(2 * certCheckEvery)
	require.Equal(t, int64(1002), serial())

	// Plain http on the redirect listener: a permanent redirect to https,
	// same path and query, method kept.
	req, err := http.NewRequest(http.MethodPost, "http://"+s.main.RedirectAddr+"/watch/abc?t=1", nil)
	require.NoError(t, err)
	req.Host = "video.example:80"
	resp, err = client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusPermanentRedirect, resp.StatusCode)
	_, port, _ := net.SplitHostPort(s.main.Addr)
	require.Equal(t, "https://video.example:"+port+"/watch/abc?t=1", resp.Header.Get("Location"))
	require.Empty(t, resp.Header.Get("Strict-Transport-Security"), "HSTS only over https")
}

// TestPlainHTTPUnchanged: without TLS nothing of the above applies: no
// HSTS, the plain session cookie name, cleartext HTTP/2 still offered.
func TestPlainHTTPUnchanged(t *testing.T) {
	t.Parallel()
	s := setupWith(t, func(c *config.Config) { c.Workers = 0 })
	body, _ := json.Marshal(map[string]string{"email": "admin@example.com", "password": "correct horse battery staple"})
	resp, err := http.Post(s.base+"/api/v1/auth/signup", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.Empty(t, resp.Header.Get("Strict-Transport-Security"))
	require.Len(t, resp.Cookies(), 1)
	require.Equal(t, api.SessionCookie, resp.Cookies()[0].Name)
	require.False(t, resp.Cookies()[0].Secure)
}

// TestTLSConfigErrors: impossible TLS settings stop the server at start.
func TestTLSConfigErrors(t *testing.T) {
	t.Parallel()
	for name, change := range map[string]func(*config.Config){
		"cert without key":     func(c *config.Config) { c.TLSCert = "cert.pem" },
		"cert and domain":      func(c *config.Config) { c.TLSCert, c.TLSKey, c.TLSDomains = "c", "k", "example.org" },
		"acme ca, no domain":   func(c *config.Config) { c.ACMECA = "https://localhost:14000/dir" },
		"redirect, plain http": func(c *config.Config) { c.RedirectAddr = "127.0.0.1:0" },
	} {
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		change(&cfg)
		require.Error(t, cfg.Validate(), name)
	}
}

// TestWorkerIgnoresTLS: a worker sharing serve's environment file starts
// with the TLS settings ignored and answers plain http on its private
// address.
func TestWorkerIgnoresTLS(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	cfg := config.Default()
	cfg.Addr, cfg.MetricsAddr, cfg.DataDir, cfg.Workers = "127.0.0.1:0", "", t.TempDir(), 1
	cfg.SRTAddr, cfg.RTMPAddr = "", ""
	cfg.DB = testutil.PostgresURL(t)
	cfg.TLSDomains, cfg.RedirectAddr, cfg.ACMEEmail = "video.example.org", "127.0.0.1:0", "ops@example.org"
	w := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler), WorkerOnly: true}
	require.NoError(t, w.Run(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		require.NoError(t, w.Close(ctx))
	})
	require.Empty(t, w.RedirectAddr)
	code, _ := get(t, "http://"+w.Addr+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.NoDirExists(t, filepath.Join(cfg.DataDir, "acme"))
}

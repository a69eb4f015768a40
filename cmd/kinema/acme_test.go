package main

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
)

// acmeTestName is the name Pebble issues for. No resolver knows it: the
// test's own DNS server answers 127.0.0.1 for it, Pebble validates through
// that server and the test's client dials 127.0.0.1.
const acmeTestName = "kinema.test"

// requirePebble returns the Pebble binary that scripts/test-integration.sh
// builds and exports; without it the test skips, unless
// KINEMA_REQUIRE_ACME=1 (as in make test) makes that a failure.
func requirePebble(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("KINEMA_TEST_PEBBLE")
	if bin == "" {
		if os.Getenv("KINEMA_REQUIRE_ACME") == "1" {
			t.Fatal("KINEMA_TEST_PEBBLE is not set and KINEMA_REQUIRE_ACME=1 (run under scripts/test-integration.sh)")
		}
		t.Skip("KINEMA_TEST_PEBBLE is not set; run under scripts/test-integration.sh, KINEMA_REQUIRE_ACME=1 makes this a failure")
	}
	return bin
}

// freePort returns a loopback port nobody listened on a moment ago. Pebble
// needs kinema's challenge ports in its configuration before kinema starts.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// loopbackDNS answers every A question with 127.0.0.1 and nothing else,
// over TCP (how Pebble asks) on a port of its own; it returns that address.
func loopbackDNS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		for _, question := range q.Question {
			if question.Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: question.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A:   net.IPv4(127, 0, 0, 1),
				})
			}
		}
		_ = w.WriteMsg(m)
	})}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return ln.Addr().String()
}

// pebble is a running Pebble ACME server.
type pebble struct {
	cmd       *exec.Cmd
	directory string         // ACME directory URL
	root      *x509.CertPool // Pebble's issuing root, fetched from its management port
	tlsRoot   string         // PEM file of the CA of Pebble's own https
}

// startPebble runs Pebble validating challenges on kinema's ports
// httpPort (http-01) and tlsPort (tls-alpn-01), resolving names with dnsAddr.
func startPebble(t *testing.T, bin string, httpPort, tlsPort int, dnsAddr string) *pebble {
	t.Helper()
	dir := t.TempDir()
	ca := newTestCA(t)
	certPath, keyPath, rootPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ca.pem")
	ca.issue(t, 7, certPath, keyPath)
	require.NoError(t, os.WriteFile(rootPath, ca.pem, 0o600))
	listen, mgmt := freePort(t), freePort(t)
	conf := map[string]any{"pebble": map[string]any{
		"listenAddress":           fmt.Sprintf("127.0.0.1:%d", listen),
		"managementListenAddress": fmt.Sprintf("127.0.0.1:%d", mgmt),
		"certificate":             certPath, "privateKey": keyPath,
		"httpPort": httpPort, "tlsPort": tlsPort,
		"ocspResponderURL": "", "externalAccountBindingRequired": false,
		"profiles": map[string]any{"default": map[string]any{"description": "test", "validityPeriod": 7776000}},
	}}
	data, err := json.Marshal(conf)
	require.NoError(t, err)
	confPath := filepath.Join(dir, "pebble.json")
	require.NoError(t, os.WriteFile(confPath, data, 0o600))

	cmd := exec.Command(bin, "-config", confPath, "-dnsserver", dnsAddr)
	// No random sleeps before validating, no deliberately rejected nonces:
	// the test is about kinema, not about client retries.
	cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0")
	var logBuf safeBuffer
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("pebble log:\n%s", logBuf.String())
		}
	})

	p := &pebble{cmd: cmd, directory: fmt.Sprintf("https://127.0.0.1:%d/dir", listen), tlsRoot: rootPath}
	client := tlsClient(ca.pool(), "", "")
	var pemRoot []byte
	require.Eventually(t, func() bool {
		resp, err := client.Get(fmt.Sprintf("https://127.0.0.1:%d/roots/0", mgmt))
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		pemRoot, _ = io.ReadAll(resp.Body)
		return resp.StatusCode == http.StatusOK
	}, time.Minute, 100*time.Millisecond, "pebble did not start: %s", &logBuf)
	resp, err := client.Get(p.directory)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p.root = x509.NewCertPool()
	require.True(t, p.root.AppendCertsFromPEM(pemRoot), "pebble root: %s", pemRoot)
	return p
}

// TestACMEPebble: with --tls-domain, kinema gets a certificate from a real
// ACME server (Let's Encrypt's Pebble), validated with http-01 on kinema's
// redirect listener, keeps it in the data directory, and serves the UI, the API and
// a signed segment with it over HTTP/2.
func TestACMEPebble(t *testing.T) {
	t.Parallel()
	bin := requirePebble(t)
	testutil.RequireFFmpeg(t)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})

	tlsPort, httpPort := freePort(t), freePort(t)
	p := startPebble(t, bin, httpPort, tlsPort, loopbackDNS(t))
	s := setupWith(t, func(c *config.Config) {
		c.Addr = fmt.Sprintf("127.0.0.1:%d", tlsPort)
		c.RedirectAddr = fmt.Sprintf("127.0.0.1:%d", httpPort)
		c.TLSDomains, c.ACMECA, c.ACMECARoot = acmeTestName, p.directory, p.tlsRoot
		c.ACMEEmail = "ops@kinema.test"
		c.Workers = 1
	}, func(m *Main) { m.acmeChallenge = "http-01" }) // TestACMEPebbleTLSALPN checks the other one
	// Trusts Pebble's root only: a successful handshake proves the
	// certificate was issued by Pebble for the name.
	client := tlsClient(p.root, acmeTestName, s.main.Addr)
	base := fmt.Sprintf("https://%s:%d", acmeTestName, tlsPort)

	resp := waitHTTPS(t, client, base+"/")
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "HTTP/2.0", resp.Proto)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	require.Contains(t, string(body), "<script")
	require.Equal(t, hstsValue, resp.Header.Get("Strict-Transport-Security"))
	leaf := resp.TLS.PeerCertificates[0]
	require.Equal(t, []string{acmeTestName}, leaf.DNSNames)
	require.Contains(t, leaf.Issuer.CommonName, "Pebble")

	// Stored in the data directory, where a restart or another node
	// sharing --acme-storage finds it.
	certs, err := filepath.Glob(filepath.Join(s.main.Config.DataDir, "acme", "certificates", "*", acmeTestName, acmeTestName+".crt"))
	require.NoError(t, err)
	require.Len(t, certs, 1)

	// Plain http is redirected to the https origin.
	req, err := http.NewRequest(http.MethodGet, "http://"+s.main.RedirectAddr+"/watch/x", nil)
	require.NoError(t, err)
	req.Host = fmt.Sprintf("%s:%d", acmeTestName, httpPort)
	resp, err = tlsClient(nil, "", "").Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusPermanentRedirect, resp.StatusCode)
	require.Equal(t, base+"/watch/x", resp.Header.Get("Location"))

	// Upload, process and play a signed segment, all over HTTP/2 + TLS.
	call := func(method, u string, body io.Reader, out any) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, u, body)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, "HTTP/2.0", resp.Proto, u)
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		if out != nil {
			require.NoError(t, json.Unmarshal(data, out), string(data))
		}
		return resp
	}
	var v video
	b, _ := json.Marshal(map[string]string{"title": "over https"})
	require.Equal(t, http.StatusCreated, call(http.MethodPost, base+"/api/v1/videos", bytes.NewReader(b), &v).StatusCode)
	require.True(t, strings.HasPrefix(v.Upload.URL, base+"/"), v.Upload.URL)
	f, err := os.Open(clip)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, http.StatusOK, call(http.MethodPut, v.Upload.URL, f, nil).StatusCode)
	require.Eventually(t, func() bool {
		call(http.MethodGet, base+"/api/v1/videos/"+v.ID, nil, &v)
		require.NotEqual(t, "failed", v.Status, v.Error)
		return v.Status == "ready"
	}, 3*time.Minute, 200*time.Millisecond)
	require.True(t, strings.HasPrefix(v.Playback.HLS, base+"/media/"), v.Playback.HLS)

	fetch := func(u string) (*http.Response, []byte) {
		t.Helper()
		resp, err := client.Get(u)
		require.NoError(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, data
	}
	firstURI := func(playlist []byte) string {
		sc := bufio.NewScanner(bytes.NewReader(playlist))
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
				return line
			}
		}
		t.Fatalf("no URI in playlist:\n%s", playlist)
		return ""
	}
	resolve := func(base, ref string) string {
		b, err := url.Parse(base)
		require.NoError(t, err)
		r, err := url.Parse(ref)
		require.NoError(t, err)
		return b.ResolveReference(r).String()
	}
	resp, master := fetch(v.Playback.HLS)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	media := resolve(v.Playback.HLS, firstURI(master))
	resp, playlist := fetch(media)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	segment := resolve(media, firstURI(playlist))
	require.Contains(t, segment, "token=")
	resp, data := fetch(segment)
	require.Equal(t, http.StatusOK, resp.StatusCode, segment)
	require.Equal(t, "HTTP/2.0", resp.Proto)
	require.NotEmpty(t, data)
	// The same segment without its signature is refused.
	unsigned, _, _ := strings.Cut(segment, "?")
	resp, _ = fetch(unsigned)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// stop ends Pebble: from then on no certificate can be ordered.
func (p *pebble) stop() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// waitHTTPS polls until a handshake with client succeeds and returns the
// first answer for url.
func waitHTTPS(t *testing.T, client *http.Client, url string) *http.Response {
	t.Helper()
	start := time.Now()
	for {
		resp, err := client.Get(url)
		if err == nil {
			t.Logf("certificate served %v after start", time.Since(start).Round(time.Millisecond))
			return resp
		}
		if time.Since(start) > 3*time.Minute {
			t.Fatalf("no certificate from pebble after %v: %v", time.Since(start), err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestACMEPebbleTLSALPN: with no plain-http listener the certificate is
// validated through tls-alpn-01 on the https listener itself; a second API
// node sharing --acme-storage then serves the same certificate with the CA
// gone, from storage.
func TestACMEPebbleTLSALPN(t *testing.T) {
	t.Parallel()
	bin := requirePebble(t)
	tlsPort := freePort(t)
	p := startPebble(t, bin, freePort(t), tlsPort, loopbackDNS(t))
	shared := t.TempDir()
	node := func(port int) *server {
		return setupWith(t, func(c *config.Config) {
			c.Addr = fmt.Sprintf("127.0.0.1:%d", port)
			c.TLSDomains, c.ACMECA, c.ACMECARoot, c.ACMEStorage = acmeTestName, p.directory, p.tlsRoot, shared
			c.Workers = 0
		})
	}
	first := node(tlsPort)
	resp := waitHTTPS(t, tlsClient(p.root, acmeTestName, first.main.Addr), fmt.Sprintf("https://%s:%d/healthz", acmeTestName, tlsPort))
	resp.Body.Close()
	require.Equal(t, "HTTP/2.0", resp.Proto)
	serial := resp.TLS.PeerCertificates[0].SerialNumber

	p.stop()
	second := node(0)
	resp = waitHTTPS(t, tlsClient(p.root, acmeTestName, second.main.Addr), fmt.Sprintf("https://%s/healthz", acmeTestName))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, serial, resp.TLS.PeerCertificates[0].SerialNumber, "the second node serves the stored certificate")
}

// safeBuffer is a bytes.Buffer a child process and the test may share.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// hstsValue asks browsers to use https only for a year. No
// includeSubDomains: other hosts under the same name may still be http.
const hstsValue = "max-age=31536000"

// certCheckEvery bounds how often a handshake looks at the certificate
// files: at most one pair of stat calls per interval, whatever the load.
const certCheckEvery = time.Second

// certFiles serves the certificate in a PEM cert/key file pair and picks
// up a new pair (renewed by certbot, a cron job, a secret mount) within
// about a second of the files changing, without a restart. A pair that
// does not load (one file written, the other not yet) is logged and the
// previous certificate stays in use until both files agree.
type certFiles struct {
	certPath, keyPath string
	log               *slog.Logger
	now               func() time.Time

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   string // size and modification time of both files at the last load attempt
	checked time.Time
}

// newCertFiles loads the pair once; a pair that does not load is an error.
func newCertFiles(certPath, keyPath string, log *slog.Logger) (*certFiles, error) {
	c := &certFiles{certPath: certPath, keyPath: keyPath, log: log, now: time.Now}
	stamp, err := c.fileStamp()
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	c.cert, c.stamp, c.checked = &cert, stamp, c.now()
	return c, nil
}

func (c *certFiles) fileStamp() (string, error) {
	var b strings.Builder
	for _, p := range []string{c.certPath, c.keyPath} {
		fi, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("tls: %w", err)
		}
		fmt.Fprintf(&b, "%d/%d;", fi.Size(), fi.ModTime().UnixNano())
	}
	return b.String(), nil
}

// GetCertificate is the tls.Config hook: the current certificate, reloaded
// first if the files changed since the last look.
func (c *certFiles) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); now.Sub(c.checked) >= certCheckEvery {
		c.checked = now
		c.reloadLocked()
	}
	return c.cert, nil
}

func (c *certFiles) reloadLocked() {
	stamp, err := c.fileStamp()
	if err != nil || stamp == c.stamp {
		if err != nil && c.stamp != "" {
			c.log.Error("certificate files unreadable, keeping the loaded certificate", "err", err)
			c.stamp = ""
		}
		return
	}
	c.stamp = stamp
	cert, err := tls.LoadX509KeyPair(c.certPath, c.keyPath)
	if err != nil {
		c.log.Error("certificate files changed but do not load, keeping the previous certificate", "err", err)
		return
	}
	c.cert = &cert
	if leaf := cert.Leaf; leaf != nil {
		c.log.Info("certificate reloaded", "subject", leaf.Subject.String(), "not_after", leaf.NotAfter)
	}
}

// httpErrorLog carries the https server's own messages into the JSON log:
// failed TLS handshakes (scanners, clients that distrust the certificate,
// handshakes before the first ACME certificate arrived) at debug level,
// since any stranger can cause them, everything else at warn.
func httpErrorLog(log *slog.Logger) *stdlog.Logger {
	return stdlog.New(errorLogWriter{log}, "", 0)
}

type errorLogWriter struct{ log *slog.Logger }

func (w errorLogWriter) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	level := slog.LevelWarn
	if strings.Contains(msg, "TLS handshake error") {
		level = slog.LevelDebug
	}
	w.log.Log(context.Background(), level, msg, "component", "http")
	return len(p), nil
}

// hsts adds Strict-Transport-Security to every answer given over TLS.
func hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", hstsValue)
		}
		next.ServeHTTP(w, r)
	})
}

// redirectToHTTPS answers every plain-http request with a permanent
// redirect to the same path over https: on the public URL's origin when it
// is https, otherwise on the requested host at the https listener's port.
// 308 keeps the method and body of a non-GET request.
func redirectToHTTPS(publicURL, tlsPort string) http.Handler {
	origin := ""
	if strings.HasPrefix(publicURL, "https://") {
		origin = strings.TrimSuffix(publicURL, "/")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := origin
		if target == "" {
			host := r.Host
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			if host == "" {
				http.Error(w, "https only", http.StatusBadRequest)
				return
			}
			if strings.Contains(host, ":") { // IPv6 literal
				host = "[" + host + "]"
			}
			if tlsPort != "443" {
				host += ":" + tlsPort
			}
			target = "https://" + host
		}
		w.Header().Set("Connection", "close")
		http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}

// startRedirect serves redirectToHTTPS (wrapped by wrap, for ACME http-01
// challenges) on the already-bound listener ln.
func (m *Main) startRedirect(ln net.Listener, h http.Handler) {
	m.RedirectAddr = ln.Addr().String()
	m.redirectHTTP = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := m.redirectHTTP.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("redirect server stopped", "err", err)
		}
	}()
	m.Log.Info("redirecting http://"+ln.Addr().String()+" to https", "redirect_addr", ln.Addr().String())
}

package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/kinema/kinema/internal/config"
)

// acmeCerts obtains and renews certificates for config.Domains from an ACME
// CA (Let's Encrypt by default) with certmagic, keeping them, the account
// and the renewal locks in config.ACMEDir. API nodes that share that
// directory share one certificate: whichever node holds the lock orders or
// renews it, the others load it from the directory.
type acmeCerts struct {
	magic   *certmagic.Config
	cache   *certmagic.Cache
	issuer  *certmagic.ACMEIssuer
	domains []string
	log     *slog.Logger
	stop    context.CancelFunc
}

// newACME prepares certificate management. The challenge listeners are
// ours: tlsAddr (tls-alpn-01, through the returned TLSConfig) and, when
// not nil, httpAddr (http-01, through HTTPChallengeHandler on the redirect
// listener). Both are bound before any order starts, so certmagic never
// binds ports of its own. A non-empty only ("http-01", "tls-alpn-01")
// offers that challenge alone.
func newACME(cfg config.Config, tlsAddr, httpAddr net.Addr, only string, log *slog.Logger) (*acmeCerts, error) {
	a := &acmeCerts{domains: cfg.Domains(), log: log}
	if len(a.domains) == 0 {
		return nil, fmt.Errorf("acme: no domain in %q", cfg.TLSDomains)
	}
	if err := os.MkdirAll(cfg.ACMEDir(), 0o700); err != nil {
		return nil, fmt.Errorf("acme: %w", err)
	}
	var roots *x509.CertPool
	if cfg.ACMECARoot != "" {
		pem, err := os.ReadFile(cfg.ACMECARoot)
		if err != nil {
			return nil, fmt.Errorf("acme: %w", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("acme: no certificate in %s", cfg.ACMECARoot)
		}
	}
	zl := zap.New(slogCore{log: log})
	a.cache = certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return a.magic, nil },
		Logger:           zl,
	})
	a.magic = certmagic.New(a.cache, certmagic.Config{
		Storage:           &certmagic.FileStorage{Path: cfg.ACMEDir()},
		DefaultServerName: a.domains[0], // clients without SNI get the first name's certificate
		Logger:            zl,
	})
	tlsHost, tlsPort := hostPort(tlsAddr)
	issuer := certmagic.ACMEIssuer{
		CA: cfg.ACMECA, Email: cfg.ACMEEmail, Agreed: true, TrustedRoots: roots,
		ListenHost: tlsHost, AltTLSALPNPort: tlsPort,
		DisableHTTPChallenge: httpAddr == nil,
		Logger:               zl,
	}
	if httpAddr != nil {
		// certmagic tries ListenHost:AltHTTPPort itself, finds it taken by
		// our listener and relies on HTTPChallengeHandler there.
		_, issuer.AltHTTPPort = hostPort(httpAddr)
	}
	switch only {
	case "http-01":
		issuer.DisableTLSALPNChallenge = true
	case "tls-alpn-01":
		issuer.DisableHTTPChallenge = true
	}
	a.issuer = certmagic.NewACMEIssuer(a.magic, issuer)
	a.magic.Issuers = []certmagic.Issuer{a.issuer}
	return a, nil
}

// acmePublicURL is the public URL with --tls-domain and no --public-url:
// the first name, on the https listener's port unless that is 443, so
// signed URLs name the host the certificate is for.
func acmePublicURL(domain, addr string) string {
	u := "https://" + domain
	if _, port, err := net.SplitHostPort(addr); err == nil && port != "443" && port != "0" && port != "" {
		u += ":" + port
	}
	return u
}

// hostPort splits a bound listener address.
func hostPort(addr net.Addr) (string, int) {
	host, port, _ := net.SplitHostPort(addr.String())
	n, _ := strconv.Atoi(port)
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = ""
	}
	return host, n
}

// TLSConfig answers handshakes with the managed certificates and
// tls-alpn-01 challenges, and offers HTTP/2 first.
func (a *acmeCerts) TLSConfig() *tls.Config {
	c := a.magic.TLSConfig()
	c.MinVersion = tls.VersionTLS12
	c.NextProtos = slices.Concat([]string{"h2", "http/1.1"}, c.NextProtos)
	return c
}

// HTTPChallengeHandler answers http-01 challenges and passes everything
// else to next.
func (a *acmeCerts) HTTPChallengeHandler(next http.Handler) http.Handler {
	return a.issuer.HTTPChallengeHandler(next)
}

// Start loads the certificates from storage or orders them, in the
// background, and keeps renewing them until Stop. Until the first one is
// there, https handshakes fail.
func (a *acmeCerts) Start(ctx context.Context) error {
	ctx, a.stop = context.WithCancel(context.WithoutCancel(ctx))
	if err := a.magic.ManageAsync(ctx, a.domains); err != nil {
		return fmt.Errorf("acme: %w", err)
	}
	a.log.Info("managing certificates", "domains", a.domains)
	return nil
}

// Stop ends renewals. Safe to call twice.
func (a *acmeCerts) Stop() {
	if a.stop != nil {
		a.stop()
		a.stop = nil
		a.cache.Stop()
	}
}

// slogCore sends certmagic's zap logs (info and above) to the server's
// slog logger, so they come out in the same JSON lines as everything else.
type slogCore struct {
	log    *slog.Logger
	fields []zapcore.Field
}

func (c slogCore) Enabled(l zapcore.Level) bool { return l >= zapcore.InfoLevel }

func (c slogCore) With(fs []zapcore.Field) zapcore.Core {
	return slogCore{log: c.log, fields: slices.Concat(c.fields, fs)}
}

func (c slogCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c slogCore) Write(e zapcore.Entry, fs []zapcore.Field) error {
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range slices.Concat(c.fields, fs) {
		f.AddTo(enc)
	}
	attrs := make([]any, 0, 2*len(enc.Fields))
	for k, v := range enc.Fields {
		attrs = append(attrs, k, v)
	}
	level := slog.LevelInfo
	switch {
	case e.Level >= zapcore.ErrorLevel:
		level = slog.LevelError
	case e.Level == zapcore.WarnLevel:
		level = slog.LevelWarn
	}
	c.log.Log(context.Background(), level, e.Message, attrs...)
	return nil
}

func (c slogCore) Sync() error { return nil }

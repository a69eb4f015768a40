package cloudfront

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"
)

// Config says how to sign for one CloudFront distribution.
type Config struct {
	// KeyPairID is the id CloudFront gives the public key in the
	// distribution's trusted key group (e.g. "K2JCJMDEHXQW5F").
	KeyPairID string
	// PrivateKeyPEM is the path of the matching RSA private key, PEM encoded
	// as PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY").
	PrivateKeyPEM string
	// Domain is the distribution's host name, e.g. "d111111abcdef8.cloudfront.net"
	// or an alternate domain such as "cdn.example.com".
	Domain string
	// CookieDomain is the Domain attribute for signed cookies. A browser only
	// sends cookies to the distribution if they were set for its host or a
	// parent of it, so kinema at app.example.com serving through
	// cdn.example.com sets "example.com". Empty means host-only cookies,
	// which work only if they are set by a response from Domain itself.
	CookieDomain string
	// CrossSite makes signed cookies SameSite=None, for players embedded on
	// other sites. The default, Lax, is enough when the player page and the
	// distribution share a registrable domain (app. and cdn.example.com).
	CrossSite bool
}

// Validate reports a missing or malformed field.
func (c Config) Validate() error {
	switch {
	case c.KeyPairID == "":
		return errors.New("cloudfront: key pair id is required")
	case c.PrivateKeyPEM == "":
		return errors.New("cloudfront: private key path is required")
	case c.Domain == "" || strings.ContainsAny(c.Domain, "/:?#@ "):
		return fmt.Errorf("cloudfront: domain %q must be a bare host name", c.Domain)
	}
	return nil
}

// Signer issues signed URLs and cookies for one distribution. It is safe for
// concurrent use.
type Signer struct {
	cfg  Config
	key  *rsa.PrivateKey
	urls *sign.URLSigner
}

// NewSigner validates cfg and loads its private key.
func NewSigner(cfg Config) (*Signer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	key, err := LoadPrivateKey(cfg.PrivateKeyPEM)
	if err != nil {
		return nil, err
	}
	return NewSignerKey(cfg, key)
}

// NewSignerKey is NewSigner with the key already in memory;
// cfg.PrivateKeyPEM is ignored.
func NewSignerKey(cfg Config, key *rsa.PrivateKey) (*Signer, error) {
	cfg.PrivateKeyPEM = "-"
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if key == nil {
		return nil, errors.New("cloudfront: no private key")
	}
	return &Signer{cfg: cfg, key: key, urls: sign.NewURLSigner(cfg.KeyPairID, key)}, nil
}

// LoadPrivateKey reads an RSA private key from a PEM file.
func LoadPrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cloudfront: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("cloudfront: %s: no PEM block", path)
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("cloudfront: %s: %w", path, err)
		}
		return key, nil
	case "PRIVATE KEY":
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("cloudfront: %s: %w", path, err)
		}
		if rk, ok := key.(*rsa.PrivateKey); ok {
			return rk, nil
		}
		return nil, fmt.Errorf("cloudfront: %s: not an RSA key", path)
	}
	return nil, fmt.Errorf("cloudfront: %s: unexpected PEM block %q", path, block.Type)
}

// URL returns the distribution URL of path ("/media/<id>/master.m3u8").
func (s *Signer) URL(path string) string { return "https://" + s.cfg.Domain + path }

// Policy is a custom policy: access to Resource (which may use '*' and '?')
// before Expires, and optionally not before NotBefore and only from
// SourceIP.
type Policy struct {
	Resource  string
	Expires   time.Time
	NotBefore time.Time    // zero: no lower bound
	SourceIP  netip.Prefix // invalid: any address
}

func (p Policy) sdk() (*sign.Policy, error) {
	if p.Resource == "" || p.Expires.Unix() <= 0 {
		return nil, errors.New("cloudfront: policy needs a resource and an expiry")
	}
	st := sign.Statement{Resource: p.Resource, Condition: sign.Condition{DateLessThan: sign.NewAWSEpochTime(p.Expires)}}
	if !p.NotBefore.IsZero() {
		st.Condition.DateGreaterThan = sign.NewAWSEpochTime(p.NotBefore)
	}
	if p.SourceIP.IsValid() {
		st.Condition.IPAddress = &sign.IPAddress{SourceIP: p.SourceIP.Masked().String()}
	}
	return &sign.Policy{Statements: []sign.Statement{st}}, nil
}

// SignURL signs rawURL with a canned policy: that exact URL, until expires.
func (s *Signer) SignURL(rawURL string, expires time.Time) (string, error) {
	out, err := s.urls.Sign(rawURL, expires)
	if err != nil {
		return "", fmt.Errorf("cloudfront: sign url: %w", err)
	}
	return out, nil
}

// SignURLPolicy signs rawURL with custom policy p, whose resource may cover
// more than rawURL: the same Policy, Signature and Key-Pair-Id parameters
// then work on every URL the resource matches.
func (s *Signer) SignURLPolicy(rawURL string, p Policy) (string, error) {
	sp, err := p.sdk()
	if err != nil {
		return "", err
	}
	out, err := s.urls.SignWithPolicy(rawURL, sp)
	if err != nil {
		return "", fmt.Errorf("cloudfront: sign url: %w", err)
	}
	return out, nil
}

// SignCookies returns the three CloudFront cookies granting custom policy p,
// scoped to path on the distribution. They are Secure (CloudFront serves
// kinema over https only) and HttpOnly.
func (s *Signer) SignCookies(p Policy, path string) ([]*http.Cookie, error) {
	sp, err := p.sdk()
	if err != nil {
		return nil, err
	}
	cs := sign.NewCookieSigner(s.cfg.KeyPairID, s.key)
	cookies, err := cs.SignWithPolicy(sp, s.cookieOptions(path, p.Expires))
	if err != nil {
		return nil, fmt.Errorf("cloudfront: sign cookies: %w", err)
	}
	return cookies, nil
}

// SignCannedCookies returns cookies granting exactly rawURL until expires.
// The SDK sends the canned policy in CloudFront-Policy, which CloudFront
// accepts like any custom policy.
func (s *Signer) SignCannedCookies(rawURL, path string, expires time.Time) ([]*http.Cookie, error) {
	cs := sign.NewCookieSigner(s.cfg.KeyPairID, s.key)
	cookies, err := cs.Sign(rawURL, expires, s.cookieOptions(path, expires))
	if err != nil {
		return nil, fmt.Errorf("cloudfront: sign cookies: %w", err)
	}
	return cookies, nil
}

func (s *Signer) cookieOptions(path string, expires time.Time) func(*sign.CookieOptions) {
	return func(o *sign.CookieOptions) {
		o.Path, o.Domain, o.Secure, o.Expires = path, s.cfg.CookieDomain, true, expires.UTC()
		o.SameSite = http.SameSiteLaxMode
		if s.cfg.CrossSite {
			o.SameSite = http.SameSiteNoneMode
		}
	}
}

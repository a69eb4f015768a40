package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/netguard"
)

// ErrBlockedAddress is a connection refused because it would reach a
// loopback, private, link-local or otherwise internal address.
var ErrBlockedAddress = errors.New("webhook: address not allowed")

// MaxURLLength bounds an endpoint URL.
const MaxURLLength = 2000

// PublicAddr reports whether ip is an ordinary public unicast address that
// webhooks may reach when private addresses are not allowed.
func PublicAddr(ip netip.Addr) bool { return netguard.PublicAddr(ip) }

// CheckURL validates an endpoint URL: absolute http or https, a host, no
// user:password part, at most MaxURLLength bytes. Without allowPrivate it
// also refuses hosts that are internal on their face (an internal IP
// literal, localhost); names resolving to internal addresses are refused
// when connecting. Errors are *media.InputError.
func CheckURL(raw string, allowPrivate bool) error {
	if raw == "" || len(raw) > MaxURLLength {
		return media.Inputf("url must be an http or https URL of at most %d characters.", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return media.Inputf("url must be an absolute http or https URL.")
	}
	if u.User != nil {
		return media.Inputf("url must not contain a user name or password.")
	}
	if allowPrivate {
		return nil
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return media.Inputf("url must not point at this server or a private network.")
	}
	if ip, err := netip.ParseAddr(host); err == nil && !PublicAddr(ip) {
		return media.Inputf("url must not point at this server or a private network.")
	}
	return nil
}

// dialControl refuses non-public addresses. It runs after DNS resolution,
// on the address actually being connected to, for every address tried.
func dialControl(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return ErrBlockedAddress
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !PublicAddr(ip) {
		return ErrBlockedAddress
	}
	return nil
}

// newClient is the HTTP client of deliveries: per-request timeout, no
// proxy (a proxy would connect on our behalf, past the address check), no
// redirects (the 3xx is the answer), and the address guard unless
// allowPrivate.
func newClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = dialControl
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          32,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// describe turns a transport error into a short sentence for the delivery
// log. A blocked address and a name that does not resolve read the same,
// and the resolved address never appears: otherwise a user could map
// internal DNS names through the log.
func describe(err error) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, errInvalidURL):
		return "not sent: the URL is not a valid http or https URL"
	case errors.Is(err, ErrBlockedAddress) || errors.As(err, &dnsErr):
		return "could not connect: the host does not resolve to a public address"
	case isTimeout(err):
		return "timed out"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &opErr) && opErr.Err != nil:
		return fmt.Sprintf("connection failed: %s", opErr.Err.Error())
	}
	var uErr *url.Error
	if errors.As(err, &uErr) {
		return "request failed: " + uErr.Err.Error()
	}
	return "request failed: " + err.Error()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

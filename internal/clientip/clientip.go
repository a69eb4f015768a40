// Package clientip finds the viewer's address behind trusted reverse
// proxies. Rate limits, IP-bound playback tokens and logs all need the same
// answer, and trusting X-Forwarded-For from anyone would let a client claim
// any address.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver reads the client address of a request.
type Resolver struct {
	// Trusted are the proxies whose X-Forwarded-For is believed.
	Trusted []netip.Prefix
}

// Parse reads a comma-separated list of addresses or CIDR prefixes.
func Parse(list string) (Resolver, error) {
	var r Resolver
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return Resolver{}, fmt.Errorf("trusted proxy %q: not an address or CIDR prefix", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		r.Trusted = append(r.Trusted, p.Masked())
	}
	return r, nil
}

// IP returns the connection's address, or, when that is a trusted proxy,
// the right-most X-Forwarded-For entry that is not itself a trusted proxy
// (entries further left were written by the client and prove nothing).
func (r Resolver) IP(req *http.Request) netip.Addr {
	addr := remote(req)
	if !r.trusted(addr) {
		return addr
	}
	hops := strings.Split(strings.Join(req.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return addr // a malformed chain: stop at the last proxy we trust
		}
		a = a.Unmap()
		if !r.trusted(a) {
			return a
		}
		addr = a
	}
	return addr
}

func (r Resolver) trusted(a netip.Addr) bool {
	for _, p := range r.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func remote(req *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// Bucket is the key to rate-limit a by: IPv6 hosts usually own a whole /64,
// so limiting single IPv6 addresses would limit nothing.
func Bucket(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

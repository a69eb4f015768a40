package api

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// knownHost reports whether r's Host may name this server in the URLs it
// signs. With a PublicURL the Host is never used, so anything goes.
// Without one, a client chooses the Host header, so any name would end up
// in upload and playback URLs handed to others (Host: evil.example gives
// http://evil.example/media/...); only names that cannot point elsewhere
// are taken: localhost, loopback addresses and this machine's own
// addresses (a LAN test by IP). That keeps `make run` on localhost:8080
// and tests on 127.0.0.1:PORT working; anything else needs --public-url.
func (s *Server) knownHost(r *http.Request) bool {
	if s.PublicURL != "" {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	return s.localAddr(ip.Unmap())
}

// localAddr reports whether ip is an address of one of this machine's
// interfaces. It is asked only for non-loopback IP hosts, so the lookup
// is not on the common path.
func (s *Server) localAddr(ip netip.Addr) bool {
	if s.LocalAddrsFunc != nil {
		for _, a := range s.LocalAddrsFunc() {
			if a == ip {
				return true
			}
		}
		return false
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if la, ok := netip.AddrFromSlice(n.IP); ok && la.Unmap() == ip {
				return true
			}
		}
	}
	return false
}

// refuseUnknownHost answers 421 when r's Host is not known (see knownHost).
func (s *Server) refuseUnknownHost(w http.ResponseWriter, r *http.Request) bool {
	if s.knownHost(r) {
		return false
	}
	writeCode(w, http.StatusMisdirectedRequest, "unknown_host",
		"This server does not answer to the host name "+strconv.Quote(r.Host)+": its operator must set --public-url (KINEMA_PUBLIC_URL).")
	return true
}

package clientip

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIP(t *testing.T) {
	t.Parallel()
	r, err := Parse("10.0.0.0/8, 192.0.2.7")
	require.NoError(t, err)
	cases := []struct {
		name, remote, xff, want string
	}{
		{"direct client", "203.0.113.9:1234", "", "203.0.113.9"},
		{"untrusted peer cannot claim an address", "203.0.113.9:1234", "1.2.3.4", "203.0.113.9"},
		{"one trusted proxy", "10.1.2.3:80", "198.51.100.4", "198.51.100.4"},
		{"client-written entries are ignored", "10.1.2.3:80", "6.6.6.6, 198.51.100.4", "198.51.100.4"},
		{"chain of trusted proxies", "10.1.2.3:80", "198.51.100.4, 192.0.2.7, 10.9.9.9", "198.51.100.4"},
		{"malformed entry stops at the proxy", "10.1.2.3:80", "junk", "10.1.2.3"},
		{"all hops trusted", "10.1.2.3:80", "10.4.4.4", "10.4.4.4"},
		{"mapped IPv4", "[::ffff:203.0.113.9]:1", "", "203.0.113.9"},
	}
	for _, c := range cases {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = c.remote
		if c.xff != "" {
			req.Header.Set("X-Forwarded-For", c.xff)
		}
		require.Equal(t, netip.MustParseAddr(c.want), r.IP(req), c.name)
	}
	_, err = Parse("10.0.0.0/8, nonsense")
	require.Error(t, err)
}

func TestBucket(t *testing.T) {
	t.Parallel()
	require.Equal(t, "203.0.113.9", Bucket(netip.MustParseAddr("203.0.113.9")))
	require.Equal(t, Bucket(netip.MustParseAddr("2001:db8:1:2::1")), Bucket(netip.MustParseAddr("2001:db8:1:2:ffff::9")))
	require.NotEqual(t, Bucket(netip.MustParseAddr("2001:db8:1:2::1")), Bucket(netip.MustParseAddr("2001:db8:1:3::1")))
}

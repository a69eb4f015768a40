package cloudfront

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// matchReference is the textbook dynamic-programming wildcard match, slow
// but obviously right, to check the fast matcher against.
func matchReference(pattern, s string) bool {
	// ok[j]: pattern[:i] matches s[:j], for the current i.
	ok := make([]bool, len(s)+1)
	ok[0] = true
	for i := 0; i < len(pattern); i++ {
		next := make([]bool, len(s)+1)
		next[0] = ok[0] && pattern[i] == '*'
		for j := 1; j <= len(s); j++ {
			switch pattern[i] {
			case '*':
				next[j] = ok[j] || next[j-1]
			case '?':
				next[j] = ok[j-1]
			default:
				next[j] = ok[j-1] && pattern[i] == s[j-1]
			}
		}
		ok = next
	}
	return ok[len(s)]
}

func FuzzMatch(f *testing.F) {
	f.Add("https://d/media/v1/*", "https://d/media/v1/v0/seg_00000.m4s")
	f.Add("https://d/media/v?/*.m3u8", "https://d/media/v1/master.m3u8")
	f.Add("*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Add("", "")
	f.Add("?", "é")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 256 || len(s) > 256 {
			return // the reference is quadratic; the fast matcher's cost is checked by the seeds
		}
		if got, want := match(pattern, s), matchReference(pattern, s); got != want {
			t.Fatalf("match(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	})
}

// FuzzParsePolicy: a policy that parses re-encodes to one that parses to
// the same statement, so no field is silently lost or invented.
func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(`{"Statement":[{"Resource":"https://d/media/v1/*","Condition":{"DateLessThan":{"AWS:EpochTime":1700003600},` +
		`"DateGreaterThan":{"AWS:EpochTime":1},"IpAddress":{"AWS:SourceIp":"192.0.2.7/32"}}}]}`))
	f.Add([]byte(`{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]} {}`))
	f.Add([]byte(`{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":1},"Other":{}}}]}`))
	f.Add([]byte(`{"Statement":[],"statement":[{"resource":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := parsePolicy(data)
		if err != nil {
			return
		}
		if st.Resource == "" || st.Condition.DateLessThan == nil {
			t.Fatalf("accepted a policy without resource or expiry: %+v", st)
		}
		again, err := json.Marshal(map[string]any{"Statement": []statement{st}})
		if err != nil {
			t.Fatal(err)
		}
		st2, err := parsePolicy(again)
		if err != nil {
			t.Fatalf("re-encoded policy %s does not parse: %v", again, err)
		}
		if !reflect.DeepEqual(st, st2) {
			t.Fatalf("round trip changed the statement:\n%+v\n%+v", st, st2)
		}
	})
}

// FuzzVerify feeds arbitrary URLs and Cookie headers to the verifier. The
// fuzzer cannot forge RSA signatures, so anything accepted must carry one
// of the signatures made for the seeds, and be a request that signature's
// policy covers.
func FuzzVerify(f *testing.F) {
	k := testKeys()
	s, err := NewSignerKey(Config{KeyPairID: kpid, Domain: domain}, k[0])
	if err != nil {
		f.Fatal(err)
	}
	v := NewVerifier(map[string]*rsa.PublicKey{kpid: &k[0].PublicKey, "KOTHER": &k[1].PublicKey})
	now := time.Unix(1_700_000_000, 0)
	signed := map[string]bool{} // every Signature value made below
	canned, err := s.CannedPlaybackURLs("vid_1", media.KindVideo, time.Hour, now)
	if err != nil {
		f.Fatal(err)
	}
	custom, err := s.PlaybackURLsBound("vid_2", media.KindVideo, netip.MustParseAddr("192.0.2.7"), time.Hour, now)
	if err != nil {
		f.Fatal(err)
	}
	cookies, err := s.PlaybackCookies("vid_3", time.Hour, now)
	if err != nil {
		f.Fatal(err)
	}
	var header string
	for _, c := range cookies {
		if c.Name == cookiePrefix+paramSignature {
			signed[c.Value] = true
		}
		header += c.Name + "=" + c.Value + "; "
	}
	for _, u := range []string{canned.HLS, canned.DASH, custom.HLS, custom.Poster} {
		if err := v.VerifyURL(u, netip.MustParseAddr("192.0.2.7"), now); err != nil {
			f.Fatalf("seed %s: %v", u, err) // the property below would be vacuous
		}
		signed[queryParam(u, paramSignature)] = true
		f.Add(u, "")
	}
	f.Add("https://"+domain+"/media/vid_3/v0/seg_00000.m4s", header)
	f.Add("https://"+domain+"/media/vid_3/master.m3u8?Policy=e30_&Signature=AA__&Key-Pair-Id="+kpid, "CloudFront-Expires=1")
	f.Fuzz(func(t *testing.T, rawURL, cookieHeader string) {
		clients := []netip.Addr{{}, netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("::ffff:192.0.2.7")}
		for _, client := range clients {
			if err := v.VerifyURL(rawURL, client, now); err == nil && !signed[queryParam(rawURL, paramSignature)] {
				t.Fatalf("accepted a URL signed by nobody: %q", rawURL)
			} else if err != nil && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrExpired) {
				t.Fatalf("unexpected error %v", err)
			}
			req := http.Request{Header: http.Header{"Cookie": {cookieHeader}}}
			cs := req.Cookies()
			if err := v.VerifyCookies(rawURL, cs, client, now); err == nil && !signed[cookieValue(cs, cookiePrefix+paramSignature)] {
				t.Fatalf("accepted cookies signed by nobody: %q for %q", cookieHeader, rawURL)
			}
		}
	})
}

// queryParam returns the raw value of the first key=... in u's query, as
// the verifier reads it.
func queryParam(u, key string) string {
	_, q, _ := strings.Cut(u, "?")
	for _, kv := range strings.Split(q, "&") {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

func cookieValue(cs []*http.Cookie, name string) string {
	for _, c := range cs {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

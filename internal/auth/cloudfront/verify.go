package cloudfront

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Verification errors. As with play tokens, a caller answers both with the
// same 403; ErrExpired is returned only for a genuine credential past its
// expiry.
var (
	ErrInvalid = errors.New("cloudfront: invalid signature or policy")
	ErrExpired = errors.New("cloudfront: signature expired")
)

// Signing parameter and cookie names, as CloudFront defines them.
const (
	paramExpires   = "Expires"
	paramPolicy    = "Policy"
	paramSignature = "Signature"
	paramKeyPairID = "Key-Pair-Id"
	cookiePrefix   = "CloudFront-"
)

// Verifier checks CloudFront signed URLs and cookies the way CloudFront
// does, against the public keys of a trusted key group. It is independent of
// the AWS SDK on purpose: tests cross-check the two implementations.
type Verifier struct {
	keys map[string]*rsa.PublicKey
}

// NewVerifier returns a Verifier trusting keys, by key pair id.
func NewVerifier(keys map[string]*rsa.PublicKey) *Verifier {
	cp := make(map[string]*rsa.PublicKey, len(keys))
	for id, k := range keys {
		cp[id] = k
	}
	return &Verifier{keys: cp}
}

// credential is one set of signing values, from a URL or from cookies.
type credential struct {
	expires, policy, signature, keyPairID string
	hasExpires, hasPolicy                 bool
}

// VerifyURL checks signedURL as a request for it from client at now.
// client may be the zero Addr when unknown; a policy with a source-IP
// condition then fails.
func (v *Verifier) VerifyURL(signedURL string, client netip.Addr, now time.Time) error {
	u, err := url.Parse(signedURL)
	if err != nil || u.Host == "" || u.Fragment != "" {
		return ErrInvalid
	}
	// The resource is the URL minus the signing parameters, with every other
	// parameter kept as written, in order.
	var c credential
	var rest []string
	for _, kv := range strings.Split(u.RawQuery, "&") {
		if kv == "" {
			continue
		}
		k, val, _ := strings.Cut(kv, "=")
		var dst *string
		switch k {
		case paramExpires:
			dst, c.hasExpires = &c.expires, true
		case paramPolicy:
			dst, c.hasPolicy = &c.policy, true
		case paramSignature:
			dst = &c.signature
		case paramKeyPairID:
			dst = &c.keyPairID
		default:
			rest = append(rest, kv)
			continue
		}
		if *dst != "" || val == "" {
			return ErrInvalid // repeated or empty: ambiguous, refuse
		}
		*dst = val
	}
	// Rebuild from the text as given rather than u.String(), which may
	// re-encode the path and so change what the signature is checked for.
	resource, _, _ := strings.Cut(signedURL, "?")
	if len(rest) > 0 {
		resource += "?" + strings.Join(rest, "&")
	}
	return v.verify(resource, c, client, now)
}

// VerifyCookies checks CloudFront cookies sent with a request for
// resourceURL (the full URL, https://DOMAIN/path?query) from client at now.
func (v *Verifier) VerifyCookies(resourceURL string, cookies []*http.Cookie, client netip.Addr, now time.Time) error {
	var c credential
	for _, ck := range cookies {
		var dst *string
		switch ck.Name {
		case cookiePrefix + paramExpires:
			dst, c.hasExpires = &c.expires, true
		case cookiePrefix + paramPolicy:
			dst, c.hasPolicy = &c.policy, true
		case cookiePrefix + paramSignature:
			dst = &c.signature
		case cookiePrefix + paramKeyPairID:
			dst = &c.keyPairID
		default:
			continue
		}
		if *dst != "" || ck.Value == "" {
			return ErrInvalid
		}
		*dst = ck.Value
	}
	return v.verify(resourceURL, c, client, now)
}

// verify checks c for a request of resource. Nothing about the policy is
// trusted before its signature checks out.
func (v *Verifier) verify(resource string, c credential, client netip.Addr, now time.Time) error {
	if c.hasExpires == c.hasPolicy || c.signature == "" || c.keyPairID == "" {
		return ErrInvalid // exactly one of canned (Expires) or custom (Policy)
	}
	var policy []byte
	var err error
	if c.hasExpires {
		n, perr := strconv.ParseInt(c.expires, 10, 64)
		if perr != nil || n <= 0 || strconv.FormatInt(n, 10) != c.expires {
			return ErrInvalid
		}
		// Rebuilding the policy from the requested URL is what binds a
		// canned signature to that exact resource.
		policy, err = cannedPolicy(resource, n)
	} else {
		policy, err = decode(c.policy)
	}
	if err != nil {
		return ErrInvalid
	}
	sig, err := decode(c.signature)
	if err != nil {
		return ErrInvalid
	}
	pub, ok := v.keys[c.keyPairID]
	if !ok {
		return ErrInvalid
	}
	sum := sha1.Sum(policy)
	if rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig) != nil {
		return ErrInvalid
	}
	st, err := parsePolicy(policy)
	if err != nil {
		return ErrInvalid
	}
	return st.allows(resource, client, now)
}

// statement is the single statement a CloudFront policy may hold.
type statement struct {
	Resource  string `json:"Resource"`
	Condition struct {
		DateLessThan    *epoch `json:"DateLessThan"`
		DateGreaterThan *epoch `json:"DateGreaterThan"`
		IPAddress       *struct {
			SourceIP string `json:"AWS:SourceIp"`
		} `json:"IpAddress"`
	} `json:"Condition"`
}

type epoch struct {
	Sec int64 `json:"AWS:EpochTime"`
}

// parsePolicy decodes exactly one statement and no unknown fields: a
// condition this verifier does not know could not be enforced, so it is
// refused rather than ignored.
func parsePolicy(data []byte) (statement, error) {
	var p struct {
		Statement []statement `json:"Statement"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return statement{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return statement{}, errors.New("trailing data")
	}
	if len(p.Statement) != 1 {
		return statement{}, errors.New("want one statement")
	}
	st := p.Statement[0]
	if st.Resource == "" || st.Condition.DateLessThan == nil {
		return statement{}, errors.New("resource and DateLessThan are required")
	}
	return st, nil
}

// allows applies the statement's conditions to a request.
func (st statement) allows(resource string, client netip.Addr, now time.Time) error {
	if !match(st.Resource, resource) {
		return ErrInvalid
	}
	if gt := st.Condition.DateGreaterThan; gt != nil && now.Unix() < gt.Sec {
		return ErrInvalid
	}
	if ip := st.Condition.IPAddress; ip != nil {
		prefix, err := parseSourceIP(ip.SourceIP)
		if err != nil || !client.IsValid() || !prefix.Contains(client.Unmap()) {
			return ErrInvalid
		}
	}
	if now.Unix() >= st.Condition.DateLessThan.Sec {
		return ErrExpired
	}
	return nil
}

// parseSourceIP accepts CIDR notation and, as CloudFront does, a bare
// address meaning that one address.
func parseSourceIP(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Headers of a delivery.
const (
	// HeaderSignature is "t=<unix seconds>,v1=<hex HMAC-SHA256>"; there may
	// be several v1 values while a secret is being rotated.
	HeaderSignature = "Kinema-Signature"
	// HeaderEvent is the event type, as in the payload.
	HeaderEvent = "Kinema-Event"
	// HeaderDelivery is the delivery id, the same on every retry: receivers
	// use it to drop duplicates.
	HeaderDelivery = "Kinema-Delivery"
)

// DefaultWindow is how far a signature's timestamp may be from the
// receiver's clock, either way, before the request counts as a replay.
const DefaultWindow = 5 * time.Minute

// Verification errors. Callers should answer all of them alike (see
// Receiver): telling a sender which check failed helps only a forger.
var (
	ErrMalformedHeader = errors.New("webhook: malformed signature header")
	ErrBadSignature    = errors.New("webhook: no matching signature")
	ErrStale           = errors.New("webhook: timestamp outside the tolerance window")
)

// maxHeader bounds what Verify parses; a real header is about 80 bytes per
// signature.
const maxHeader = 2048

// Sign returns the Kinema-Signature value for body sent at t: the HMAC-SHA256
// with key secret of "<unix seconds>.<body>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a Kinema-Signature header value against body as a receiver
// would: one of its v1 signatures must be the HMAC of its timestamp and the
// body under secret (compared in constant time), and the timestamp must be
// within window of now (DefaultWindow when window <= 0), so a captured
// request cannot be replayed later. It returns ErrMalformedHeader,
// ErrBadSignature or ErrStale.
func Verify(secret, header string, body []byte, now time.Time, window time.Duration) error {
	if window <= 0 {
		window = DefaultWindow
	}
	ts, sigs, ok := parseHeader(header)
	if !ok {
		return ErrMalformedHeader
	}
	want := mac(secret, ts, body)
	match := false
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		if err == nil && hmac.Equal(got, want) {
			match = true
		}
	}
	if !match {
		return ErrBadSignature
	}
	unix, _ := strconv.ParseInt(ts, 10, 64) // parseHeader checked it
	age := now.Sub(time.Unix(unix, 0))
	if age > window || age < -window {
		return ErrStale
	}
	return nil
}

// parseHeader splits "t=...,v1=...,v1=..." into the timestamp and the v1
// values. Unknown schemes are ignored so a future v2 can be added beside
// v1; a missing or repeated t, or no v1 at all, is malformed.
func parseHeader(h string) (ts string, sigs []string, ok bool) {
	if h == "" || len(h) > maxHeader {
		return "", nil, false
	}
	for part := range strings.SplitSeq(h, ",") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			return "", nil, false
		}
		switch k {
		case "t":
			if ts != "" || !digits(v) {
				return "", nil, false
			}
			ts = v
		case "v1":
			if len(v) != sha256.Size*2 {
				return "", nil, false
			}
			sigs = append(sigs, v)
		}
	}
	return ts, sigs, ts != "" && len(sigs) > 0
}

func digits(s string) bool {
	if s == "" || len(s) > 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

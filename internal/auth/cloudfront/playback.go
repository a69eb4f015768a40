package cloudfront

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// Playback is the set of CloudFront URLs a player needs for one video. It
// has the same fields as delivery.Playback, so the caller converts with
// delivery.Playback(pb) without this package importing delivery.
type Playback struct {
	HLS        string    `json:"hls"`
	DASH       string    `json:"dash"`
	Poster     string    `json:"poster"`
	Storyboard string    `json:"storyboard"`
	Chapters   string    `json:"chapters"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// videoDir is the distribution path of a video's files; it mirrors the
// processed bucket's media/<id>/ layout, which CloudFront serves as is.
func videoDir(videoID string) (string, error) {
	if !validID(videoID) {
		return "", fmt.Errorf("cloudfront: invalid video id %q", videoID)
	}
	return "/media/" + videoID + "/", nil
}

// VideoPolicy returns a custom policy granting every file of videoID on the
// distribution (https://DOMAIN/media/<id>/*) until now+ttl, only to client
// when it is an IPv4 address (see SourceIP).
func (s *Signer) VideoPolicy(videoID string, client netip.Addr, ttl time.Duration, now time.Time) (Policy, error) {
	if ttl < time.Second {
		return Policy{}, errors.New("cloudfront: ttl must be at least a second")
	}
	dir, err := videoDir(videoID)
	if err != nil {
		return Policy{}, err
	}
	return Policy{Resource: s.URL(dir) + "*", Expires: now.Add(ttl).Truncate(time.Second), SourceIP: SourceIP(client)}, nil
}

// SourceIP is the policy condition that binds a grant to client: its /32
// for IPv4 (IPv4-mapped IPv6 included), and no binding for IPv6 or an
// invalid address. CloudFront's IpAddress condition only works reliably
// with IPv4: with IPv6 enabled on the distribution, a viewer may reach the
// API over one family and CloudFront over the other.
func SourceIP(client netip.Addr) netip.Prefix {
	client = client.Unmap()
	if !client.Is4() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(client, 32)
}

// PlaybackURLs returns the video's entry URLs signed with one wildcard
// custom policy (see VideoPolicy). CloudFront does not rewrite manifests, so
// the segment URLs a player derives from them carry no signature: pair these
// URLs with PlaybackCookies (or an edge function that copies the query onto
// child URLs) for segments to load.
func (s *Signer) PlaybackURLs(videoID string, kind media.Kind, ttl time.Duration, now time.Time) (Playback, error) {
	return s.PlaybackURLsBound(videoID, kind, netip.Addr{}, ttl, now)
}

// PlaybackURLsBound is PlaybackURLs usable only from client (any address
// when client is invalid). CloudFront compares it with the address it sees
// the viewer connect from.
func (s *Signer) PlaybackURLsBound(videoID string, kind media.Kind, client netip.Addr, ttl time.Duration, now time.Time) (Playback, error) {
	p, err := s.VideoPolicy(videoID, client, ttl, now)
	if err != nil {
		return Playback{}, err
	}
	// One signature covers every URL under the wildcard, so sign once and
	// reuse the query rather than paying an RSA signature per URL.
	signed, err := s.SignURLPolicy(strings.TrimSuffix(p.Resource, "*")+"master.m3u8", p)
	if err != nil {
		return Playback{}, err
	}
	u, err := url.Parse(signed)
	if err != nil {
		return Playback{}, fmt.Errorf("cloudfront: %w", err)
	}
	return s.playback(videoID, kind, p.Expires, func(name string) string {
		return strings.TrimSuffix(p.Resource, "*") + name + "?" + u.RawQuery
	}), nil
}

// CannedPlaybackURLs returns the video's entry URLs each signed with a
// canned policy for exactly that URL (?Expires=..&Signature=..&Key-Pair-Id=..).
// Canned URLs are shorter and reveal less, but grant a single object: the
// player needs PlaybackCookies for everything the manifests reference.
func (s *Signer) CannedPlaybackURLs(videoID string, kind media.Kind, ttl time.Duration, now time.Time) (Playback, error) {
	p, err := s.VideoPolicy(videoID, netip.Addr{}, ttl, now)
	if err != nil {
		return Playback{}, err
	}
	var signErr error
	pb := s.playback(videoID, kind, p.Expires, func(name string) string {
		out, err := s.SignURL(strings.TrimSuffix(p.Resource, "*")+name, p.Expires)
		if err != nil {
			signErr = err
		}
		return out
	})
	return pb, signErr
}

func (s *Signer) playback(videoID string, kind media.Kind, exp time.Time, sign func(name string) string) Playback {
	pb := Playback{HLS: sign("master.m3u8"), DASH: sign("manifest.mpd"), Chapters: sign("chapters.vtt"), ExpiresAt: exp.UTC()}
	if kind != media.KindAudio {
		pb.Poster = sign("poster.jpg")
		pb.Storyboard = sign("storyboard.vtt")
	}
	return pb
}

// PlaybackCookies returns the CloudFront cookies granting every file of
// videoID (the VideoPolicy wildcard) until now+ttl, with Path=/media/<id>/.
// With them set, the player can use the plain distribution URLs and every
// child request is authorised by the browser sending the cookies.
func (s *Signer) PlaybackCookies(videoID string, ttl time.Duration, now time.Time) ([]*http.Cookie, error) {
	return s.PlaybackCookiesBound(videoID, netip.Addr{}, ttl, now)
}

// PlaybackCookiesBound is PlaybackCookies usable only from client (any
// address when client is invalid).
func (s *Signer) PlaybackCookiesBound(videoID string, client netip.Addr, ttl time.Duration, now time.Time) ([]*http.Cookie, error) {
	p, err := s.VideoPolicy(videoID, client, ttl, now)
	if err != nil {
		return nil, err
	}
	dir, _ := videoDir(videoID) // checked by VideoPolicy
	return s.SignCookies(p, dir)
}

// validID accepts the URL-safe ids kinema hands out; anything else could
// widen a wildcard resource.
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

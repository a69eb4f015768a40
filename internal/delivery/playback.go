package delivery

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/media"
)

// Signer signs play tokens: *auth.Keys for a fixed key, or *auth.KeyRing
// so that a rotation is used as soon as the ring reloads.
type Signer interface {
	Sign(c auth.Claims) (string, error)
}

// Playback is the set of signed URLs a player needs for one video. Poster and
// Storyboard are empty for audio-only media.
type Playback struct {
	HLS        string    `json:"hls"`
	DASH       string    `json:"dash"`
	Poster     string    `json:"poster"`
	Storyboard string    `json:"storyboard"` // WebVTT of thumbnail sprites
	Chapters   string    `json:"chapters"`   // WebVTT chapters track
	ExpiresAt  time.Time `json:"expires_at"`
}

// PlaybackURLs signs a play token for videoID valid for ttl from now and
// returns the absolute URLs under base (e.g. "http://host:8080"). Every file
// the player reaches from these URLs inherits the same token through manifest
// rewriting, so ttl must cover the whole viewing session, not just the first
// request: a token that expires mid-film makes the next segment fail.
func PlaybackURLs(base string, keys Signer, videoID string, kind media.Kind, ttl time.Duration, now time.Time) (Playback, error) {
	return PlaybackURLsBound(base, keys, videoID, netip.Addr{}, kind, ttl, now)
}

// PlaybackURLsBound is PlaybackURLs with the token bound to client, so the
// URLs only play from that address (an invalid client means unbound). Use the
// address the handler will see (Options.ClientIPFunc): behind a proxy that
// must be the viewer's, not the proxy's. Viewers whose address changes
// mid-session (mobile networks, dual-stack browsers switching between IPv4
// and IPv6) lose playback, so bind only where that is acceptable.
func PlaybackURLsBound(base string, keys Signer, videoID string, client netip.Addr, kind media.Kind, ttl time.Duration, now time.Time) (Playback, error) {
	return PlaybackURLsFor(base, keys, URLGrant{VideoID: videoID, ClientIP: client}, kind, ttl, now)
}

// URLGrant says what signed playback URLs grant and to whom.
type URLGrant struct {
	VideoID string
	// ClientIP, when valid, binds the URLs to one client address (see
	// PlaybackURLsBound).
	ClientIP netip.Addr
	// UserID, when set, is the signed-in user the URLs are issued to: they
	// stop working once that user is deleted, disabled or loses access
	// (Options.UserGateFunc). Empty for anonymous viewers.
	UserID string
}

// PlaybackURLsFor is PlaybackURLs for the grant g.
func PlaybackURLsFor(base string, keys Signer, g URLGrant, kind media.Kind, ttl time.Duration, now time.Time) (Playback, error) {
	if ttl < time.Second {
		return Playback{}, errors.New("delivery: playback ttl must be at least a second")
	}
	videoID := g.VideoID
	exp := now.Add(ttl).Truncate(time.Second) // tokens carry whole seconds
	tok, err := keys.Sign(auth.Claims{
		VideoID: videoID, Purpose: auth.PurposePlay, ExpiresAt: exp, ClientIP: g.ClientIP, IssuedAt: now, UserID: g.UserID,
	})
	if err != nil {
		return Playback{}, fmt.Errorf("delivery: playback urls: %w", err)
	}
	prefix := strings.TrimRight(base, "/") + PathPrefix + videoID + "/"
	sign := func(name string) string { return prefix + name + "?token=" + url.QueryEscape(tok) }
	pb := Playback{
		HLS:       sign("master.m3u8"),
		DASH:      sign("manifest.mpd"),
		Chapters:  sign("chapters.vtt"),
		ExpiresAt: exp.UTC(),
	}
	if kind != media.KindAudio {
		pb.Poster = sign("poster.jpg")
		pb.Storyboard = sign("storyboard.vtt")
	}
	return pb, nil
}

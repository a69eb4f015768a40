package main

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/auth/cloudfront"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/clientip"
	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/thumbnail"
)

// playbackSigner issues playback URLs and cookies: kinema's own Ed25519
// tokens, or CloudFront's signatures when a distribution is configured.
// Its keys are the server's *auth.KeyRing, so a rotated key signs from the
// ring's next reload on.
type playbackSigner struct {
	keys delivery.Signer
	cf   *cloudfront.Signer // nil unless CloudFront mode
	ttl  time.Duration
}

func newPlaybackSigner(cfg config.Config, keys delivery.Signer) (*playbackSigner, error) {
	p := &playbackSigner{keys: keys, ttl: cfg.PlaybackTTL}
	if cfg.CloudFrontDomain == "" {
		return p, nil
	}
	cf, err := cloudfront.NewSigner(cloudfront.Config{
		Domain: cfg.CloudFrontDomain, KeyPairID: cfg.CloudFrontKeyPairID, PrivateKeyPEM: cfg.CloudFrontPrivateKey,
		CookieDomain: cfg.CloudFrontCookieDomain,
	})
	if err != nil {
		return nil, err
	}
	p.cf = cf
	return p, nil
}

// URLs returns signed entry URLs for a ready video, issued at now to userID
// ("" for anonymous viewers) and bound to client when it is valid (in
// CloudFront mode through the policy's SourceIp).
//
// CloudFront's signatures cannot carry the user, and CloudFront never asks
// kinema about a request: in that mode grants outlive the user's access (a
// user disabled, deleted, demoted or removed from a group) until they expire.
func (p *playbackSigner) URLs(base string, client netip.Addr, userID string, v media.Video, now time.Time) (delivery.Playback, error) {
	if p.cf != nil {
		pb, err := p.cf.PlaybackURLsBound(v.ID, v.Kind, client, p.ttl, now)
		return chosenPoster(delivery.Playback(pb), v), err
	}
	pb, err := delivery.PlaybackURLsFor(base, p.keys, delivery.URLGrant{VideoID: v.ID, ClientIP: client, UserID: userID}, v.Kind, p.ttl, now)
	return chosenPoster(pb, v), err
}

// chosenPoster points pb's poster at the one the owner chose (#14), a file
// beside poster.jpg under a name of its own: the grants cover every file of
// the video (a token query, or a CloudFront policy over its directory), so
// only the name changes. A new name per change busts every cache.
func chosenPoster(pb delivery.Playback, v media.Video) delivery.Playback {
	if v.Poster != "" && thumbnail.ValidPosterName(v.Poster) {
		pb.Poster = strings.Replace(pb.Poster, "/poster.jpg", "/"+v.Poster, 1)
	}
	return pb
}

// Cookies returns cookies granting the video's files, issued at now to
// userID (not carried in CloudFront mode, see URLs), and the plain URLs that
// go with them.
func (p *playbackSigner) Cookies(base string, client netip.Addr, userID string, v media.Video, now time.Time) ([]*http.Cookie, delivery.Playback, error) {
	if p.cf != nil {
		cookies, err := p.cf.PlaybackCookiesBound(v.ID, client, p.ttl, now)
		return cookies, chosenPoster(plainURLs(p.cf.URL("/media/"+v.ID+"/"), v, now.Add(p.ttl)), v), err
	}
	c, err := delivery.PlaybackCookie(base, p.keys, delivery.CookieGrant{VideoID: v.ID, ClientIP: client, UserID: userID}, p.ttl, now)
	if err != nil {
		return nil, delivery.Playback{}, err
	}
	return []*http.Cookie{c}, chosenPoster(plainURLs(base+delivery.PathPrefix+v.ID+"/", v, c.Expires), v), nil
}

// PrefixCookies returns cookies granting every file under prefix (a path
// below /media/, checked by the caller), issued at now to userID (not
// carried in CloudFront mode, see URLs).
func (p *playbackSigner) PrefixCookies(base, prefix string, client netip.Addr, userID string, now time.Time) ([]*http.Cookie, time.Time, error) {
	exp := now.Add(p.ttl).Truncate(time.Second)
	if p.cf != nil {
		pol := cloudfront.Policy{Resource: p.cf.URL(prefix) + "*", Expires: exp, SourceIP: cloudfront.SourceIP(client)}
		cookies, err := p.cf.SignCookies(pol, prefix)
		return cookies, exp, err
	}
	c, err := delivery.PlaybackCookie(base, p.keys, delivery.CookieGrant{PathPrefix: prefix, ClientIP: client, UserID: userID}, p.ttl, now)
	if err != nil {
		return nil, time.Time{}, err
	}
	return []*http.Cookie{c}, c.Expires, nil
}

func plainURLs(dir string, v media.Video, exp time.Time) delivery.Playback {
	pb := delivery.Playback{HLS: dir + "master.m3u8", DASH: dir + "manifest.mpd", Chapters: dir + "chapters.vtt", ExpiresAt: exp.UTC().Truncate(time.Second)}
	if v.Kind != media.KindAudio {
		pb.Poster, pb.Storyboard = dir+"poster.jpg", dir+"storyboard.vtt"
	}
	return pb
}

// playbackClient binds API-issued playback to the caller's address when
// --playback-bind-ip is on, found the same way the delivery handler finds it.
func playbackClient(cfg config.Config, clients clientip.Resolver) func(*http.Request) netip.Addr {
	if !cfg.PlaybackBindIP {
		return nil
	}
	return clients.IP
}

// playbackGate is delivery's view of the catalog: whether a video is
// published, and since when its older grants are revoked.
func playbackGate(cat *catalog.Catalog) delivery.GateFunc {
	return func(ctx context.Context, id string) (delivery.Gate, error) {
		g, err := cat.PlaybackGate(ctx, id)
		return delivery.Gate(g), err
	}
}

// userPlaybackGate is delivery's view of the catalog for grants issued to a
// user: whether the account still exists and is enabled, and since when
// their older grants are revoked.
func userPlaybackGate(cat *catalog.Catalog) delivery.UserGateFunc {
	return func(ctx context.Context, id string) (delivery.UserGate, error) {
		g, err := cat.UserPlaybackGate(ctx, id)
		return delivery.UserGate(g), err
	}
}

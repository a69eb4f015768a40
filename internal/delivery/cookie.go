package delivery

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/auth"
)

// CookieName is the playback cookie's name. Browsers send every cookie whose
// Path matches, so one name serves any number of videos, each cookie scoped
// by its Path; the handler accepts the request if any of them grants it.
const CookieName = "kinema_play"

// CookieGrant says what a playback cookie grants. Set exactly one of
// VideoID and PathPrefix.
type CookieGrant struct {
	// VideoID grants one video: every file under /media/<id>/.
	VideoID string
	// PathPrefix grants every path under it, e.g. "/media/" for the whole
	// catalogue. It must lie under PathPrefix ("/media/") and end in '/'.
	PathPrefix string
	// ClientIP, when valid, binds the cookie to one client address.
	ClientIP netip.Addr
	// UserID, when set, is the signed-in user the cookie is issued to: it
	// stops working once that user is deleted, disabled or loses access
	// (Options.UserGateFunc). Empty for anonymous viewers.
	UserID string
	// CrossSite marks the cookie SameSite=None so it is sent to a player
	// embedded on another site. The default, Lax, keeps the cookie to
	// same-site pages (kinema's own UI), which stops other sites from making
	// a viewer's browser spend the cookie; cross-site use also needs an https
	// base (browsers drop SameSite=None cookies that are not Secure) and the
	// player's origin in Options.CookieOrigins.
	CrossSite bool
}

// PlaybackCookie signs a play token for g valid for ttl from now and returns
// it as a cookie for the kinema origin base (e.g. "https://media.example").
// Set it on a response from that origin; the player then requests the plain
// URLs (/media/<id>/master.m3u8, no ?token=) and the handler serves
// manifests unrewritten, because the cookie rides along with every child
// request by itself.
//
// The cookie is HttpOnly (scripts never see the credential), host-only (no
// Domain attribute, so sibling subdomains do not receive it), Secure when
// base is https, and Path-scoped to what it grants so the browser sends it
// only where it can be used.
func PlaybackCookie(base string, keys Signer, g CookieGrant, ttl time.Duration, now time.Time) (*http.Cookie, error) {
	if ttl < time.Second {
		return nil, errors.New("delivery: playback cookie ttl must be at least a second")
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("delivery: playback cookie: base %q is not an http(s) origin", base)
	}
	secure := u.Scheme == "https"
	if g.CrossSite && !secure {
		return nil, errors.New("delivery: playback cookie: cross-site cookies need an https base")
	}
	scope := g.PathPrefix
	switch {
	case g.VideoID != "" && g.PathPrefix != "":
		return nil, errors.New("delivery: playback cookie: set a video id or a path prefix, not both")
	case g.VideoID != "":
		scope = PathPrefix + g.VideoID + "/"
	case !strings.HasPrefix(g.PathPrefix, PathPrefix):
		return nil, fmt.Errorf("delivery: playback cookie: prefix %q is not under %s", g.PathPrefix, PathPrefix)
	}
	exp := now.Add(ttl).Truncate(time.Second)
	tok, err := keys.Sign(auth.Claims{
		VideoID: g.VideoID, PathPrefix: g.PathPrefix, ClientIP: g.ClientIP, UserID: g.UserID,
		Purpose: auth.PurposePlay, ExpiresAt: exp, IssuedAt: now,
	})
	if err != nil {
		return nil, fmt.Errorf("delivery: playback cookie: %w", err)
	}
	sameSite := http.SameSiteLaxMode
	if g.CrossSite {
		sameSite = http.SameSiteNoneMode
	}
	return &http.Cookie{
		Name:  CookieName,
		Value: tok,
		// The browser matches Path against its own URL, which includes any
		// path the origin is mounted under; the token's grant is checked
		// against the path the handler sees.
		Path:     strings.TrimRight(u.Path, "/") + scope,
		Expires:  exp.UTC(),
		MaxAge:   int(exp.Sub(now).Seconds()),
		Secure:   secure,
		HttpOnly: true,
		SameSite: sameSite,
	}, nil
}

// Package delivery serves processed media to players over HTTP at
// /media/<id>/<path>, gated by signed play tokens.
//
// A request carries its play token in one of two ways:
//
//   - ?token=<token>. Manifests (.m3u8, .mpd, .vtt) are rewritten on the fly
//     so each child URL carries the same token; that is what lets stock
//     players (hls.js, dash.js, Safari) fetch segments from a protected
//     origin without any custom loader.
//   - a playback cookie (CookieName, made by PlaybackCookie), used only when
//     the URL has no token parameter. Manifests are then served as stored,
//     because the browser sends the cookie with every child request.
//
// A token grants one video, or every path under a prefix, optionally only
// to one client address (see Options.ClientIPFunc for deployments behind a
// proxy). Segments, init sections and images are served straight from
// storage with Range support and year-long immutable caching, private when
// the credential was a cookie.
//
// A player sends the same token with every segment, so the handler checks
// a token's Ed25519 signature once and caches the verified claims until the
// token expires or the keys change (an auth.KeyRing reloads them while the
// server runs, and a removed key must stop its tokens at once); the grant
// and the expiry are still checked on every request. A video's Gate (is it
// published; since when are older grants revoked, after its sharing
// narrowed) is cached per video for Options.PublishedTTL
// (DefaultPublishedTTL, 5 s): an unpublished, deleted or unshared video
// stops being served to the grants it no longer honours within that time.
// A grant issued to a signed-in user (auth.Claims.UserID) also needs that
// user's UserGate (Options.UserGateFunc), cached per user the same way:
// grants of a deleted or disabled user, or made before the user lost access,
// are refused. Anonymous grants never ask it.
//
// KeysHandler publishes the verification keys at KeysPath so an edge can
// check tokens itself.
package delivery

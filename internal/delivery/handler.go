package delivery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

// maxManifestSize caps what is read into memory for rewriting. A two-hour
// film at 4 s segments has a media playlist of about 100 KiB.
const maxManifestSize = 4 << 20

// Cache lifetimes. Manifests embed the viewer's token, so only the viewer's
// own cache may keep them, and not for long: the token expires and a video
// may be reprocessed. Everything else lives under a path that is never
// rewritten in place, so it is immutable in the viewer's cache. Shared
// caches key it on the full URL including the token, but must not keep it
// longer than a minute: past that the token may have expired or been
// revoked by an unsharing, which only the origin can tell (s-maxage). Under
// a cookie the URL carries no credential, so a shared cache would hand the
// bytes to anyone: those responses are private.
const (
	manifestMaxAge        = 60 * time.Second
	immutableCache        = "public, max-age=31536000, s-maxage=60, immutable"
	privateImmutableCache = "private, max-age=31536000, immutable"
)

// Header values set on every response, allocated once. net/http never
// changes a value slice in place, and Header.Add appends to a full slice, so
// sharing them is safe; each saves an allocation per request.
var (
	immutableCacheValue        = []string{immutableCache}
	privateImmutableCacheValue = []string{privateImmutableCache}
	nosniffValue               = []string{"nosniff"}
	anyOriginValue             = []string{"*"}
	exposeHeadersValue         = []string{"Content-Length, Content-Range, ETag"}
)

// manifestCacheValues[n] is the Cache-Control value "private, max-age=n" of
// a manifest, for every n up to manifestMaxAge, and pendingCacheValue
// the one of a video still processing.
var (
	manifestCacheValues = makeManifestCacheValues()
	pendingCacheValue   = []string{pendingCache}
)

func makeManifestCacheValues() [][]string {
	v := make([][]string, int(manifestMaxAge/time.Second)+1)
	for n := range v {
		v[n] = []string{"private, max-age=" + strconv.Itoa(n)}
	}
	return v
}

// maxCookies bounds how many playback cookies one request may make the
// handler verify; a browser holding cookies for many videos sends only those
// whose Path matches, so real requests carry one or two.
const maxCookies = 8

// Options holds a Handler's optional settings. The zero value is the plain
// query-token origin with no cross-origin cookies.
type Options struct {
	// ClientIPFunc returns the client address checked against IP-bound
	// tokens; an invalid address refuses every bound token. The default,
	// RemoteAddrIP, is right only when clients connect directly. Behind a
	// reverse proxy, load balancer or CDN, RemoteAddr is the proxy, so supply
	// a function that takes the client from X-Forwarded-For (or the like)
	// only when RemoteAddr is one of your trusted proxies: trusting the
	// header from anyone lets a client claim any address.
	ClientIPFunc func(r *http.Request) netip.Addr

	// CookieOrigins lists the origins ("https://player.example") whose
	// pages may read media fetched with playback cookies. Browsers refuse
	// credentialed responses carrying "Access-Control-Allow-Origin: *", so
	// cross-origin players that use cookies need their origin here; any
	// origin not listed still gets "*", which keeps query-token playback
	// working everywhere while cookies cannot be used to read media from
	// unlisted sites.
	CookieOrigins []string

	// PublishedTTL is how long an answer of the GateFunc is reused for a
	// video, published or not, and an answer of the UserGateFunc for a user:
	// a video that is unpublished, deleted or unshared, or a user who loses
	// access, stops being served within it. Zero means DefaultPublishedTTL;
	// a negative value asks on every request.
	PublishedTTL time.Duration

	// UserGateFunc is asked about the user a grant was issued to
	// (auth.Claims.UserID), only for grants that name one: anonymous
	// playback never pays for it. When nil, every grant naming a user is
	// refused, since nothing can tell whether that user still has access.
	UserGateFunc UserGateFunc

	// PictureFunc, when set, serves thumbnail.jpg, thumbnail.webp and
	// animated.webp under each video (see picture.go).
	PictureFunc PictureFunc
	// PrioritizeFunc, when set, is asked to encode next the chunk under a
	// segment a viewer waits for (progressive playback).
	PrioritizeFunc PrioritizeFunc

	// SegmentWait bounds how long a request for a segment still being
	// encoded waits; zero means DefaultSegmentWait.
	SegmentWait time.Duration
}

// RemoteAddrIP is the default Options.ClientIPFunc: the host part of
// r.RemoteAddr, with IPv4-mapped IPv6 addresses reduced to IPv4.
func RemoteAddrIP(r *http.Request) netip.Addr {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(r.RemoteAddr); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

// Verifier checks play tokens: *auth.Keys for a fixed key set, or
// *auth.KeyRing for keys that change while the handler runs.
type Verifier interface {
	Verify(token, purpose string, now time.Time) (auth.Claims, error)
}

// generational is the optional capability of a Verifier whose keys change
// (*auth.KeyRing): Generation grows each time they do, which tells the token
// cache that its entries may have been verified with a key since removed.
type generational interface {
	Generation() uint64
}

// Gate is what the handler asks about a video once a request's grant checks
// out: whether it is published, and the time before which grants for it no
// longer count (set when its sharing narrows; zero for none).
type Gate struct {
	Published bool
	NotBefore time.Time
	// Pending, for a video that plays while it is still processing, is its
	// plan: the segments it lists are waited for (see pending.go).
	Pending *media.Plan
}

// GateFunc returns a video's Gate; a missing video is not published.
type GateFunc func(ctx context.Context, videoID string) (Gate, error)

// revoked reports whether claims were issued before the gate's NotBefore.
// Grants without an issue time predate every revocation.
func (g Gate) revoked(c auth.Claims) bool {
	return !g.NotBefore.IsZero() && c.IssuedAt.Before(g.NotBefore)
}

// UserGate is what the handler asks about the user a grant was issued to:
// whether the account still exists and is enabled, and the time before which
// its grants no longer count (set when the user loses access: a role or
// group taken away, disabled, password reset; zero for none).
type UserGate struct {
	Active    bool
	NotBefore time.Time
}

// UserGateFunc returns a user's UserGate; a missing user is not active. An
// error is answered with 500 and not cached.
type UserGateFunc func(ctx context.Context, userID string) (UserGate, error)

// revoked reports whether claims no longer count for this user: the user is
// gone or disabled, or the grant predates NotBefore.
func (g UserGate) revoked(c auth.Claims) bool {
	return !g.Active || !g.NotBefore.IsZero() && c.IssuedAt.Before(g.NotBefore)
}

// Handler serves GET, HEAD and OPTIONS for /media/{id}/{path...}. Mount it at
// PathPrefix without stripping the prefix.
type Handler struct {
	store        storage.Store
	keys         Verifier
	genFunc      func() uint64 // the keys' generation; constant for fixed keys
	tokens       *tokenCache
	manifests    *manifestCache
	local        storage.LocalPather // set for a local store: files are opened directly
	gates        *gateCache[Gate]
	users        *gateCache[UserGate] // nil refuses every grant naming a user
	logger       *slog.Logger
	nowFunc      func() time.Time
	clientIPFunc func(r *http.Request) netip.Addr
	origins      map[string]bool
	pictures     PictureFunc // nil: no thumbnail.jpg and friends

	prioritizeFunc PrioritizeFunc
	segmentWait    time.Duration
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns a Handler reading published media from store under
// "media/<id>/". gate must not be nil; it is asked after the token checks
// out, and its answer for a video is reused for DefaultPublishedTTL
// (see Options.PublishedTTL). now is the clock used for token expiry and
// both caches; nil means time.Now, and a nil logger discards.
//
// The handler verifies each distinct token's signature once and caches the
// result until the token expires or, when keys is an *auth.KeyRing, until
// the ring's keys change; the grant and the expiry are still checked on
// every request.
func NewHandler(store storage.Store, keys Verifier, gate GateFunc, logger *slog.Logger, now func() time.Time) *Handler {
	return NewHandlerOptions(store, keys, gate, logger, now, Options{})
}

// NewHandlerOptions is NewHandler with optional settings.
func NewHandlerOptions(store storage.Store, keys Verifier, gate GateFunc, logger *slog.Logger, now func() time.Time, opts Options) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	if opts.ClientIPFunc == nil {
		opts.ClientIPFunc = RemoteAddrIP
	}
	origins := map[string]bool{}
	for _, o := range opts.CookieOrigins {
		origins[strings.TrimRight(o, "/")] = true
	}
	if opts.PublishedTTL == 0 {
		opts.PublishedTTL = DefaultPublishedTTL
	}
	gen := func() uint64 { return 0 }
	if g, ok := keys.(generational); ok {
		gen = g.Generation
	}
	h := &Handler{
		store: store, keys: keys, genFunc: gen, tokens: newTokenCache(), manifests: newManifestCache(), gates: newGateCache(opts.PublishedTTL, maxCachedVideos, gate),
		logger: logger, nowFunc: now, clientIPFunc: opts.ClientIPFunc, origins: origins,
		prioritizeFunc: opts.PrioritizeFunc, segmentWait: opts.SegmentWait,
	}
	if h.segmentWait <= 0 {
		h.segmentWait = DefaultSegmentWait
	}
	if lp, ok := store.(storage.LocalPather); ok {
		h.local = lp
	}
	h.pictures = opts.PictureFunc
	if opts.UserGateFunc != nil {
		h.users = newGateCache(opts.PublishedTTL, maxCachedUsers, opts.UserGateFunc)
	}
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	h.setCORS(hdr, r)
	hdr["X-Content-Type-Options"] = nosniffValue
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		hdr.Set("Access-Control-Allow-Headers", "Range")
		hdr.Set("Access-Control-Max-Age", "86400")
		hdr.Set("Allow", "GET, HEAD, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		hdr.Set("Allow", "GET, HEAD, OPTIONS")
		fail(w, http.StatusMethodNotAllowed)
		return
	}
	hdr["Access-Control-Expose-Headers"] = exposeHeadersValue

	id, rel, ok := parseMediaPath(r.URL)
	if !ok {
		fail(w, http.StatusBadRequest)
		return
	}
	ft, ok := lookupType(rel)
	picture := h.pictures != nil && pictureFiles[rel]
	if !ok && !picture {
		fail(w, http.StatusNotFound)
		return
	}
	// Built only when needed: the common request logs nothing.
	log := func() *slog.Logger { return h.logger.With("video", id, "path", rel) }

	g, err := h.authorize(r, id)
	if err != nil {
		log().DebugContext(r.Context(), "media request refused", "reason", err)
		fail(w, http.StatusForbidden)
		return
	}
	gate, err := h.gates.gate(r.Context(), id, h.nowFunc())
	if err != nil {
		log().ErrorContext(r.Context(), "check video gate", "err", err)
		fail(w, http.StatusInternalServerError)
		return
	}
	if !gate.Published {
		fail(w, http.StatusNotFound)
		return
	}
	if gate.revoked(g.claims) {
		log().DebugContext(r.Context(), "media request refused", "reason", "grant issued before the video was unshared")
		fail(w, http.StatusForbidden)
		return
	}
	if uid := g.claims.UserID; uid != "" {
		if h.users == nil {
			log().DebugContext(r.Context(), "media request refused", "reason", "grant names a user and no user gate is configured")
			fail(w, http.StatusForbidden)
			return
		}
		ug, err := h.users.gate(r.Context(), uid, h.nowFunc())
		if err != nil {
			log().ErrorContext(r.Context(), "check user gate", "user", uid, "err", err)
			fail(w, http.StatusInternalServerError)
			return
		}
		if ug.revoked(g.claims) {
			log().DebugContext(r.Context(), "media request refused", "reason", "grant's user is gone, disabled or lost access", "user", uid)
			fail(w, http.StatusForbidden)
			return
		}
	}

	if picture {
		h.servePicture(w, r, log, id, rel, g)
		return
	}
	// parseMediaPath already allows only plain names; CleanKey is the storage
	// layer's own guard, kept so the two checks must both fail to expose
	// anything outside media/<id>/.
	key, err := storage.CleanKey("media/" + id + "/" + rel)
	if err != nil {
		fail(w, http.StatusBadRequest)
		return
	}
	if ft.manifest {
		hdr["Content-Type"] = ft.contentTypeValue
		h.serveManifest(w, r, log, key, rel, g, gate.Pending != nil)
		return
	}
	var obj storage.Object
	preview := false
	if gate.Pending != nil {
		obj, preview, ok = h.openPending(w, r, log, id, key, rel, gate.Pending)
	} else {
		obj, ok = h.open(w, r, log, key)
	}
	if !ok {
		return
	}
	defer obj.Close()
	hdr["Content-Type"] = ft.contentTypeValue
	if strings.HasPrefix(rel, downloadDir) {
		hdr.Set("Content-Disposition", attachment(rel, r.URL.Query().Get("filename")))
	}
	if etag := quoteETag(obj.Info().ETag); etag != "" {
		hdr["Etag"] = []string{etag}
	}
	switch {
	case preview: // replaced by the segment itself (pending.go)
		hdr["Cache-Control"] = pendingCacheValue
	case g.cookie:
		hdr["Cache-Control"] = privateImmutableCacheValue
	default:
		hdr["Cache-Control"] = immutableCacheValue
	}
	serveObject(w, r, obj)
}

// open opens a media object, answering the request itself when it cannot.
func (h *Handler) open(w http.ResponseWriter, r *http.Request, log func() *slog.Logger, key string) (storage.Object, bool) {
	obj, err := h.openObject(r.Context(), key)
	return h.opened(w, r, log, key, obj, err)
}

func (h *Handler) openObject(ctx context.Context, key string) (storage.Object, error) {
	if h.local != nil {
		return openLocal(h.local, key)
	}
	return h.store.Open(ctx, key)
}

// opened answers the request itself when open failed.
func (h *Handler) opened(w http.ResponseWriter, r *http.Request, log func() *slog.Logger, key string, obj storage.Object, err error) (storage.Object, bool) {
	switch {
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrInvalidKey):
		fail(w, http.StatusNotFound)
		return nil, false
	case err != nil:
		log().ErrorContext(r.Context(), "open media object", "key", key, "err", err)
		fail(w, http.StatusInternalServerError)
		return nil, false
	}
	return obj, true
}

// setCORS allows every origin to read token-authorised media, and the
// configured origins to read cookie-authorised media too.
func (h *Handler) setCORS(hdr http.Header, r *http.Request) {
	if len(h.origins) == 0 {
		// Players run on other origins (embeds, the dev UI server); with a
		// wildcard the browser never sends cookies, so the token in the URL
		// is the only credential a foreign page can use.
		hdr["Access-Control-Allow-Origin"] = anyOriginValue
		return
	}
	hdr.Add("Vary", "Origin") // the answer depends on it: keep caches honest
	if o := r.Header.Get("Origin"); h.origins[o] {
		hdr.Set("Access-Control-Allow-Origin", o)
		hdr.Set("Access-Control-Allow-Credentials", "true")
		return
	}
	hdr.Set("Access-Control-Allow-Origin", "*")
}

// grant is a request's verified credential.
type grant struct {
	token  string // the query token, carried into manifests; "" for a cookie
	claims auth.Claims
	cookie bool
}

// authorize finds the request's credential: the ?token= parameter if there
// is one, otherwise a playback cookie. A query token that fails is final,
// with no fallback to cookies, so a request means exactly one credential.
func (h *Handler) authorize(r *http.Request, id string) (grant, error) {
	// A player's query is "token=<token>", and tokens are made of characters
	// that need no unescaping: take those as they are, without building the
	// map. Anything else gets the full parse below, which agrees on these.
	if tok, ok := strings.CutPrefix(r.URL.RawQuery, "token="); ok && plainQueryValue(tok) {
		claims, err := h.check(r, id, tok)
		if err != nil {
			return grant{}, err
		}
		return grant{token: tok, claims: claims}, nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return grant{}, fmt.Errorf("bad query: %w", err)
	}
	if tokens, ok := q["token"]; ok {
		if len(tokens) != 1 {
			return grant{}, fmt.Errorf("want one token, got %d", len(tokens))
		}
		claims, err := h.check(r, id, tokens[0])
		if err != nil {
			return grant{}, err
		}
		return grant{token: tokens[0], claims: claims}, nil
	}
	cookies := r.CookiesNamed(CookieName)
	if len(cookies) == 0 {
		return grant{}, errors.New("no token or cookie")
	}
	if len(cookies) > maxCookies {
		return grant{}, fmt.Errorf("%d playback cookies", len(cookies))
	}
	// Several cookies can match one path (a video and a wider prefix); the
	// newest one that grants this request is used, so an older grant that
	// was revoked does not hide a fresh one.
	var best *grant
	for _, c := range cookies {
		claims, cerr := h.check(r, id, c.Value)
		if cerr != nil {
			err = cerr
			continue
		}
		if best == nil || claims.IssuedAt.After(best.claims.IssuedAt) {
			best = &grant{claims: claims, cookie: true}
		}
	}
	if best == nil {
		return grant{}, fmt.Errorf("cookie: %w", err)
	}
	return *best, nil
}

// plainQueryValue reports whether s is a query value that url.ParseQuery
// would return unchanged: the token alphabet, without '&', ';', '%' or '+'.
func plainQueryValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// check verifies token and that it covers this request: video id (or the
// URL path, for prefix tokens; parseMediaPath has already held the path to
// a plain alphabet, so a prefix match cannot be fooled by encodings) and
// the client's address when the token is IP-bound.
func (h *Handler) check(r *http.Request, id, token string) (auth.Claims, error) {
	claims, err := h.verify(token, h.nowFunc())
	if err != nil {
		return auth.Claims{}, err
	}
	// Only bound tokens pay for (or depend on) the client-address hook.
	var client netip.Addr
	if claims.ClientIP.IsValid() {
		client = h.clientIPFunc(r)
	}
	if err := claims.Grants(id, r.URL.Path, client); err != nil {
		return auth.Claims{}, err
	}
	return claims, nil
}

// verify returns the claims of a play token that is genuine and unexpired at
// now, checking the signature only the first time a token is seen under the
// current keys.
func (h *Handler) verify(token string, now time.Time) (auth.Claims, error) {
	// Read the generation before verifying: if the keys change in between,
	// the entry is filed under an older generation than the keys that
	// checked it and is never used, rather than outliving a removed key.
	gen := h.genFunc()
	if claims, ok := h.tokens.get(token, gen, now); ok {
		return claims, nil
	}
	claims, err := h.keys.Verify(token, auth.PurposePlay, now)
	if err != nil {
		return auth.Claims{}, err
	}
	h.tokens.put(token, gen, claims, now)
	return claims, nil
}

// serveManifest serves a manifest, rewritten so every child URL carries the
// query token; under a cookie it is served as stored, since the cookie rides
// along by itself. The ETag is of the served bytes (the stored object's ETag
// would be wrong for rewritten bytes, which differ per token). What is served
// is cached per (object, token) and reused while the stored object is the
// same version; the grant has been checked before, on every request.
func (h *Handler) serveManifest(w http.ResponseWriter, r *http.Request, log func() *slog.Logger, key, rel string, g grant, pending bool) {
	mk := manifestKey{key: key, token: g.token, cookie: g.cookie}
	now := h.nowFunc()
	stat := func() (storage.Info, error) { return h.store.Stat(r.Context(), key) }
	e := h.manifests.get(mk)
	if e != nil && !e.current(now, stat) {
		e = nil
	}
	if e == nil {
		var ok bool
		if e, ok = h.renderManifest(w, r, log, key, rel, g); !ok {
			return
		}
		h.manifests.put(mk, e)
	}
	if pending {
		w.Header()["Cache-Control"] = pendingCacheValue
	} else {
		maxAge := min(manifestMaxAge, g.claims.ExpiresAt.Sub(now))
		w.Header()["Cache-Control"] = manifestCacheValues[max(0, int(maxAge.Seconds()))]
	}
	serveManifestEntry(w, r, e)
}

// renderManifest reads and rewrites a stored manifest for g, answering the
// request itself when it cannot.
func (h *Handler) renderManifest(w http.ResponseWriter, r *http.Request, log func() *slog.Logger, key, rel string, g grant) (*manifestEntry, bool) {
	if !g.cookie && path.Ext(rel) == ".m3u8" {
		return h.renderHLS(w, r, log, key, g)
	}
	src, info, ok := h.readManifest(w, r, log, key)
	if !ok {
		return nil, false
	}
	var err error
	out := src
	if !g.cookie {
		query := "token=" + url.QueryEscape(g.token)
		switch path.Ext(rel) {
		case ".mpd":
			out, err = manifest.RewriteMPD(src, query)
		case ".vtt":
			out = manifest.RewriteVTT(src, query)
		}
	}
	if err != nil {
		log().ErrorContext(r.Context(), "rewrite manifest", "err", err)
		fail(w, http.StatusInternalServerError)
		return nil, false
	}
	sum := sha256.Sum256(out)
	return newManifestEntry(info, out, `"`+hex.EncodeToString(sum[:16])+`"`, h.nowFunc()), true
}

// renderHLS rewrites an HLS playlist for g's token from the playlist's
// compiled template, compiling it first if the cache has none for the stored
// version: each new viewer costs a copy, not a parse.
func (h *Handler) renderHLS(w http.ResponseWriter, r *http.Request, log func() *slog.Logger, key string, g grant) (*manifestEntry, bool) {
	tk := manifestKey{key: key, template: true}
	now := h.nowFunc()
	t := h.manifests.get(tk)
	if t != nil && !t.current(now, func() (storage.Info, error) { return h.store.Stat(r.Context(), key) }) {
		t = nil
	}
	if t == nil {
		src, info, ok := h.readManifest(w, r, log, key)
		if !ok {
			return nil, false
		}
		t = &manifestEntry{version: info, tmpl: manifest.CompileHLS(src)}
		t.checked.Store(now.UnixNano())
		h.manifests.put(tk, t)
	}
	out := t.tmpl.Render("token=" + url.QueryEscape(g.token))
	sum := sha256.Sum256(out)
	return newManifestEntry(t.version, out, `"`+hex.EncodeToString(sum[:16])+`"`, now), true
}

// readManifest reads a stored manifest whole, answering the request itself
// when it cannot.
func (h *Handler) readManifest(w http.ResponseWriter, r *http.Request, log func() *slog.Logger, key string) ([]byte, storage.Info, bool) {
	obj, ok := h.open(w, r, log, key)
	if !ok {
		return nil, storage.Info{}, false
	}
	defer obj.Close()
	src, err := io.ReadAll(io.LimitReader(obj, maxManifestSize+1))
	if err == nil && len(src) > maxManifestSize {
		err = fmt.Errorf("manifest larger than %d bytes", maxManifestSize)
	}
	if err != nil {
		log().ErrorContext(r.Context(), "read manifest", "err", err)
		fail(w, http.StatusInternalServerError)
		return nil, storage.Info{}, false
	}
	return src, obj.Info(), true
}

// quoteETag turns a storage ETag into an HTTP entity tag, leaving one that is
// already quoted (or weak) alone.
func quoteETag(tag string) string {
	if tag == "" {
		return ""
	}
	if strings.HasPrefix(tag, `"`) || strings.HasPrefix(tag, `W/"`) {
		return tag
	}
	return `"` + strings.ReplaceAll(tag, `"`, "") + `"`
}

// fail writes a short plain-text status. It says nothing about why: telling
// a client which token check failed only helps someone forging one.
func fail(w http.ResponseWriter, code int) {
	hdr := w.Header()
	for _, k := range []string{"ETag", "Last-Modified", "Content-Range"} {
		hdr.Del(k)
	}
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, http.StatusText(code)+"\n")
}

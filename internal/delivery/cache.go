package delivery

import (
	"context"
	"sync"
	"time"

	"github.com/kinema/kinema/internal/auth"
)

// DefaultPublishedTTL is how long the handler trusts an answer of its
// GateFunc or UserGateFunc (Options.PublishedTTL): a video that is
// unpublished, deleted or unshared, or a user who is disabled, deleted or
// loses access, stops being served within this time, and a video requested
// just before it was published is refused for at most this long.
const DefaultPublishedTTL = 5 * time.Second

// Cache bounds. A token is at most auth.MaxTokenLen bytes, so a full token
// cache holds a few MiB; one entry is one viewing session, so 4096 covers
// thousands of concurrent viewers per node before entries are recycled.
const (
	maxCachedTokens = 4096
	maxCachedVideos = 4096
	maxCachedUsers  = 4096
)

// tokenCache remembers play tokens whose signature has been verified, so a
// player's many segment requests with one token cost one Ed25519 check
// instead of one each. Only the verification is cached: the caller still
// checks the grant (video, path, client address) on every request, and an
// entry is never used at or after the token's expiry.
//
// Failures are never cached, so a tampered token, which is a different
// string from the genuine one, always meets the full check.
//
// The keys can change while the handler runs (an auth.KeyRing reloads after
// `kinema keys rotate` or `kinema keys remove`), and a removed key must stop
// its tokens at once, cached or not. So the cache holds the entries of one
// key generation only: a lookup under another generation misses, and the
// first entry stored under a newer one drops all the older ones.
type tokenCache struct {
	mu      sync.RWMutex
	gen     uint64 // the key generation every entry was verified under
	entries map[string]auth.Claims
}

func newTokenCache() *tokenCache {
	return &tokenCache{entries: map[string]auth.Claims{}}
}

// get returns the claims cached for token if they were verified under key
// generation gen and have not expired at now (the rule auth.Keys.Verify
// applies: expired from ExpiresAt on).
func (c *tokenCache) get(token string, gen uint64, now time.Time) (auth.Claims, bool) {
	c.mu.RLock()
	claims, ok := c.entries[token]
	ok = ok && c.gen == gen
	c.mu.RUnlock()
	if !ok || !now.Before(claims.ExpiresAt) {
		return auth.Claims{}, false
	}
	return claims, true
}

// put records claims verified for token under key generation gen. Entries of
// an older generation are dropped; claims from an older generation than the
// cache's (a request that raced a reload) are not stored.
func (c *tokenCache) put(token string, gen uint64, claims auth.Claims, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.gen:
		return
	case gen > c.gen:
		c.gen, c.entries = gen, map[string]auth.Claims{}
	}
	if len(c.entries) >= maxCachedTokens {
		evict(c.entries, maxCachedTokens, func(e auth.Claims) bool { return !now.Before(e.ExpiresAt) })
	}
	c.entries[token] = claims
}

// gateCache remembers the answers of a gate function (GateFunc per video,
// UserGateFunc per user), whatever they say, for a short ttl so that segment
// requests do not each cost a database query. Errors are not cached: the
// next request asks again. At most limit entries are kept.
type gateCache[G any] struct {
	ttl     time.Duration // <= 0 disables the cache
	limit   int
	askFunc func(ctx context.Context, id string) (G, error)

	mu      sync.Mutex
	entries map[string]gateEntry[G]
}

type gateEntry[G any] struct {
	gate  G
	until time.Time
}

func newGateCache[G any](ttl time.Duration, limit int, ask func(ctx context.Context, id string) (G, error)) *gateCache[G] {
	return &gateCache[G]{ttl: ttl, limit: limit, askFunc: ask, entries: map[string]gateEntry[G]{}}
}

// gate answers from the cache while the entry is younger than the ttl, and
// asks askFunc otherwise.
func (c *gateCache[G]) gate(ctx context.Context, id string, now time.Time) (G, error) {
	if c.ttl <= 0 {
		return c.askFunc(ctx, id)
	}
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.gate, nil
	}
	g, err := c.askFunc(ctx, id)
	if err != nil {
		var zero G
		return zero, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.limit {
		evict(c.entries, c.limit, func(e gateEntry[G]) bool { return !now.Before(e.until) })
	}
	c.entries[id] = gateEntry[G]{gate: g, until: now.Add(c.ttl)}
	return g, nil
}

// evict makes room in a full cache: it drops the entries that are stale,
// then, if that freed less than a quarter of limit, arbitrary entries (map
// order) until a quarter is free, so a cache under churn does a sweep every
// limit/4 inserts rather than on every one.
func evict[V any](m map[string]V, limit int, stale func(V) bool) {
	for k, v := range m {
		if stale(v) {
			delete(m, k)
		}
	}
	for k := range m {
		if len(m) <= limit*3/4 {
			return
		}
		delete(m, k)
	}
}

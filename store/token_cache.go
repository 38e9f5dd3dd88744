package store

import (
	"sync"
	"time"
)

// appTokenCacheFor is how long the principal of an application token is kept in memory. An
// application token cannot be revoked (it expires), and an application's partners are set when it
// is created, so the copy only saves the read that every issuer API request would otherwise make;
// it is read again this often so that a change made directly in the database takes effect soon.
const appTokenCacheFor = time.Second

// maxCachedTokens bounds the cache; when it is full it starts again empty.
const maxCachedTokens = 4096

// tokenCache keeps principals of application tokens by token hash. A token is never answered from
// the cache after it expires. The zero value is ready.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]cachedToken
	now     func() time.Time // the clock; time.Now when nil
}

type cachedToken struct {
	principal Principal
	readAt    time.Time
}

func (c *tokenCache) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// get returns the principal kept for hash while it is fresh and its token has not expired.
func (c *tokenCache) get(hash []byte) (Principal, bool) {
	now := c.clock()
	c.mu.Lock()
	e, ok := c.entries[string(hash)]
	c.mu.Unlock()
	if !ok || now.Sub(e.readAt) >= appTokenCacheFor || !now.Before(e.principal.ExpiresAt) {
		return Principal{}, false
	}
	return e.principal, true
}

// put keeps p, just read from the database, under hash.
func (c *tokenCache) put(hash []byte, p Principal) {
	now := c.clock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedTokens {
		c.entries = make(map[string]cachedToken)
	}
	c.entries[string(hash)] = cachedToken{principal: p, readAt: now}
}

package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// SignPath returns path with params, an expiry and a signature: a link that works without
// credentials, on any instance sharing the session key, until it expires. The signature
// (HMAC-SHA256 with SignKey) covers the path and every parameter, so changing the file, the
// expiry or any other parameter invalidates it.
func (a *App) SignPath(path string, params url.Values, ttl time.Duration) (string, time.Time) {
	expires := a.Now().Add(ttl).Truncate(time.Second)
	q := url.Values{}
	for k, v := range params {
		q[k] = v
	}
	q.Set("expires", strconv.FormatInt(expires.Unix(), 10))
	q.Set("sig", a.signature(path, q))
	return path + "?" + q.Encode(), expires
}

// VerifySigned answers 403 (7005) unless the request carries a valid, unexpired signature for its
// path and query, as made by SignPath.
func (a *App) VerifySigned(c echo.Context) error {
	refused := store.NewError(store.CodeForbidden, "this link is invalid or has expired; ask for a new one")
	q := c.Request().URL.Query()
	got, err := hex.DecodeString(q.Get("sig"))
	if err != nil || len(q["sig"]) != 1 {
		return refused
	}
	want, _ := hex.DecodeString(a.signature(c.Request().URL.Path, q))
	if !hmac.Equal(got, want) {
		return refused
	}
	expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil || !a.Now().Before(time.Unix(expires, 0)) {
		return refused
	}
	return nil
}

// signature is the hex HMAC of the path and the query without its sig parameter, in the canonical
// (key-sorted) encoding.
func (a *App) signature(path string, q url.Values) string {
	rest := url.Values{}
	for k, v := range q {
		if k != "sig" {
			rest[k] = v
		}
	}
	m := hmac.New(sha256.New, a.signKey)
	m.Write([]byte(path + "\n" + rest.Encode()))
	return hex.EncodeToString(m.Sum(nil))
}

package handlers

import (
	"net/url"
	"strings"
)

// safeNext returns where to go after signing in: next when it is a path on this site, "/" for
// anything else. Browsers drop tabs and newlines, read a backslash as a slash and "//host" as
// another site, so next is refused when it holds a control character or a backslash, or names a
// scheme, a host or a path beginning with two slashes, before and after percent-decoding; what is
// kept is re-encoded from the parsed path and query.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || !plainPath(next) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !plainPath(u.Path) {
		return "/"
	}
	if decoded, err := url.PathUnescape(u.Path); err != nil || !plainPath(decoded) {
		return "/"
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	if !plainPath(out) {
		return "/"
	}
	return out
}

// plainPath reports a single-slash absolute path without control characters or backslashes.
func plainPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return false
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return false
		}
	}
	return true
}

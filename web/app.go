// Package web is the HTTP side of the console: the echo server and its middleware, authentication of
// API clients and console sessions, CSRF, flashes, the response helper that serves a page, an HTMX
// partial or JSON from one handler, and the central error handler.
package web

import (
	"crypto/sha256"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"cardconsole/static"
	"cardconsole/store"
)

// Options configure the web layer.
type Options struct {
	Store      *store.Store
	Logger     *slog.Logger
	BaseURL    string        // the console's public URL; https turns on Secure cookies
	SessionKey []byte        // signs and encrypts session cookies and signed links; share it between instances
	SessionTTL time.Duration // how long a console session lives at most
	// SessionIdle ends a console session after this long without a request (15 minutes when zero).
	SessionIdle time.Duration
	TokenTTL    store.TokenTTL
	BodyLimit   string // the default request body limit, e.g. "1M"
	// TrustedProxies are the only peers whose X-Forwarded-For names the client; from anyone else the
	// header is ignored and the connection's address is the client's.
	TrustedProxies []*net.IPNet
	// UploadTimeout is how long an upload route may take to receive its body (Timeouts.Upload).
	UploadTimeout time.Duration
	// InvitationTTL is how long an invitation link works (store.DefaultInvitationTTL when zero).
	InvitationTTL time.Duration
	// Mailer sends invitation links by mail when set (SMTP_URL); without it the admin passes them on.
	Mailer *Mailer
	// HeartbeatInterval is how often an idle event stream sends a comment line
	// (DefaultHeartbeatInterval when zero).
	HeartbeatInterval time.Duration
}

// App holds what middleware and handlers share.
type App struct {
	Store   *store.Store
	Log     *slog.Logger
	opts    Options
	cookies *sessions.CookieStore
	secure  bool
	origin  string
	Now     func() time.Time
	signKey []byte
}

// New builds the echo server with the middleware every route goes through. Routes are added by the
// caller (handlers.Routes).
func New(opts Options) (*App, *echo.Echo) {
	if opts.BodyLimit == "" {
		opts.BodyLimit = "1M"
	}
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = 15 * time.Minute
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = DefaultHeartbeatInterval
	}
	base, _ := url.Parse(opts.BaseURL)
	app := &App{
		Store:   opts.Store,
		Log:     opts.Logger,
		opts:    opts,
		cookies: sessions.NewCookieStore(deriveKey(opts.SessionKey, "cookie-auth"), deriveKey(opts.SessionKey, "cookie-enc")),
		secure:  base != nil && base.Scheme == "https",
		Now:     time.Now,
		signKey: deriveKey(opts.SessionKey, "signed-urls"),
	}
	if base != nil {
		app.origin = base.Scheme + "://" + base.Host
	}
	app.cookies.Options = &sessions.Options{Path: "/", MaxAge: int(opts.SessionTTL / time.Second), HttpOnly: true,
		Secure: app.secure, SameSite: http.SameSiteLaxMode}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = app.handleError
	e.IPExtractor = clientIP(opts.TrustedProxies)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}))
	e.Use(localize)
	e.Use(app.logRequests)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: app.logPanic}))
	e.Use(app.securityHeaders)
	e.Use(app.uploadDeadline)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: opts.BodyLimit, Skipper: largeBodyRoute}))
	e.Use(app.sameOrigin)
	e.Use(cleanQuery)

	assets, _ := fs.Sub(static.FS, ".")
	e.StaticFS("/static", assets)
	return app, e
}

// largeBodyRoute skips the default body limit on routes that enforce their own while streaming.
func largeBodyRoute(c echo.Context) bool {
	return (strings.HasSuffix(c.Path(), "/process-request") || strings.HasSuffix(c.Path(), "/upload") ||
		strings.HasSuffix(c.Path(), "/bulk")) &&
		c.Request().Method == http.MethodPost
}

func deriveKey(secret []byte, purpose string) []byte {
	h := sha256.Sum256(append([]byte(purpose+":"), secret...))
	return h[:]
}

// SignKey is the key for signed, short-lived links (evidence downloads).
func (a *App) SignKey() []byte { return a.signKey }

// BaseURL is the console's public URL.
func (a *App) BaseURL() string { return a.opts.BaseURL }

// clientIP reads the client's address from X-Forwarded-For only when the connection comes from one
// of the trusted proxies (walking the header from the right, past each trusted hop); loopback and
// private peers are not trusted unless listed. X-Real-IP is never read.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// SessionIdle is how long a console session lives without a request.
func (a *App) SessionIdle() time.Duration { return a.opts.SessionIdle }

// InvitationTTL is how long an invitation link works.
func (a *App) InvitationTTL() time.Duration {
	if a.opts.InvitationTTL <= 0 {
		return store.DefaultInvitationTTL
	}
	return a.opts.InvitationTTL
}

// Mailer is the configured mail sender, nil when none is.
func (a *App) Mailer() *Mailer { return a.opts.Mailer }

// TokenTTL is how long issued tokens live.
func (a *App) TokenTTL() store.TokenTTL { return a.opts.TokenTTL }

// contentSecurityPolicy allows scripts from the console's own files only: no inline script, no
// on*= handler, no eval (static/js/console.js binds behaviour to data- attributes). Inline styles
// stay allowed for the style attributes htmx and templ write.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; frame-src 'self' blob:; object-src 'self' blob:; " +
	"style-src 'self' 'unsafe-inline'; script-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"

// hstsMaxAge is the Strict-Transport-Security of a console served over https: two years.
const hstsMaxAge = "max-age=63072000; includeSubDomains"

// securityHeaders sets the headers every response carries; Strict-Transport-Security only when
// the console's BASE_URL is https, since a browser would otherwise refuse a plain-http console.
func (a *App) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		if a.secure {
			h.Set("Strict-Transport-Security", hstsMaxAge)
		}
		return next(c)
	}
}

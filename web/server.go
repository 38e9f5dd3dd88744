package web

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Timeouts bound how long a client may take to send a request and how long an idle connection
// stays open, so that slow senders (a body trickled one byte a second) cannot hold connections.
// Responses have no write limit: event streams stay open for as long as the page does.
type Timeouts struct {
	ReadHeader time.Duration // the request line and headers (READ_HEADER_TIMEOUT)
	Read       time.Duration // the whole request, body included (READ_TIMEOUT)
	Idle       time.Duration // a kept-alive connection between requests (IDLE_TIMEOUT)
	Upload     time.Duration // the whole request on upload routes, which replaces Read (UPLOAD_TIMEOUT)
}

// DefaultTimeouts are the timeouts when none are configured.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Idle: 120 * time.Second, Upload: 10 * time.Minute}

// NewServer is the HTTP server of the console with the read and idle timeouts; base is the
// context of every request, cancelled at shutdown to end long-lived responses.
func NewServer(addr string, handler http.Handler, t Timeouts, base context.Context) *http.Server {
	return &http.Server{Addr: addr, Handler: handler, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read,
		IdleTimeout: t.Idle, BaseContext: func(net.Listener) context.Context { return base }}
}

// uploadDeadline gives an upload route Options.UploadTimeout from now to receive its body, in
// place of the server's shorter ReadTimeout: a 10 MB evidence file over a slow link needs minutes,
// where every other body is small.
func (a *App) uploadDeadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a.opts.UploadTimeout > 0 && largeBodyRoute(c) {
			// Not every writer supports deadlines (a test recorder); the server's own limit then applies.
			_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(a.opts.UploadTimeout))
		}
		return next(c)
	}
}

package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// Render produces the fragment a refresh stream sends.
type Render func(ctx context.Context) (templ.Component, error)

// StreamRefreshes answers a server-sent event stream of one named event whose data is the HTML
// fragment render produces: sent when the stream opens, and again after live events that the
// authorizer's filter lets through (a burst of events gives one render) whenever the fragment
// changed. The fragment is computed for the subscriber, so the stream carries nothing of the events
// themselves (the bell's count, with tag restrictions applied). Heartbeats re-check the credentials
// and authorize; the stream ends when either fails.
func (a *App) StreamRefreshes(c echo.Context, event string, authorize Authorizer, render Render) error {
	ctx := c.Request().Context()
	check := func(ctx context.Context) (store.EventFilter, error) {
		if err := a.stillAuthenticated(c); err != nil {
			return store.EventFilter{}, err
		}
		return authorize(ctx)
	}
	filter, err := check(ctx)
	if err != nil {
		return err
	}
	sub, err := a.Store.Subscribe(ctx, filter)
	if err != nil {
		return err
	}
	defer sub.Close()

	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set(echo.HeaderCacheControl, "no-cache")
	h.Set("X-Accel-Buffering", "no")
	c.Response().WriteHeader(http.StatusOK)
	w := &sseWriter{c: c}
	w.printf("retry: %d\n: connected\n\n", streamRetry)
	last := ""
	send := func() {
		comp, err := render(ctx)
		var buf bytes.Buffer
		if err == nil {
			err = comp.Render(ctx, &buf)
		}
		if err != nil {
			a.Log.Error("unable to render a refresh", "request_id", RequestID(c), "event", event, "err", err)
			w.err = err
			return
		}
		// A data line ends at a newline; HTML does not need them.
		html := strings.ReplaceAll(buf.String(), "\n", " ")
		if html != last {
			last = html
			w.printf("event: %s\ndata: %s\n\n", event, html)
		}
	}
	send()
	beat := time.NewTicker(a.opts.HeartbeatInterval)
	defer beat.Stop()
	for w.err == nil {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-sub.C:
			if !ok || !drain(sub.C) {
				return nil
			}
			send()
		case <-beat.C:
			f, err := check(ctx)
			if err != nil {
				return nil
			}
			sub.SetFilter(f)
			w.printf(": heartbeat %d\n\n", a.Now().Unix())
		}
	}
	return nil
}

// drain empties what a subscription has buffered, reporting false when it was closed.
func drain(c <-chan store.LiveEvent) bool {
	for {
		select {
		case _, ok := <-c:
			if !ok {
				return false
			}
		default:
			return true
		}
	}
}

// stillAuthenticated checks again, for a long-lived response, that the console session or the
// operator token the request came with still exists, unexpired and unrevoked.
func (a *App) stillAuthenticated(c echo.Context) error {
	ctx := c.Request().Context()
	r := c.Request()
	p, _ := PrincipalOf(c)
	switch {
	case p.Console:
		_, err := a.Store.ConsoleSessionByID(ctx, a.sessionID(c), a.Now(), a.opts.SessionIdle, false)
		return err
	case r.Header.Get("x-user-token") != "":
		tok, _ := bearer(r.Header.Get("x-user-token"))
		_, err := a.Store.LookupToken(ctx, tok, store.TokenAccess)
		return err
	}
	tok, _ := bearer(r.Header.Get("Authorization"))
	_, err := a.Store.LookupToken(ctx, tok, store.TokenAccess)
	return err
}

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// DefaultHeartbeatInterval is how often an idle event stream sends a comment line, which keeps
// proxies from closing it and re-checks that the subscriber may still see what it asked for, unless
// Options.HeartbeatInterval says otherwise.
const DefaultHeartbeatInterval = 15 * time.Second

// streamRetry is the reconnection delay suggested to EventSource clients, in milliseconds.
const streamRetry = 3000

// replayBatch is how many stored events are read at a time when a client resumes.
const replayBatch = 500

// Authorizer says which events a stream's subscriber may see. A stream calls it when it opens and
// at every heartbeat, so a revoked grant, an expired token or a logout ends the stream.
type Authorizer func(ctx context.Context) (store.EventFilter, error)

// Stream answers a server-sent event stream of live events: first those after the Last-Event-ID
// header (or the lastEventId query parameter) from the events table, then live ones as any
// instance commits them. Each frame is an unnamed "data:" line of JSON with an "id:" line carrying
// the event id; comment lines are heartbeats. The stream ends when the request's context does (the
// client left, or the server shuts down), when the subscriber fell behind, or when authorize fails.
func (a *App) Stream(c echo.Context, authorize Authorizer) error {
	return a.StreamFrames(c, authorize, Frames{})
}

// Frames shapes the frames of a stream whose clients expect something other than the event's JSON.
type Frames struct {
	// Data is the data line of an event; nil sends the event as JSON.
	Data func(ev store.LiveEvent) string
	// Final reports whether the event is the last one: the stream ends after sending it.
	Final func(ev store.LiveEvent) bool
	// ReplayAll replays every stored event the filter lets through when the client names no
	// Last-Event-ID, so a client that opens the stream late still gets the state so far.
	ReplayAll bool
}

// StreamFrames is Stream with frames shaped by f.
func (a *App) StreamFrames(c echo.Context, authorize Authorizer, f Frames) error {
	ctx := c.Request().Context()
	// Events read from the table may also arrive live; each is sent once.
	replayed := map[int64]bool{}
	replay := func(w *sseWriter, filter store.EventFilter) {
		w.frames = f
		last, ok := lastEventID(c)
		if !ok && f.ReplayAll {
			last, ok = 0, true
		}
		for ok && w.err == nil {
			evs, err := a.Store.EventsAfter(ctx, filter, last, replayBatch)
			if err != nil {
				a.Log.Error("unable to replay events", "request_id", RequestID(c), "err", err)
				w.err = err
				return
			}
			for _, ev := range evs {
				w.event(ev)
				replayed[ev.ID] = true
				last = ev.ID
			}
			ok = len(evs) == replayBatch
		}
	}
	return a.stream(c, authorize, replay, func(w *sseWriter, _ *store.Subscription, ev store.LiveEvent) bool {
		if !replayed[ev.ID] {
			w.event(ev)
		}
		return true
	})
}

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
	last := ""
	send := func(w *sseWriter) {
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
	return a.stream(c, check, func(w *sseWriter, _ store.EventFilter) { send(w) },
		func(w *sseWriter, sub *store.Subscription, _ store.LiveEvent) bool {
			if !drain(sub.C) {
				return false
			}
			send(w)
			return true
		})
}

// stream runs an event stream: it subscribes with authorize's filter, opens the response, lets
// open write what comes first, then hands each live event to event, and re-runs authorize at every
// heartbeat. It ends when the request's context does (the client left, or the server shuts down),
// when the subscription closes (the subscriber fell behind), when authorize fails, when a write
// fails or when event returns false.
func (a *App) stream(c echo.Context, authorize Authorizer, open func(w *sseWriter, filter store.EventFilter),
	event func(w *sseWriter, sub *store.Subscription, ev store.LiveEvent) bool) error {
	ctx := c.Request().Context()
	filter, err := authorize(ctx)
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
	h.Set("X-Accel-Buffering", "no") // nginx would otherwise hold frames back
	c.Response().WriteHeader(http.StatusOK)
	w := &sseWriter{c: c}
	w.printf("retry: %d\n: connected\n\n", streamRetry)
	open(w, filter)

	beat := time.NewTicker(a.opts.HeartbeatInterval)
	defer beat.Stop()
	for w.err == nil {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-sub.C:
			if !ok || !event(w, sub, ev) {
				return nil
			}
		case <-beat.C:
			f, err := authorize(ctx)
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

// lastEventID reads where a client resumes: the Last-Event-ID header EventSource sends on
// reconnection, or a lastEventId parameter for clients that cannot set headers. Without either,
// or with something that is not an event id, the stream starts from the present.
func lastEventID(c echo.Context) (int64, bool) {
	v := c.Request().Header.Get("Last-Event-ID")
	if v == "" {
		v = c.QueryParam("lastEventId")
	}
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || id < 0 {
		return 0, false
	}
	return id, true
}

// sseWriter writes frames and flushes each; after the first write error (or the final frame) it
// writes nothing more.
type sseWriter struct {
	c      echo.Context
	frames Frames
	err    error
}

// errFinalFrame ends a stream after its final frame.
var errFinalFrame = errors.New("web: final frame sent")

func (w *sseWriter) printf(format string, args ...any) {
	if w.err != nil {
		return
	}
	if _, w.err = fmt.Fprintf(w.c.Response(), format, args...); w.err == nil {
		w.c.Response().Flush()
	}
}

// event writes one frame; JSON never contains a raw newline, so the data fits on one line.
func (w *sseWriter) event(ev store.LiveEvent) {
	if w.frames.Data != nil {
		w.printf("id: %d\ndata: %s\n\n", ev.ID, w.frames.Data(ev))
		if w.err == nil && w.frames.Final != nil && w.frames.Final(ev) {
			w.err = errFinalFrame
		}
		return
	}
	b, err := json.Marshal(ev)
	if err != nil {
		w.err = err
		return
	}
	w.printf("id: %d\ndata: %s\n\n", ev.ID, b)
}

// Reauthorize checks again, for a long-lived response, that the credentials the request came with
// are still valid (the console session exists, the tokens are unexpired and unrevoked) and that
// the operator still holds the permission on the route's partner.
func (a *App) Reauthorize(c echo.Context, permission string) error {
	if err := a.stillAuthenticated(c); err != nil {
		return err
	}
	p, _ := PrincipalOf(c)
	g, err := a.Store.GrantsFor(c.Request().Context(), p.OperatorID, PartnerID(c))
	if err != nil {
		return err
	}
	if !g.Has(permission) {
		return store.NewError(store.CodeForbidden, "you need the permission "+permission)
	}
	return nil
}

// stillAuthenticated checks again, for a long-lived response, that the console session or the
// operator token the request came with still exists, unexpired and unrevoked (with the application
// token beside an operator's x-user-token).
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
		if _, err := a.Store.LookupToken(ctx, tok, store.TokenAccess); err != nil {
			return err
		}
		app, _ := bearer(r.Header.Get("Authorization"))
		_, err := a.Store.LookupToken(ctx, app, store.TokenApp)
		return err
	}
	tok, _ := bearer(r.Header.Get("Authorization"))
	_, err := a.Store.LookupToken(ctx, tok, store.TokenAccess)
	return err
}

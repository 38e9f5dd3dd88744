package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web/i18n"
)

// View is one answer in its three forms: JSON data for API clients, a full page for a browser and a
// fragment for HTMX, with what the console does after a change (go elsewhere, show a flash, tell
// other parts of the page to reload). Handlers build one from a single view model and call Respond;
// the answer's form is chosen there and only there.
type View struct {
	Status  int             // defaults to 200
	Title   string          // the page title
	Message string          // the success envelope's message
	Data    any             // the JSON payload
	Body    JSONBody        // how Data is written: in the success envelope unless said otherwise
	Page    templ.Component // the page content, wrapped in the layout; see Lazy for content that costs queries
	Partial templ.Component // the HTMX fragment; Page's content when nil
	// Redirect sends the browser elsewhere after a change (redirect-after-post): a plain form post
	// gets 303 See Other, an HTMX request without a fragment gets HX-Redirect. API clients get Data.
	Redirect *Redirect
	// Trigger names the HTMX events (HX-Trigger) an HTMX answer raises, so that other parts of the
	// page reload themselves: "card-changed" or "a, b".
	Trigger string
	// Flash is a message shown with the HTMX fragment, added out of band to the page's flash area.
	Flash *Flash
}

// JSONBody is how API clients get a View's Data.
type JSONBody int

const (
	// Enveloped writes Data inside the success envelope {success, message, data}: the CMS and issuer routes.
	Enveloped JSONBody = iota
	// ApplicationsBody writes Data as it is, without an envelope: the applications API's bare body.
	ApplicationsBody
)

// Redirect is where the browser goes after a change, and the flash it shows there.
type Redirect struct {
	To    string
	Flash *Flash
	// HTMXStatus is the status of the HTMX answer carrying HX-Redirect: the view's status, or 204
	// No Content when the view has none.
	HTMXStatus int
}

// Flash is a typed console message: a catalogue key (translated in the request's language with
// Args) or, for a message composed elsewhere, its Text.
type Flash struct {
	Kind FlashKind
	Key  string
	Args map[string]any
	Text string
}

// Flashed is a flash of a message already written.
func Flashed(kind FlashKind, text string) *Flash { return &Flash{Kind: kind, Text: text} }

// text is the flash's message in the request's language.
func (f *Flash) text(c echo.Context) string {
	if f.Key != "" {
		return T(c, f.Key, f.Args)
	}
	return f.Text
}

// Lazy is a component built only when it is rendered: a page whose content needs queries of its
// own is given as Lazy, so API clients and HTMX requests, which never render it, never run them.
// An error of build becomes the request's error, as a failing component's does.
func Lazy(build func() (templ.Component, error)) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		comp, err := build()
		if err != nil {
			return err
		}
		return comp.Render(ctx, w)
	})
}

// Envelope is the JSON answer of the CMS and issuer routes.
type Envelope struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

// WantsJSON reports whether the request is answered in JSON: it carries API credentials, asks for
// JSON, or does not ask for HTML at all (scripts and API clients). Respond decides with it; a
// handler asks only where the console reads its input differently from the API.
func WantsJSON(c echo.Context) bool {
	r := c.Request()
	if r.Header.Get("Authorization") != "" || r.Header.Get("x-user-token") != "" || r.Header.Get("x-application-id") != "" {
		return true
	}
	accept := r.Header.Get("Accept")
	if strings.Contains(accept, "application/json") {
		return true
	}
	return !strings.Contains(accept, "text/html") && r.Header.Get("HX-Request") == ""
}

// IsHTMX reports an HTMX request that replaces part of a page (a boosted navigation gets the page).
func IsHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-Boosted") != "true"
}

// Respond answers v as JSON, an HTMX fragment or a full page, and says so in Vary.
func (a *App) Respond(c echo.Context, v View) error {
	c.Response().Header().Add("Vary", "Accept, HX-Request")
	switch {
	case WantsJSON(c):
		return respondJSON(c, v)
	case IsHTMX(c):
		return a.respondFragment(c, v)
	}
	return a.respondPage(c, v)
}

// status is the view's status: 200 unless it says otherwise.
func (v View) status() int {
	if v.Status == 0 {
		return http.StatusOK
	}
	return v.Status
}

// pageStatus is the status of an answer that has a body: 200 for a view whose API answer is 204.
func (v View) pageStatus() int {
	if v.Status == http.StatusNoContent {
		return http.StatusOK
	}
	return v.status()
}

func respondJSON(c echo.Context, v View) error {
	switch {
	case v.Status == http.StatusNoContent:
		return c.NoContent(v.Status)
	case v.Body == ApplicationsBody:
		return c.JSON(v.status(), v.Data)
	}
	msg := v.Message
	if msg == "" {
		msg = "OK"
	}
	return c.JSON(v.status(), Envelope{Success: true, Message: successMessage(msg, i18n.Lang(c.Request().Context())), Data: v.Data})
}

// respondFragment answers HTMX: the fragment (with the flash out of band), or HX-Redirect when
// the view has no fragment but a destination.
func (a *App) respondFragment(c echo.Context, v View) error {
	trigger := func() {
		if v.Trigger != "" {
			c.Response().Header().Set("HX-Trigger", v.Trigger)
		}
	}
	part := v.Partial
	if part == nil {
		part = v.Page
	}
	if part == nil && v.Redirect != nil {
		a.flash(c, v.Redirect.Flash)
		c.Response().Header().Set("HX-Redirect", v.Redirect.To)
		status := v.Redirect.HTMXStatus
		if status == 0 {
			status = v.Status
		}
		if status == 0 {
			status = http.StatusNoContent
		}
		trigger()
		return c.NoContent(status)
	}
	if v.Flash != nil {
		oob := views.FlashOOB(views.Flash{Kind: string(v.Flash.Kind), Text: v.Flash.text(c)})
		if part == nil {
			part = oob
		} else {
			part = templ.Join(part, oob)
		}
	}
	if part == nil {
		trigger()
		return c.NoContent(http.StatusNoContent)
	}
	// The events are raised only by an answer that rendered: an error page raises none.
	html, err := renderHTML(c.Request().Context(), part)
	if err != nil {
		return err
	}
	trigger()
	return c.HTMLBlob(v.pageStatus(), html)
}

// respondPage answers a browser: a redirect after a change, or the page in the layout.
func (a *App) respondPage(c echo.Context, v View) error {
	if v.Redirect != nil {
		a.flash(c, v.Redirect.Flash)
		return c.Redirect(http.StatusSeeOther, v.Redirect.To)
	}
	if v.Page == nil {
		return c.NoContent(v.status())
	}
	return a.RenderPage(c, v.pageStatus(), v.Title, v.Page)
}

// flash queues f for the next page the browser shows; nil queues nothing.
func (a *App) flash(c echo.Context, f *Flash) {
	if f != nil {
		a.Flash(c, f.Kind, f.text(c))
	}
}

// RespondInvalid answers a submission refused with err. API clients, and refusals that concern no
// field of the form, get err itself (the error envelope or the error page). The console gets the
// form again with each message beside its field, in the request's language: form builds that
// answer from the messages (a refused one-time code is the "otp" field's), with status 422 unless
// it says otherwise. A form that exists only as a fragment (the view has no Page) is answered so
// to HTMX only; a plain form post then gets err.
func (a *App) RespondInvalid(c echo.Context, err error, form func(fields map[string]string) (View, error)) error {
	if WantsJSON(c) {
		return err
	}
	fields := FieldErrors(c, err)
	if e, ok := store.AsError(err); ok {
		switch e.Code {
		case store.CodeOTPRequired, store.CodeOTPInvalid, store.CodeTooManyAttempts:
			fields = map[string]string{"otp": ErrorMessage(c, e)}
		}
	}
	if len(fields) == 0 {
		return err
	}
	v, ferr := form(fields)
	if ferr != nil {
		return ferr
	}
	if v.Status == 0 {
		v.Status = http.StatusUnprocessableEntity
	}
	return a.RespondRefused(c, err, v)
}

// RespondRefused answers a business refusal err with v, the console's way of showing it (a fragment
// with the message, a redirect with a flash). API clients, errors that are not business refusals,
// and a request whose form v has no answer for (an HTMX request and a view without a fragment, a
// browser and a view without a page or a redirect) get err itself.
func (a *App) RespondRefused(c echo.Context, err error, v View) error {
	if e, ok := store.AsError(err); !ok || StatusOf(e.Code) >= http.StatusInternalServerError || WantsJSON(c) {
		return err
	}
	if IsHTMX(c) {
		if v.Partial == nil && v.Page == nil {
			return err
		}
	} else if v.Page == nil && v.Redirect == nil {
		return err
	}
	return a.Respond(c, v)
}

// RenderPage writes a full page: the layout around content.
func (a *App) RenderPage(c echo.Context, status int, title string, content templ.Component) error {
	ctx := templ.WithChildren(c.Request().Context(), content)
	return renderCtx(c, ctx, status, views.Layout(a.Chrome(c, title)))
}

// render writes a component as the response. It renders into memory first, so a failing component
// becomes an error page rather than half a page.
func render(c echo.Context, status int, comp templ.Component) error {
	return renderCtx(c, c.Request().Context(), status, comp)
}

func renderCtx(c echo.Context, ctx context.Context, status int, comp templ.Component) error {
	html, err := renderHTML(ctx, comp)
	if err != nil {
		return err
	}
	return c.HTMLBlob(status, html)
}

// renderHTML renders a component into memory.
func renderHTML(ctx context.Context, comp templ.Component) ([]byte, error) {
	var buf bytes.Buffer
	if err := comp.Render(ctx, &buf); err != nil {
		return nil, fmt.Errorf("web: unable to render: %w", err)
	}
	return buf.Bytes(), nil
}

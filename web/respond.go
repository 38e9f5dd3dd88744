package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"cardconsole/views"
)

// View is one answer in its three forms: JSON data for API clients, a full page for a browser and a
// fragment for HTMX. Handlers build one from a single view model and call Respond.
type View struct {
	Status  int             // defaults to 200
	Title   string          // the page title
	Message string          // the success envelope's message
	Data    any             // the JSON payload
	Page    templ.Component // the page content, wrapped in the layout
	Partial templ.Component // the HTMX fragment; Page's content when nil
	Bare    bool            // answer Data as it is, without the success envelope (the applications API)
}

// Envelope is the JSON answer of the CMS and issuer routes.
type Envelope struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

// WantsJSON reports whether the request is answered in JSON: it carries API credentials, asks for
// JSON, or does not ask for HTML at all (scripts and API clients).
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
	status := v.Status
	if status == 0 {
		status = http.StatusOK
	}
	if WantsJSON(c) {
		if status == http.StatusNoContent {
			return c.NoContent(status)
		}
		if v.Bare {
			return c.JSON(status, v.Data)
		}
		msg := v.Message
		if msg == "" {
			msg = "OK"
		}
		return c.JSON(status, Envelope{Success: true, Message: msg, Data: v.Data})
	}
	if IsHTMX(c) {
		part := v.Partial
		if part == nil {
			part = v.Page
		}
		if part == nil {
			return c.NoContent(http.StatusNoContent)
		}
		if status == http.StatusNoContent {
			status = http.StatusOK
		}
		return render(c, status, part)
	}
	if v.Page == nil {
		return c.NoContent(status)
	}
	if status == http.StatusNoContent {
		status = http.StatusOK
	}
	return a.RenderPage(c, status, v.Title, v.Page)
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
	var buf bytes.Buffer
	if err := comp.Render(ctx, &buf); err != nil {
		return fmt.Errorf("web: unable to render: %w", err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// Package handlers holds the route table and the handlers: each binds and validates its input,
// calls one store method and answers through web.App.Respond, for browsers and API clients alike.
package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
)

// Handlers are the route handlers and what they share.
type Handlers struct {
	app   *web.App
	store *store.Store
}

// New returns the handlers over the web app.
func New(app *web.App) *Handlers { return &Handlers{app: app, store: app.Store} }

// bind decodes the request body (JSON or form) into dst, answering a 400 in the envelope when it
// cannot be read.
func bind(c echo.Context, dst any) error {
	if err := (&echo.DefaultBinder{}).BindBody(c, dst); err != nil {
		return store.NewError(store.CodeCheckParameters, "the request body could not be read: expected valid JSON or form fields")
	}
	return nil
}

// intQuery reads an integer query parameter, or def when it is absent or not a number.
func intQuery(c echo.Context, name string, def int) int {
	v, err := strconv.Atoi(c.QueryParam(name))
	if err != nil {
		return def
	}
	return v
}

// pageQuery reads page and limit with the store's defaults and cap.
func pageQuery(c echo.Context) store.Page {
	return store.NewPage(intQuery(c, "page", 1), intQuery(c, "limit", store.DefaultLimit))
}

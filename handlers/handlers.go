// Package handlers holds the route table and the handlers: each binds and validates its input,
// calls one store method and answers through web.App.Respond, for browsers and API clients alike.
package handlers

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

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

// bind decodes the request body into dst: JSON, or form fields where dst declares them (form tags,
// the console's forms). Any other body, or a form sent to a route that reads JSON only, answers 415:
// read as empty, it would act as if the client had sent nothing (docs/api.md).
func bind(c echo.Context, dst any) error {
	if isFormBody(c) && !readsForms(dst) {
		return store.NewError(store.CodeUnsupportedMedia, "this route reads application/json only")
	}
	if err := (&echo.DefaultBinder{}).BindBody(c, dst); err != nil {
		if errors.Is(err, echo.ErrUnsupportedMediaType) {
			return store.NewError(store.CodeUnsupportedMedia, "send the body as application/json")
		}
		return store.NewError(store.CodeCheckParameters, "the request body could not be read: expected valid JSON or form fields")
	}
	return nil
}

// isFormBody reports an urlencoded or multipart form body.
func isFormBody(c echo.Context) bool {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	return c.Request().ContentLength != 0 &&
		(strings.HasPrefix(ct, echo.MIMEApplicationForm) || strings.HasPrefix(ct, echo.MIMEMultipartForm))
}

// readsForms reports whether dst, a pointer to a struct, declares form fields.
func readsForms(dst any) bool {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		if _, ok := t.Field(i).Tag.Lookup("form"); ok {
			return true
		}
	}
	return false
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

package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web/i18n"
)

// ErrorEnvelope is the JSON answer of every error.
type ErrorEnvelope struct {
	Success bool          `json:"success"`
	Message string        `json:"message"`
	Errors  []ErrorDetail `json:"errors"`
	Data    any           `json:"data,omitempty"` // set by the few refusals that name an object (docs/errors.md)
}

// ErrorDetail is one error of the envelope; Field is set for validation errors.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// statusOf is the HTTP status each catalog code implies.
var statusOf = map[store.Code]int{
	store.CodeCheckParameters:     http.StatusBadRequest,
	store.CodeGreaterThanZero:     http.StatusBadRequest,
	store.CodeInvalidFormatAmount: http.StatusBadRequest,
	store.CodeConsultWithSupport:  http.StatusInternalServerError,
	store.CodeUnauthorized:        http.StatusUnauthorized,
	store.CodeForbidden:           http.StatusForbidden,
	store.CodeExternalIDExists:    http.StatusConflict,
	store.CodeOTPRequired:         http.StatusForbidden,
	store.CodeOTPInvalid:          http.StatusForbidden,
	store.CodeTooManyAttempts:     http.StatusTooManyRequests,
	store.CodeNotFound:            http.StatusNotFound,
	store.CodeConflict:            http.StatusConflict,
	store.CodePayloadTooLarge:     http.StatusRequestEntityTooLarge,
	store.CodeUnsupportedMedia:    http.StatusUnsupportedMediaType,
	store.CodeCSRF:                http.StatusForbidden,
	store.CodeSecondFactorNeeded:  http.StatusUnauthorized,
	store.CodeUnavailable:         http.StatusServiceUnavailable,
	store.CodeLastAdmin:           http.StatusConflict,
	store.CodeInvitationInvalid:   http.StatusGone,
	store.CodeUserNotFound:        http.StatusNotFound,
	store.CodeCardholderClosed:    http.StatusConflict,
	store.CodeCardholderHasFunds:  http.StatusConflict,
	store.CodeCardNotFound:        http.StatusNotFound,
	store.CodeCardNotUpdated:      http.StatusConflict,
	store.CodeInvalidStatusCard:   http.StatusConflict,
	store.CodeThirdPartyNotFound:  http.StatusNotFound,
	store.CodeThirdPartyCreate:    http.StatusConflict,
	store.CodeInsufficientFunds:   http.StatusUnprocessableEntity,
	store.CodeAlreadyReversed:     http.StatusConflict,
}

// StatusOf returns the HTTP status of a catalog code.
func StatusOf(code store.Code) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// codeOfStatus is the catalog code for errors raised by the framework with only a status.
func codeOfStatus(status int) store.Code {
	switch status {
	case http.StatusUnauthorized:
		return store.CodeUnauthorized
	case http.StatusForbidden:
		return store.CodeForbidden
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return store.CodeNotFound
	case http.StatusRequestEntityTooLarge:
		return store.CodePayloadTooLarge
	case http.StatusUnsupportedMediaType:
		return store.CodeUnsupportedMedia
	case http.StatusConflict:
		return store.CodeConflict
	case http.StatusTooManyRequests:
		return store.CodeTooManyAttempts
	}
	if status >= 500 {
		return store.CodeConsultWithSupport
	}
	return store.CodeCheckParameters
}

// classify turns any error into status, envelope and whether it is the server's fault.
func classify(err error) (int, ErrorEnvelope) {
	if e, ok := store.AsError(err); ok {
		env := ErrorEnvelope{Message: e.Message, Data: e.Data}
		if len(e.Fields) > 0 {
			for _, f := range e.Fields {
				env.Errors = append(env.Errors, ErrorDetail{Code: string(f.Code), Message: f.Message, Field: f.Field})
			}
		} else {
			env.Errors = []ErrorDetail{{Code: string(e.Code), Message: e.Message}}
		}
		return StatusOf(e.Code), env
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			msg = m
		}
		if he.Code == http.StatusMethodNotAllowed {
			msg = "method not allowed on this route"
		}
		return he.Code, ErrorEnvelope{Message: msg, Errors: []ErrorDetail{{Code: string(codeOfStatus(he.Code)), Message: msg}}}
	}
	if databaseUnreachable(err) {
		msg := "the service is unavailable for a moment; try again shortly"
		return http.StatusServiceUnavailable, ErrorEnvelope{Message: msg,
			Errors: []ErrorDetail{{Code: string(store.CodeUnavailable), Message: msg}}}
	}
	msg := "something went wrong on our side; give support the reference"
	return http.StatusInternalServerError, ErrorEnvelope{Message: msg,
		Errors: []ErrorDetail{{Code: string(store.CodeConsultWithSupport), Message: msg}}}
}

// handleError is echo's central error handler: the envelope for JSON, the error alert for HTMX, an
// error page otherwise. Server errors are logged with the request id and never shown in detail.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, env := classify(err)
	env = translateEnvelope(env, i18n.Lang(c.Request().Context()), !WantsJSON(c))
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", retryAfterSeconds)
	}
	if status >= 500 {
		a.Log.Error("request failed", "request_id", reqID, "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	c.Response().Header().Add("Vary", "Accept, HX-Request")
	var werr error
	switch {
	case WantsJSON(c):
		if c.Request().Method == http.MethodHead {
			werr = c.NoContent(status)
		} else {
			werr = c.JSON(status, env)
		}
	case IsHTMX(c):
		if status == http.StatusUnauthorized {
			c.Response().Header().Set("HX-Redirect", "/login")
			werr = c.NoContent(status)
			break
		}
		c.Response().Header().Set("HX-Retarget", "#flash")
		c.Response().Header().Set("HX-Reswap", "innerHTML")
		werr = render(c, status, views.ErrorAlert(env.Message, reqIDIfServer(status, reqID)))
	case status == http.StatusUnauthorized && c.Request().Method == http.MethodGet:
		werr = c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
	default:
		werr = a.RenderPage(c, status, T(c, "error.title", map[string]any{"Status": status}), views.ErrorPage(status, env.Message, reqIDIfServer(status, reqID)))
	}
	if werr != nil {
		a.Log.Error("unable to write error response", "request_id", reqID, "err", werr)
	}
}

func reqIDIfServer(status int, id string) string {
	if status >= 500 {
		return id
	}
	return ""
}

// logPanic logs a recovered panic with its stack.
func (a *App) logPanic(c echo.Context, err error, stack []byte) error {
	a.Log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err, "stack", string(stack))
	return err
}

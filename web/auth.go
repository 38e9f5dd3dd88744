package web

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// Principal is who is calling: an operator (through API tokens or a console session) or an
// application alone (the issuer API).
type Principal struct {
	OperatorID int64
	Email      string
	AppID      int64
	AppName    string
	// AppPublicID is the application's x-application-id and AppPartners the partners it serves.
	AppPublicID string
	AppPartners []int64
	SessionID   string // the API token session, for logout
	Console     bool   // authenticated by the console cookie
	CSRF        string // the console session's CSRF token
}

const (
	ctxPrincipal = "cardconsole.principal"
	ctxGrants    = "cardconsole.grants"
)

// PrincipalOf returns the authenticated caller, if any.
func PrincipalOf(c echo.Context) (Principal, bool) {
	p, ok := c.Get(ctxPrincipal).(Principal)
	return p, ok
}

// GrantsOf returns the operator's grants on the partner of the route (after PartnerScope).
func GrantsOf(c echo.Context) store.Grants {
	g, _ := c.Get(ctxGrants).(store.Grants)
	return g
}

// ActorOf describes the caller for the audit log.
func ActorOf(c echo.Context) (store.Actor, bool) {
	a := store.Actor{Type: store.ActorAnonymous, RequestID: RequestID(c), IP: c.RealIP()}
	p, ok := PrincipalOf(c)
	switch {
	case ok && p.OperatorID != 0:
		a.Type, a.OperatorID, a.Label, a.AppID = store.ActorOperator, p.OperatorID, p.Email, p.AppID
	case ok && p.AppID != 0:
		a.Type, a.AppID, a.Label = store.ActorApplication, p.AppID, p.AppName
	}
	return a, ok
}

// Actor describes the caller for the audit log (anonymous when nobody is authenticated).
func Actor(c echo.Context) store.Actor {
	a, _ := ActorOf(c)
	return a
}

// bearer extracts the token of an "Authorization: Bearer <token>" style header; a value without the
// Bearer prefix is refused.
func bearer(value string) (string, bool) {
	const prefix = "Bearer "
	if len(value) <= len(prefix) || !strings.EqualFold(value[:len(prefix)], prefix) {
		return "", false
	}
	tok := strings.TrimSpace(value[len(prefix):])
	return tok, tok != ""
}

func unauthorized(msg string) error { return store.NewError(store.CodeUnauthorized, msg) }

// RequireOperator authenticates an operator: API clients with both the application token
// (Authorization) and the operator token (x-user-token), browsers with the console session, whose
// state-changing requests must carry the CSRF token.
func (a *App) RequireOperator(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		ctx := r.Context()
		if r.Header.Get("Authorization") != "" || r.Header.Get("x-user-token") != "" {
			appTok, ok := bearer(r.Header.Get("Authorization"))
			if !ok {
				return unauthorized("Authorization must be 'Bearer <application token>'")
			}
			userTok, ok := bearer(r.Header.Get("x-user-token"))
			if !ok {
				return unauthorized("x-user-token must be 'Bearer <operator token>'")
			}
			app, err := a.Store.LookupToken(ctx, appTok, store.TokenApp)
			if err != nil {
				return err
			}
			op, err := a.Store.LookupToken(ctx, userTok, store.TokenAccess)
			if err != nil {
				return err
			}
			c.Set(ctxPrincipal, Principal{OperatorID: op.OperatorID, Email: op.Email, AppID: app.AppID, AppName: app.AppName,
				SessionID: op.SessionID})
			return next(c)
		}
		id := a.sessionID(c)
		if id == "" {
			return unauthorized("log in first")
		}
		sess, err := a.Store.ConsoleSessionByID(ctx, id, a.Now(), a.opts.SessionIdle, true)
		if err != nil {
			return err
		}
		c.Set(ctxPrincipal, Principal{OperatorID: sess.OperatorID, Email: sess.Email, Console: true, CSRF: sess.CSRFToken})
		if err := a.setOperatorLocale(c, sess.OperatorID); err != nil {
			return err
		}
		if !safeMethod(r.Method) && !tokenEqual(sess.CSRFToken, csrfFromRequest(c)) {
			a.auditRefusal(c, 0, "missing or wrong CSRF token")
			return store.NewError(store.CodeCSRF, "the page expired; reload it and try again")
		}
		return next(c)
	}
}

// RequireOperatorToken authenticates an API operator by "Authorization: Bearer <operator token>"
// alone, as the applications API (/api/v2) does; browsers use their console session.
func (a *App) RequireOperatorToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if h := c.Request().Header.Get("Authorization"); h != "" {
			tok, ok := bearer(h)
			if !ok {
				return unauthorized("Authorization must be 'Bearer <operator token>'")
			}
			op, err := a.Store.LookupToken(c.Request().Context(), tok, store.TokenAccess)
			if err != nil {
				return err
			}
			c.Set(ctxPrincipal, Principal{OperatorID: op.OperatorID, Email: op.Email, AppID: op.AppID, SessionID: op.SessionID})
			return next(c)
		}
		return a.RequireOperator(next)(c)
	}
}

// RequireApplication authenticates the issuer API: "Authorization: Bearer <application token>" and an
// x-application-id header naming the same application.
func (a *App) RequireApplication(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok, ok := bearer(c.Request().Header.Get("Authorization"))
		if !ok {
			return unauthorized("Authorization must be 'Bearer <application token>'")
		}
		app, err := a.Store.LookupToken(c.Request().Context(), tok, store.TokenApp)
		if err != nil {
			return err
		}
		appID := c.Request().Header.Get("x-application-id")
		if appID == "" {
			return unauthorized("x-application-id is required")
		}
		c.Set(ctxPrincipal, Principal{AppID: app.AppID, AppName: app.AppName, AppPublicID: app.AppPublicID, AppPartners: app.AppPartners})
		c.Set(ctxApplicationID, appID)
		return next(c)
	}
}

const ctxApplicationID = "cardconsole.application_id"

// ApplicationID is the x-application-id of an issuer API request.
func ApplicationID(c echo.Context) string {
	s, _ := c.Get(ctxApplicationID).(string)
	return s
}

func csrfFromRequest(c echo.Context) string {
	if h := c.Request().Header.Get("X-CSRF-Token"); h != "" {
		return h
	}
	// Only urlencoded forms are parsed here; multipart uploads are sent by HTMX with the header,
	// so their bodies are never read before the handler streams them.
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationForm) {
		return c.FormValue("_csrf")
	}
	return ""
}

// PartnerID is the partner of the route, from :partnerId.
func PartnerID(c echo.Context) int64 {
	id, _ := strconv.ParseInt(c.Param("partnerId"), 10, 64)
	return id
}

// PartnerScope lets the request through only when the operator holds a grant on the partner in the
// path; anything else is 403 and audited. The grants are kept for Require and OTP checks.
func (a *App) PartnerScope(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, _ := PrincipalOf(c)
		partnerID, err := strconv.ParseInt(c.Param("partnerId"), 10, 64)
		if err != nil || partnerID <= 0 {
			return store.NotFound("partner")
		}
		g, err := a.Store.GrantsFor(c.Request().Context(), p.OperatorID, partnerID)
		if err != nil {
			return err
		}
		if !g.Any() {
			a.auditRefusal(c, partnerID, "no grant on partner")
			return store.NewError(store.CodeForbidden, "you have no access to this partner")
		}
		c.Set(ctxGrants, g)
		if p.Console {
			if err := a.setPartnerZone(c, partnerID); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// Require returns middleware that lets the request through only when the operator holds the
// permission on the route's partner.
func (a *App) Require(permission string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := a.Check(c, permission); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// RequireAny lets the request through when the operator holds at least one of the permissions on
// the route's partner (screens shared by makers and checkers, such as bulk files).
func (a *App) RequireAny(permissions ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			g := GrantsOf(c)
			for _, p := range permissions {
				if g.Has(p) {
					return next(c)
				}
			}
			return a.Check(c, permissions[0])
		}
	}
}

// Check answers 403 (and audits it) unless the operator holds the permission on the route's partner.
func (a *App) Check(c echo.Context, permission string) error {
	g := GrantsOf(c)
	if g.Has(permission) {
		return nil
	}
	a.auditRefusal(c, g.PartnerID, "missing permission "+permission)
	return store.NewError(store.CodeForbidden, "you need the permission "+permission)
}

// auditRefusal records a refused authorization.
func (a *App) auditRefusal(c echo.Context, partnerID int64, reason string) {
	err := a.Store.Audit(c.Request().Context(), Actor(c), store.Event{PartnerID: partnerID, Action: "authz.refused",
		ObjectType: "route", ObjectID: c.Request().Method + " " + c.Request().URL.Path, After: map[string]string{"reason": reason}})
	if err != nil {
		a.Log.Error("unable to audit refusal", "request_id", RequestID(c), "err", err)
	}
}

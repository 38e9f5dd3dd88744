package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
)

const (
	cookieName   = "cardconsole"
	keySessionID = "sid"
	keyAnonCSRF  = "csrf"
	keySignIn    = "signin" // the challenge of a sign-in waiting for its code
	keySignInTo  = "next"   // where that sign-in goes once complete
)

// FlashKind is the kind of a flash message.
type FlashKind string

// Flash kinds.
const (
	Success FlashKind = "success"
	Info    FlashKind = "info"
	Warning FlashKind = "warning"
	Danger  FlashKind = "error"
)

func (a *App) cookie(c echo.Context) *sessions.Session {
	// A cookie that fails to decode (rotated key, tampering) yields a fresh empty session.
	s, _ := a.cookies.Get(c.Request(), cookieName)
	return s
}

// Flash queues a message for the next page the browser shows.
func (a *App) Flash(c echo.Context, kind FlashKind, text string) {
	s := a.cookie(c)
	s.AddFlash(string(kind) + "|" + text)
	_ = s.Save(c.Request(), c.Response())
}

func (a *App) takeFlashes(c echo.Context) []views.Flash {
	s := a.cookie(c)
	raw := s.Flashes()
	if len(raw) == 0 {
		return nil
	}
	_ = s.Save(c.Request(), c.Response())
	out := make([]views.Flash, 0, len(raw))
	for _, f := range raw {
		str, _ := f.(string)
		kind, text, _ := strings.Cut(str, "|")
		out = append(out, views.Flash{Kind: kind, Text: text})
	}
	return out
}

// Chrome gathers what the layout needs for this request.
func (a *App) Chrome(c echo.Context, title string) views.Chrome {
	ch := views.Chrome{Title: title, Path: c.Request().URL.Path, Flashes: a.takeFlashes(c)}
	if p, ok := PrincipalOf(c); ok && p.Console {
		ch.Operator = p.Email
		ch.CSRF = p.CSRF
		ch.Requests = a.requestsBell(c, p.OperatorID)
		if ids, err := a.Store.PartnerIDsFor(c.Request().Context(), p.OperatorID, "audit-log:list"); err == nil {
			ch.CanAudit = len(ids) > 0
		}
		ch.IdleSeconds = int(a.opts.SessionIdle / time.Second)
	} else {
		// Read only: an error page answering a cross-site request must not replace the visitor's
		// cookie (that would log them out). The login page creates the token explicitly.
		ch.CSRF, _ = a.cookie(c).Values[keyAnonCSRF].(string)
	}
	return ch
}

// AnonymousCSRF returns the CSRF token of a browser that is not logged in (the login form), setting
// it in the cookie on first use.
func (a *App) AnonymousCSRF(c echo.Context) string {
	s := a.cookie(c)
	if tok, ok := s.Values[keyAnonCSRF].(string); ok && tok != "" {
		return tok
	}
	tok := newRequestID() + newRequestID()
	s.Values[keyAnonCSRF] = tok
	_ = s.Save(c.Request(), c.Response())
	return tok
}

// CheckAnonymousCSRF verifies the login form's token against the cookie.
func (a *App) CheckAnonymousCSRF(c echo.Context) error {
	want, _ := a.cookie(c).Values[keyAnonCSRF].(string)
	if want == "" || !tokenEqual(want, c.FormValue("_csrf")) {
		return store.NewError(store.CodeCSRF, "the form expired; reload the page and try again")
	}
	return nil
}

// StartSession logs the operator in: a new server-side session whose id replaces whatever the cookie
// held before, so a planted session id is never promoted.
func (a *App) StartSession(c echo.Context, op store.Operator) error {
	actor := store.Actor{Type: store.ActorOperator, OperatorID: op.ID, Label: op.Email, RequestID: RequestID(c), IP: c.RealIP()}
	id, err := a.Store.CreateConsoleSession(c.Request().Context(), actor, op.ID, a.opts.SessionTTL, a.Now())
	if err != nil {
		return err
	}
	s := a.cookie(c)
	s.Values = map[any]any{keySessionID: id}
	return s.Save(c.Request(), c.Response())
}

// HoldSignIn keeps, in the cookie, a sign-in whose password was right and whose code is due, with
// the page to show once it completes.
func (a *App) HoldSignIn(c echo.Context, challenge, next string) error {
	s := a.cookie(c)
	s.Values[keySignIn], s.Values[keySignInTo] = challenge, next
	return s.Save(c.Request(), c.Response())
}

// HeldSignIn returns the sign-in HoldSignIn kept, if any.
func (a *App) HeldSignIn(c echo.Context) (challenge, next string) {
	s := a.cookie(c)
	challenge, _ = s.Values[keySignIn].(string)
	next, _ = s.Values[keySignInTo].(string)
	return challenge, next
}

// EndSession logs the browser out: the server-side session is destroyed and the cookie expired.
func (a *App) EndSession(c echo.Context) error {
	s := a.cookie(c)
	if id, ok := s.Values[keySessionID].(string); ok && id != "" {
		actor, _ := ActorOf(c)
		if err := a.Store.EndConsoleSession(c.Request().Context(), actor, id); err != nil {
			return err
		}
	}
	s.Values = map[any]any{}
	s.Options = &sessions.Options{Path: "/", MaxAge: -1, HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode}
	return s.Save(c.Request(), c.Response())
}

func (a *App) sessionID(c echo.Context) string {
	id, _ := a.cookie(c).Values[keySessionID].(string)
	return id
}

func tokenEqual(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// sameOrigin refuses a state-changing browser request whose Origin is another site's. Requests
// without cookies (API clients) are not concerned.
func (a *App) sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if safeMethod(r.Method) || r.Header.Get("Cookie") == "" {
			return next(c)
		}
		origin := r.Header.Get("Origin")
		if origin == "" {
			return next(c)
		}
		if u, err := url.Parse(origin); err == nil && u.Host == r.Host {
			return next(c)
		}
		if a.origin != "" && origin == a.origin {
			return next(c)
		}
		a.auditRefusal(c, 0, "cross-site request")
		return store.NewError(store.CodeCSRF, "cross-site request refused")
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// LoginPage shows the console's sign-in form.
func (h *Handlers) LoginPage(c echo.Context) error {
	f := views.LoginForm{Next: safeNext(c.QueryParam("next")), CSRF: h.app.AnonymousCSRF(c)}
	return h.app.RenderPage(c, http.StatusOK, web.T(c, "login.title"), views.LoginPage(f))
}

// Login signs an operator in from the form and starts a fresh session.
func (h *Handlers) Login(c echo.Context) error {
	f := views.LoginForm{Email: strings.TrimSpace(c.FormValue("email")), Next: safeNext(c.FormValue("next"))}
	if err := h.app.CheckAnonymousCSRF(c); err != nil {
		return err
	}
	op, err := h.checkPassword(c, f.Email, c.FormValue("password"))
	if err != nil {
		e, ok := store.AsError(err)
		if !ok {
			return err
		}
		f.Error = web.ErrorMessage(c, e)
		f.CSRF = h.app.AnonymousCSRF(c)
		return h.app.RenderPage(c, web.StatusOf(e.Code), web.T(c, "login.title"), views.LoginPage(f))
	}
	ctx := c.Request().Context()
	required, err := h.store.SecondFactorRequired(ctx, op.ID)
	if err != nil {
		return err
	}
	if required {
		actor := store.Actor{Type: store.ActorOperator, OperatorID: op.ID, Label: op.Email, RequestID: web.RequestID(c), IP: c.RealIP()}
		ch, err := h.store.StartSignIn(ctx, actor, op, 0, h.app.Now())
		if err != nil {
			return err
		}
		if err := h.app.HoldSignIn(c, ch.Token, f.Next); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/login/code")
	}
	if err := h.app.StartSession(c, op); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, f.Next)
}

// LoginCodePage shows the second step of a sign-in: the one-time code and, for an operator without
// an authenticator, the secret to add to one first.
func (h *Handlers) LoginCodePage(c echo.Context) error {
	challenge, _ := h.app.HeldSignIn(c)
	pending, err := h.store.SignInChallengeByToken(c.Request().Context(), challenge, h.app.Now())
	if err != nil {
		return h.restartSignIn(c)
	}
	f := views.LoginCodeForm{Email: pending.Email, EnrolSecret: pending.EnrolSecret, CSRF: h.app.AnonymousCSRF(c)}
	return h.app.RenderPage(c, http.StatusOK, "One-time code", views.LoginCodePage(f))
}

// LoginCode completes a sign-in with the code and starts the session.
func (h *Handlers) LoginCode(c echo.Context) error {
	if err := h.app.CheckAnonymousCSRF(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	challenge, next := h.app.HeldSignIn(c)
	pending, err := h.store.SignInChallengeByToken(ctx, challenge, h.app.Now())
	if err != nil {
		return h.restartSignIn(c)
	}
	actor := store.Actor{Type: store.ActorOperator, Label: pending.Email, RequestID: web.RequestID(c), IP: c.RealIP()}
	op, err := h.store.CompleteSignIn(ctx, actor, challenge, 0, strings.TrimSpace(c.FormValue("otp")), h.app.Now())
	if err != nil {
		e, ok := store.AsError(err)
		if !ok {
			return err
		}
		f := views.LoginCodeForm{Email: pending.Email, EnrolSecret: pending.EnrolSecret, CSRF: h.app.AnonymousCSRF(c), Error: e.Message}
		return h.app.RenderPage(c, web.StatusOf(e.Code), "One-time code", views.LoginCodePage(f))
	}
	if err := h.app.StartSession(c, op); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(next))
}

// restartSignIn sends a browser whose code step expired (or never began) back to the password.
func (h *Handlers) restartSignIn(c echo.Context) error {
	h.app.Flash(c, web.Info, "Your sign-in expired; enter your password again.")
	return c.Redirect(http.StatusSeeOther, "/login")
}

// KeepAlive answers the page's "stay signed in": the request itself restarts the idle limit.
func (h *Handlers) KeepAlive(c echo.Context) error {
	return c.NoContent(http.StatusNoContent)
}

// Logout ends the console session.
func (h *Handlers) Logout(c echo.Context) error {
	if err := h.app.EndSession(c); err != nil {
		return err
	}
	h.app.Flash(c, web.Info, web.T(c, "login.logged_out"))
	return c.Redirect(http.StatusSeeOther, "/login")
}

// Dashboard lists the operator's partners with their balances and the work waiting on each.
func (h *Handlers) Dashboard(c echo.Context) error {
	p, _ := web.PrincipalOf(c)
	ctx := c.Request().Context()
	ids, err := h.store.PartnerIDsFor(ctx, p.OperatorID, "")
	if err != nil {
		return err
	}
	partners, err := h.store.PartnerSummaries(ctx, ids)
	if err != nil {
		return err
	}
	vm, err := h.dashboard(c, p.OperatorID, partners)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Title: web.T(c, "dashboard.title"), Data: partners, Page: views.DashboardPage(vm)})
}

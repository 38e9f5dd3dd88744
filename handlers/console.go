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
	if err := h.app.StartSession(c, op); err != nil {
		return err
	}
	next := f.Next
	if next == "" {
		next = "/"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// Logout ends the console session.
func (h *Handlers) Logout(c echo.Context) error {
	if err := h.app.EndSession(c); err != nil {
		return err
	}
	h.app.Flash(c, web.Info, web.T(c, "login.logged_out"))
	return c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps a post-login destination only when it is a path on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	return next
}

// Dashboard lists the operator's partners with their balances.
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
	return h.app.Respond(c, web.View{Title: web.T(c, "dashboard.title"), Data: partners, Page: views.DashboardPage(partners)})
}

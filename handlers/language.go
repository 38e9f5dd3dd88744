package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"cardconsole/web"
	"cardconsole/web/i18n"
)

// SetLanguage keeps the console language the operator picked in the header and goes back to the
// page they were on.
func (h *Handlers) SetLanguage(c echo.Context) error {
	p, _ := web.PrincipalOf(c)
	lang := c.FormValue("language")
	if err := h.store.SetOperatorLanguage(c.Request().Context(), web.Actor(c), p.OperatorID, lang); err != nil {
		return err
	}
	h.app.Flash(c, web.Success, i18n.In(lang, "lang.saved", nil))
	next := safeNext(c.FormValue("next"))
	if next == "" {
		next = "/"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

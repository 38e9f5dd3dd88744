package handlers

import (
	"github.com/labstack/echo/v4"

	"cardconsole/views"
	"cardconsole/web"
)

// Partner is the partner overview page (and its JSON: the partner with its balance).
func (h *Handlers) Partner(c echo.Context) error {
	ctx := c.Request().Context()
	id := web.PartnerID(c)
	p, err := h.store.Partner(ctx, id)
	if err != nil {
		return err
	}
	b, err := h.store.PartnerBalance(ctx, id)
	if err != nil {
		return err
	}
	vm := views.PartnerView{Partner: p, Balance: b, Grants: web.GrantsOf(c)}
	return h.app.Respond(c, web.View{Title: p.Name, Data: map[string]any{"partner": p, "balance": b}, Page: views.PartnerPage(vm)})
}

// Balance answers the partner's available balance; HTMX gets the balance card.
func (h *Handlers) Balance(c echo.Context) error {
	b, err := h.store.PartnerBalance(c.Request().Context(), web.PartnerID(c))
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Title: "Balance", Data: b, Page: views.BalanceCard(b)})
}

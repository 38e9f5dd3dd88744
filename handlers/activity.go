package handlers

import (
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
)

// CardholderActivity is a cardholder's timeline: profile changes, card transitions, money, reversals,
// reads of their personal data and client requests, newest first, filterable by kind.
func (h *Handlers) CardholderActivity(c echo.Context) error { return h.activity(c, false) }

// CardActivity is one card's timeline: its transitions, movements and reversals.
func (h *Handlers) CardActivity(c echo.Context) error { return h.activity(c, true) }

func (h *Handlers) activity(c echo.Context, ofCard bool) error {
	holderID, err := cardholderParam(c)
	if err != nil {
		return err
	}
	f := store.ActivityFilter{PartnerID: web.PartnerID(c), CardholderID: holderID, Page: pageQuery(c)}
	if ofCard {
		if f.CardID, err = cardParam(c); err != nil {
			return err
		}
	}
	for _, k := range c.QueryParams()["kind"] {
		for _, part := range strings.Split(k, ",") {
			if part = strings.TrimSpace(part); part != "" {
				f.Kinds = append(f.Kinds, part)
			}
		}
	}
	items, total, err := h.store.ListActivity(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Title: "Activity",
		Data: listPage[store.Activity]{Items: items, Total: total, Page: f.Page.Number, Limit: f.Page.Limit}})
}

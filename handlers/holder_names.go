package handlers

import (
	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
)

// holderNames are the names of the cardholders the cards belong to, by id, for screens that name
// the owner of each card.
func (h *Handlers) holderNames(c echo.Context, cards []store.Card) (map[int64]string, error) {
	var ids []int64
	for _, card := range cards {
		if card.CardholderID != nil {
			ids = append(ids, *card.CardholderID)
		}
	}
	return h.store.CardholderNames(c.Request().Context(), web.PartnerID(c), ids)
}

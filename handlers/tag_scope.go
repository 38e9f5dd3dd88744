package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
)

// TagScope hides, on every route of a partner, the cardholders the operator's tag restriction
// excludes (store/tags.go): a :cardholderId of such a cardholder answers 7100 and a :cardId of one
// of their cards 7200, exactly as if they did not exist. Operators without a restriction on the
// partner pass untouched.
func (h *Handlers) TagScope(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		holder, card := c.Param("cardholderId"), c.Param("cardId")
		if holder == "" && card == "" {
			return next(c)
		}
		ctx := c.Request().Context()
		p, _ := web.PrincipalOf(c)
		partnerID := web.PartnerID(c)
		tags, err := h.store.OperatorRestrictions(ctx, p.OperatorID, partnerID)
		if err != nil {
			return err
		}
		if len(tags) == 0 {
			return next(c)
		}
		if id, err := strconv.ParseInt(holder, 10, 64); err == nil {
			ok, err := h.store.CardholderVisible(ctx, p.OperatorID, partnerID, id)
			if err != nil {
				return err
			}
			if !ok {
				return store.NewError(store.CodeUserNotFound, "cardholder not found")
			}
		}
		if id, err := strconv.ParseInt(card, 10, 64); err == nil {
			ok, err := h.store.CardVisible(ctx, p.OperatorID, partnerID, id)
			if err != nil {
				return err
			}
			if !ok {
				return store.NewError(store.CodeCardNotFound, "card not found")
			}
		}
		return next(c)
	}
}

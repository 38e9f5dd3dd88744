package handlers

import (
	"github.com/labstack/echo/v4"

	"cardconsole/views"
	"cardconsole/web"
	"cardconsole/web/format"
)

// cardEndBody is the body of a cancellation or a replacement.
type cardEndBody struct {
	Reason    string `json:"reason" form:"reason"`
	NewCardID int64  `json:"newCardId" form:"newCardId"`
	OTP       string `json:"otp" form:"otp"`
}

// holderCardParams reads the cardholder and card of the path, the body and the one-time code
// (required when the operator holds cards-admin:otp).
func (h *Handlers) holderCardParams(c echo.Context) (holderID, cardID int64, body cardEndBody, err error) {
	if holderID, err = cardholderParam(c); err != nil {
		return
	}
	if cardID, err = cardParam(c); err != nil {
		return
	}
	if err = bind(c, &body); err != nil {
		return
	}
	err = h.app.CheckOTP(c, "cards-admin", body.OTP)
	return
}

// CancelCard makes a card CANCELED for good (LOST, STOLEN, DAMAGED or REQUESTED); its balance stays
// on it until a replacement or an unload moves it.
func (h *Handlers) CancelCard(c echo.Context) error {
	holderID, cardID, body, err := h.holderCardParams(c)
	if err != nil {
		return err
	}
	card, err := h.store.CancelCard(c.Request().Context(), web.Actor(c), web.PartnerID(c), holderID, cardID, body.Reason)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "card CANCELED", Data: card, Redirect: &web.Redirect{To: views.CardURL(web.PartnerID(c), holderID, cardID, ""),
		Flash: &web.Flash{Kind: web.Success, Key: "card_life.cancelled", Args: map[string]any{"Last4": card.Last4,
			"Reason": format.Enum(c.Request().Context(), "cancel_reason", body.Reason)}}}})
}

// ReplaceCard gives the cardholder a new card with the old card's whole balance and cancels the old
// one, in one transaction.
func (h *Handlers) ReplaceCard(c echo.Context) error {
	holderID, cardID, body, err := h.holderCardParams(c)
	if err != nil {
		return err
	}
	res, err := h.store.ReplaceCard(c.Request().Context(), web.Actor(c), web.PartnerID(c), holderID, cardID, body.Reason, body.NewCardID)
	if err != nil {
		return err
	}
	// The console goes to the new card's page, which shows it with the balance it received.
	view := web.View{Message: "card replaced", Data: res}
	if !web.WantsJSON(c) {
		old, err := h.store.CardOfHolder(c.Request().Context(), web.PartnerID(c), holderID, cardID)
		if err != nil {
			return err
		}
		view.Redirect = &web.Redirect{To: views.CardURL(web.PartnerID(c), holderID, res.Card.ID, ""),
			Flash: &web.Flash{Kind: web.Success, Key: "card_life.replaced", Args: map[string]any{"Card": res.Card.MaskedNumber(),
				"Last4": old.Last4, "Amount": views.Money(res.Moved, res.Card.Currency)}}}
	}
	return h.app.Respond(c, view)
}

// CardHistory lists a card's status changes, oldest first, with their reasons and channels.
func (h *Handlers) CardHistory(c echo.Context) error {
	holderID, err := cardholderParam(c)
	if err != nil {
		return err
	}
	cardID, err := cardParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := h.store.CardOfHolder(ctx, web.PartnerID(c), holderID, cardID); err != nil {
		return err
	}
	items, err := h.store.CardHistory(ctx, web.PartnerID(c), cardID)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Data: items})
}

package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
)

// reversalBody is the body of a reversal request or of its review.
type reversalBody struct {
	Reason string `json:"reason" form:"reason"`
	OTP    string `json:"otp" form:"otp"`
}

// RequestReversal opens a PENDING reversal of the load, unload or transfer that wrote the movement.
func (h *Handlers) RequestReversal(c echo.Context) error {
	holderID, err := cardholderParam(c)
	if err != nil {
		return err
	}
	cardID, err := cardParam(c)
	if err != nil {
		return err
	}
	movementID, err := pathID(c, "transferId", store.NotFound("movement"))
	if err != nil {
		return err
	}
	var body reversalBody
	if err := bind(c, &body); err != nil {
		return err
	}
	r, err := h.store.RequestReversal(c.Request().Context(), web.Actor(c), web.PartnerID(c), holderID, cardID, movementID, body.Reason)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Status: http.StatusCreated, Message: "reversal requested", Data: r})
}

// Reversals lists the partner's reversals, newest first, optionally of one status.
func (h *Handlers) Reversals(c echo.Context) error {
	page := pageQuery(c)
	items, total, err := h.store.ListReversals(c.Request().Context(),
		store.ReversalFilter{PartnerID: web.PartnerID(c), Status: c.QueryParam("status"), Page: page})
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Title: "Reversals",
		Data: listPage[store.Reversal]{Items: items, Total: total, Page: page.Number, Limit: page.Limit}})
}

// ApproveReversal approves a PENDING reversal (never by its requester); the one-time code is
// required when the approver holds card-movements:otp.
func (h *Handlers) ApproveReversal(c echo.Context) error { return h.decideReversal(c, true) }

// RejectReversal rejects a PENDING reversal with a reason.
func (h *Handlers) RejectReversal(c echo.Context) error { return h.decideReversal(c, false) }

func (h *Handlers) decideReversal(c echo.Context, approve bool) error {
	id, err := pathID(c, "reversalId", store.NotFound("reversal"))
	if err != nil {
		return err
	}
	var body reversalBody
	if err := bind(c, &body); err != nil {
		return err
	}
	if approve {
		if err := h.app.CheckOTP(c, "card-movements", body.OTP); err != nil {
			return err
		}
	}
	r, err := h.store.DecideReversal(c.Request().Context(), web.Actor(c), web.PartnerID(c), id, approve, body.Reason)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "reversal " + r.Status, Data: r})
}

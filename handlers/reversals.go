package handlers

import (
	"context"
	"github.com/a-h/templ"
	"net/http"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
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
	return h.app.Respond(c, web.View{Status: http.StatusCreated, Message: "reversal requested", Data: r,
		Partial: views.ReversalRequested(r)})
}

// Reversals lists the partner's reversals, newest first, optionally of one status. The console's
// page is the review queue of the PENDING ones, which reloads on every live event.
func (h *Handlers) Reversals(c echo.Context) error {
	ctx := c.Request().Context()
	page := pageQuery(c)
	status := c.QueryParam("status")
	if !web.WantsJSON(c) {
		// Special: the console's page is the review queue, every PENDING reversal; the API pages any status.
		status, page = store.ReversalPending, store.NewPage(1, store.MaxLimit)
	}
	items, total, err := h.store.ListReversals(ctx, store.ReversalFilter{PartnerID: web.PartnerID(c), Status: status, Page: page})
	if err != nil {
		return err
	}
	screen := func(show func(views.ReversalsView) templ.Component) templ.Component {
		return web.Lazy(func() (templ.Component, error) {
			partner, err := h.store.Partner(ctx, web.PartnerID(c))
			p, _ := web.PrincipalOf(c)
			return show(views.ReversalsView{Partner: partner, Items: items, Viewer: p.OperatorID,
				CanDecide: web.GrantsOf(c).Has("approvals:update"), Now: h.app.Now()}), err
		})
	}
	return h.app.Respond(c, web.View{Title: web.T(c, "reversals.title"), Data: listPage[store.Reversal]{Items: items, Total: total, Page: page.Number, Limit: page.Limit},
		Page: screen(views.ReversalsPage), Partial: screen(views.ReversalQueue)})
}

// ReversalStream streams the partner's reversal events to the review queue.
func (h *Handlers) ReversalStream(c echo.Context) error {
	filter := store.EventFilter{PartnerIDs: []int64{web.PartnerID(c)}, TopicPrefix: "reversal."}
	return h.app.Stream(c, func(context.Context) (store.EventFilter, error) {
		if err := h.app.Reauthorize(c, "approvals:list"); err != nil {
			return store.EventFilter{}, err
		}
		return filter, nil
	})
}

// ApproveReversal approves a PENDING reversal (never by its requester); the one-time code is
// required when the approver holds card-movements:otp.
func (h *Handlers) ApproveReversal(c echo.Context) error { return h.decideReversal(c, store.Approve) }

// RejectReversal rejects a PENDING reversal with a reason.
func (h *Handlers) RejectReversal(c echo.Context) error { return h.decideReversal(c, store.Reject) }

func (h *Handlers) decideReversal(c echo.Context, decision store.Decision) error {
	id, err := pathID(c, "reversalId", store.NotFound("reversal"))
	if err != nil {
		return err
	}
	var body reversalBody
	if err := bind(c, &body); err != nil {
		return err
	}
	if body.Reason == "" {
		// The console's Reject asks for the reason in a prompt, which HTMX sends as a header.
		body.Reason = c.Request().Header.Get("HX-Prompt")
	}
	if decision == store.Approve {
		if err := h.app.CheckOTP(c, "card-movements", body.OTP); err != nil {
			return err
		}
	}
	r, err := h.store.DecideReversal(c.Request().Context(), web.Actor(c), web.PartnerID(c), id, decision, body.Reason)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "reversal " + r.Status, Data: r})
}

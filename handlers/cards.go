package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
	"cardconsole/web/format"
)

// cardsPanel gathers the cards panel of a cardholder: their cards, the stock to add one from, and
// what the operator may do.
func (h *Handlers) cardsPanel(c echo.Context, cardholderID int64) (views.CardsPanelView, error) {
	ctx := c.Request().Context()
	pid := web.PartnerID(c)
	g := web.GrantsOf(c)
	vm := views.CardsPanelView{PartnerID: pid, CardholderID: cardholderID, CanAssign: g.Has("cardholders:update"),
		OTPRequired: web.NeedsOTP(c, "cards-admin"),
		Allowed: map[store.CardAction]bool{store.ActivateCard: g.Has("cards-admin:activate"),
			store.BlockCard: g.Has("cards-admin:block"), store.UnblockCard: g.Has("cards-admin:unblock")}}
	var err error
	if vm.Cards, err = h.store.OwnedCards(ctx, pid, cardholderID); err != nil {
		return vm, err
	}
	if vm.CanAssign {
		if vm.Stock, err = h.stockCards(c); err != nil {
			return vm, err
		}
	}
	return vm, nil
}

// CardholderCards lists the cards a cardholder owns and the third-party cards they linked, each
// marked OWNED or THIRD_PARTY.
func (h *Handlers) CardholderCards(c echo.Context) error {
	id, err := cardholderParam(c)
	if err != nil {
		return err
	}
	cards, err := h.store.CardholderCards(c.Request().Context(), web.PartnerID(c), id)
	if err != nil {
		return err
	}
	panel, err := h.cardsPanel(c, id)
	if err != nil {
		return err
	}
	linked, err := h.thirdPartyPanel(c, id)
	if err != nil {
		return err
	}
	vm := views.CardholderCardsView{Cards: panel, ThirdParty: linked, PartnerName: h.partnerName(c)}
	if !web.WantsJSON(c) {
		if vm.HolderName, err = h.store.CardholderName(c.Request().Context(), web.PartnerID(c), id); err != nil {
			return err
		}
	}
	return h.app.Respond(c, web.View{Title: web.T(c, "holder_cards.page_title", map[string]any{"Name": vm.HolderName}), Data: cards,
		Page: views.CardholderCardsPage(vm), Partial: views.CardsPanel(panel)})
}

// AssignCard gives the cardholder one more card from the partner's stock (issue #8). The card stays
// INACTIVE. A card that is not an unassigned card of this partner is 409 (7210).
func (h *Handlers) AssignCard(c echo.Context) error {
	id, err := cardholderParam(c)
	if err != nil {
		return err
	}
	var v store.Validation
	f, err := fields(c, &v, "cardId")
	if err != nil {
		return err
	}
	cardID := positiveID(&v, "cardId", f["cardId"])
	err = v.Err()
	var card store.Card
	if err == nil {
		card, err = h.store.AssignCard(c.Request().Context(), web.Actor(c), web.PartnerID(c), id, cardID)
	}
	if web.IsHTMX(c) {
		return h.assignAnswer(c, id, card, err)
	}
	if wantsForm(c) {
		return h.backToCardholder(c, id, web.T(c, "holder_cards.added", map[string]any{"Card": card.MaskedNumber()}), err)
	}
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Status: http.StatusCreated, Message: "card assigned", Data: card})
}

// assignAnswer re-renders the cards panel after "Add card": with the new card, or with the reason
// it could not be added next to the picker.
func (h *Handlers) assignAnswer(c echo.Context, cardholderID int64, card store.Card, err error) error {
	e, business := store.AsError(err)
	if err != nil && !business {
		return err
	}
	panel, perr := h.cardsPanel(c, cardholderID)
	if perr != nil {
		return perr
	}
	status := http.StatusCreated
	if err != nil {
		status, panel.Error = http.StatusUnprocessableEntity, web.ErrorMessage(c, e)
		if msg := web.FieldErrors(c, err)["cardId"]; msg != "" {
			panel.Error = msg
		}
	} else {
		panel.Notice = web.T(c, "holder_cards.added", map[string]any{"Card": card.MaskedNumber()})
	}
	return h.app.Respond(c, web.View{Status: status, Partial: views.CardsPanel(panel)})
}

// backToCardholder ends a plain (not HTMX) form post on the cardholder page, with the outcome as a flash.
func (h *Handlers) backToCardholder(c echo.Context, cardholderID int64, success string, err error) error {
	if err != nil {
		e, business := store.AsError(err)
		if !business {
			return err
		}
		h.app.Flash(c, web.Danger, web.ErrorMessage(c, e))
	} else {
		h.app.Flash(c, web.Success, success)
	}
	return seeOther(c, views.PartnerURL(web.PartnerID(c), "/cardholders/"+views.ID(cardholderID)))
}

// CardAction applies activate, block or unblock to one card, on the spec's path under the
// cardholder or on the short path under the partner. The one-time code is required when the
// operator holds cards-admin:otp.
func (h *Handlers) CardAction(action store.CardAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		var cardholderID int64
		if c.Param("cardholderId") != "" {
			id, err := cardholderParam(c)
			if err != nil {
				return err
			}
			cardholderID = id
		}
		cardID, err := cardParam(c)
		if err != nil {
			return err
		}
		var body struct {
			OTP string `json:"otp" form:"otp"`
		}
		if err := bind(c, &body); err != nil {
			return err
		}
		if err := h.app.CheckOTP(c, "cards-admin", body.OTP); err != nil {
			return err
		}
		card, err := h.store.ChangeCardStatus(c.Request().Context(), web.Actor(c), web.PartnerID(c), cardholderID, cardID, action)
		notice := web.T(c, "holder_cards.now_status", map[string]any{"Card": card.MaskedNumber(),
			"Status": format.Enum(c.Request().Context(), "card_status", card.Status)})
		switch {
		case web.WantsJSON(c):
			if err != nil {
				return err
			}
			return h.app.Respond(c, web.View{Message: "card " + card.Status, Data: card})
		case !web.IsHTMX(c):
			if cardholderID == 0 && err == nil {
				cardholderID = *card.CardholderID
			}
			if cardholderID == 0 {
				return err
			}
			return h.backToCardholder(c, cardholderID, notice, err)
		case err != nil:
			return err
		}
		panel, err := h.cardsPanel(c, *card.CardholderID)
		if err != nil {
			return err
		}
		panel.Notice = notice
		return h.app.Respond(c, web.View{Partial: views.CardsPanel(panel)})
	}
}

// Cards lists the partner's cards, newest first, optionally of one status.
func (h *Handlers) Cards(c echo.Context) error {
	vm, total, err := h.partnerCards(c, c.QueryParam("status"), pageQuery(c))
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Title: web.T(c, "partner_cards.title"),
		Data: listPage[store.Card]{Items: vm.Cards, Total: total, Page: vm.Pager.Page, Limit: vm.Pager.Limit},
		Page: views.PartnerCardsPage(vm), Partial: views.CardsTable(vm)})
}

// partnerCards gathers the cards screen for a status filter and a page.
func (h *Handlers) partnerCards(c echo.Context, status string, page store.Page) (views.PartnerCardsView, int, error) {
	pid := web.PartnerID(c)
	status = strings.ToUpper(strings.TrimSpace(status))
	p, _ := web.PrincipalOf(c)
	tags, err := h.store.OperatorRestrictions(c.Request().Context(), p.OperatorID, pid)
	if err != nil {
		return views.PartnerCardsView{}, 0, err
	}
	cards, total, err := h.store.ListCards(c.Request().Context(), store.CardFilter{PartnerID: pid, Status: status, Page: page, Tags: tags})
	if err != nil {
		return views.PartnerCardsView{}, 0, err
	}
	names, err := h.holderNames(c, cards)
	if err != nil {
		return views.PartnerCardsView{}, 0, err
	}
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	g := web.GrantsOf(c)
	return views.PartnerCardsView{PartnerID: pid, PartnerName: h.partnerName(c), Cards: cards, HolderNames: names, Status: status,
		CanIssue: g.Has("cards-admin:issue"), CanBlock: g.Has("cards-admin:block"), CanUnblock: g.Has("cards-admin:unblock"),
		Issue: views.IssueFormView{PartnerID: pid},
		Pager: views.Pager{Page: page.Number, Limit: page.Limit, Total: total, Path: views.PartnerURL(pid, "/cards"), Query: q,
			Target: "cards-table"}}, total, nil
}

// IssueCards issues count INACTIVE, unassigned stock cards of the partner (issue #8), as the
// command `cardconsole card issue` does.
func (h *Handlers) IssueCards(c echo.Context) error {
	var v store.Validation
	f, err := fields(c, &v, "count")
	if err != nil {
		return err
	}
	count, perr := strconv.Atoi(strings.TrimSpace(f["count"]))
	if perr != nil && !v.Has("count") {
		v.Add("count", "count must be a whole number of cards")
	}
	err = v.Err()
	var cards []store.Card
	if err == nil {
		cards, err = h.store.IssueCards(c.Request().Context(), web.Actor(c), web.PartnerID(c), count)
	}
	if wantsForm(c) {
		errs := web.FieldErrors(c, err)
		if err != nil && errs == nil {
			return err
		}
		vm, _, lerr := h.partnerCards(c, "", store.NewPage(1, store.DefaultLimit))
		if lerr != nil {
			return lerr
		}
		if err != nil {
			vm.Issue.Count, vm.Issue.Errors = f["count"], errs
			return h.app.Respond(c, web.View{Status: http.StatusUnprocessableEntity, Title: web.T(c, "partner_cards.title"),
				Page: views.PartnerCardsPage(vm), Partial: views.IssueCardsForm(vm.Issue)})
		}
		vm.Issue.Issued, vm.OOB = cards, true
		return h.app.Respond(c, web.View{Status: http.StatusCreated, Title: web.T(c, "partner_cards.title"), Page: views.PartnerCardsPage(vm),
			Partial: views.IssuedCards(vm)})
	}
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Status: http.StatusCreated, Message: "cards issued", Data: cards})
}

// BulkCards blocks or unblocks several cards at once. A one-time code is always required; each card
// is decided on its own and the answer lists the outcome of every card.
func (h *Handlers) BulkCards(action store.CardAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		var body struct {
			CardIDs []int64 `json:"cardIds" form:"cardIds"`
			OTP     string  `json:"otp" form:"otp"`
		}
		if err := bind(c, &body); err != nil {
			return err
		}
		// A selection that cannot be run is refused before the one-time code is spent.
		if err := store.ValidateBulk(body.CardIDs, action); err != nil {
			return err
		}
		if err := h.app.RequireOTP(c, body.OTP); err != nil {
			return err
		}
		res, err := h.store.BulkChangeCardStatus(c.Request().Context(), web.Actor(c), web.PartnerID(c), body.CardIDs, action)
		if _, business := store.AsError(err); business {
			return err
		}
		if err != nil {
			// Some cards could not be decided; they are listed as FAILED and the answer still tells
			// the operator what happened to the others.
			h.app.Log.Error("bulk card action partly failed", "request_id", web.RequestID(c), "err", err)
		}
		view := web.View{Message: "bulk " + string(action) + " done", Data: res}
		if !web.WantsJSON(c) {
			vm, _, lerr := h.partnerCards(c, c.FormValue("status"), store.NewPage(1, store.DefaultLimit))
			if lerr != nil {
				return lerr
			}
			for i, r := range res.Results {
				if r.Reason != "" {
					// The console reads why a card failed in the operator's language.
					res.Results[i].Reason = web.ErrorMessage(c, &store.Error{Code: r.Code, Message: r.Reason})
				}
			}
			vm.Bulk = &res
			view.Title, view.Page = web.T(c, "partner_cards.title"), views.PartnerCardsPage(vm)
			vm.OOB = true
			view.Partial = views.BulkDone(res, vm)
		}
		return h.app.Respond(c, view)
	}
}

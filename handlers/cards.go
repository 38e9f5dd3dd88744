package handlers

import (
	"github.com/a-h/templ"
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
	holderPage := views.PartnerURL(web.PartnerID(c), "/cardholders/"+views.ID(id))
	if err != nil {
		// The console shows the refusal next to the picker, or as a flash on the cardholder page.
		refusal := refusalMessage(c, err)
		msg := refusal
		if m := web.FieldErrors(c, err)["cardId"]; m != "" {
			msg = m
		}
		return h.app.RespondRefused(c, err, web.View{Status: http.StatusUnprocessableEntity,
			Partial:  h.lazyCardsPanel(c, id, func(p *views.CardsPanelView) { p.Error = msg }),
			Redirect: &web.Redirect{To: holderPage, Flash: web.Flashed(web.Danger, refusal)}})
	}
	notice := web.T(c, "holder_cards.added", map[string]any{"Card": card.MaskedNumber()})
	return h.app.Respond(c, web.View{Status: http.StatusCreated, Message: "card assigned", Data: card,
		Partial:  h.lazyCardsPanel(c, id, func(p *views.CardsPanelView) { p.Notice = notice }),
		Redirect: &web.Redirect{To: holderPage, Flash: web.Flashed(web.Success, notice)}})
}

// refusalMessage is the message of a business refusal in the request's language; other errors
// have none.
func refusalMessage(c echo.Context, err error) string {
	if e, ok := store.AsError(err); ok {
		return web.ErrorMessage(c, e)
	}
	return ""
}

// lazyCardsPanel is a cardholder's cards panel completed by fill, read only when it is rendered.
func (h *Handlers) lazyCardsPanel(c echo.Context, cardholderID int64, fill func(*views.CardsPanelView)) templ.Component {
	return web.Lazy(func() (templ.Component, error) {
		panel, err := h.cardsPanel(c, cardholderID)
		fill(&panel)
		return views.CardsPanel(panel), err
	})
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
		if err := h.checkBodyOTP(c, "cards-admin"); err != nil {
			return err
		}
		card, err := h.store.ChangeCardStatus(c.Request().Context(), web.Actor(c), web.PartnerID(c), cardholderID, cardID, action)
		if cardholderID == 0 && err == nil && card.CardholderID != nil {
			cardholderID = *card.CardholderID
		}
		var back *web.Redirect // a plain form post goes back to the cardholder page, when there is one
		holderPage := views.PartnerURL(web.PartnerID(c), "/cardholders/"+views.ID(cardholderID))
		if err != nil {
			if cardholderID != 0 {
				back = &web.Redirect{To: holderPage, Flash: web.Flashed(web.Danger, refusalMessage(c, err))}
			}
			return h.app.RespondRefused(c, err, web.View{Redirect: back})
		}
		view := web.View{Message: "card " + card.Status, Data: card}
		if cardholderID != 0 { // the console shows the card among its cardholder's cards
			notice := web.T(c, "holder_cards.now_status", map[string]any{"Card": card.MaskedNumber(),
				"Status": format.Enum(c.Request().Context(), "card_status", card.Status)})
			view.Partial = h.lazyCardsPanel(c, cardholderID, func(p *views.CardsPanelView) { p.Notice = notice })
			view.Redirect = &web.Redirect{To: holderPage, Flash: web.Flashed(web.Success, notice)}
		}
		return h.app.Respond(c, view)
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
	canBlock, canUnblock := g.Has("cards-admin:block"), g.Has("cards-admin:unblock")
	noAuthenticator := false
	if canBlock || canUnblock {
		op, err := h.store.OperatorByID(c.Request().Context(), p.OperatorID)
		if err != nil {
			return views.PartnerCardsView{}, 0, err
		}
		noAuthenticator = !op.HasOTP
	}
	return views.PartnerCardsView{PartnerID: pid, PartnerName: h.partnerName(c), Cards: cards, HolderNames: names, Status: status,
		CanIssue: g.Has("cards-admin:issue"), CanBlock: canBlock, CanUnblock: canUnblock, NoAuthenticator: noAuthenticator,
		Issue: views.IssueFormView{PartnerID: pid},
		Pager: views.Pager{Page: page.Number, Limit: page.Limit, Total: total, Path: views.PartnerURL(pid, "/cards"), Query: q,
			Target: "cards-table"}}, total, nil
}

// lazyCardsScreen is the cards screen (first page, of a status) completed by fill, and a builder of
// its HTMX fragments; each is read only when it is rendered.
func (h *Handlers) lazyCardsScreen(c echo.Context, status string, fill func(*views.PartnerCardsView)) (templ.Component,
	func(func(views.PartnerCardsView) templ.Component) templ.Component) {
	build := func(show func(views.PartnerCardsView) templ.Component) templ.Component {
		return web.Lazy(func() (templ.Component, error) {
			vm, _, err := h.partnerCards(c, status, store.NewPage(1, store.DefaultLimit))
			fill(&vm)
			return show(vm), err
		})
	}
	return build(views.PartnerCardsPage), build
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
	if err != nil {
		return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
			vm, _, lerr := h.partnerCards(c, "", store.NewPage(1, store.DefaultLimit))
			vm.Issue.Count, vm.Issue.Errors = f["count"], fields
			return web.View{Title: web.T(c, "partner_cards.title"), Page: views.PartnerCardsPage(vm), Partial: views.IssueCardsForm(vm.Issue)}, lerr
		})
	}
	page, issued := h.lazyCardsScreen(c, "", func(vm *views.PartnerCardsView) { vm.Issue.Issued, vm.OOB = cards, true })
	return h.app.Respond(c, web.View{Status: http.StatusCreated, Message: "cards issued", Data: cards, Title: web.T(c, "partner_cards.title"),
		Page: page, Partial: issued(views.IssuedCards)})
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
		shown := bulkInWords(c, res)
		page, done := h.lazyCardsScreen(c, c.FormValue("status"), func(vm *views.PartnerCardsView) { vm.Bulk = &shown })
		return h.app.Respond(c, web.View{Message: "bulk " + string(action) + " done", Data: res, Title: web.T(c, "partner_cards.title"), Page: page,
			Partial: done(func(vm views.PartnerCardsView) templ.Component {
				vm.OOB = true
				return views.BulkDone(shown, vm)
			})})
	}
}

// bulkInWords is a bulk outcome as the console shows it: why each card failed in the request's
// language (the API keeps the English reasons).
func bulkInWords(c echo.Context, res store.BulkResult) store.BulkResult {
	res.Results = append([]store.BulkOutcome(nil), res.Results...)
	for i, r := range res.Results {
		if r.Reason != "" {
			res.Results[i].Reason = web.ErrorMessage(c, &store.Error{Code: r.Code, Message: r.Reason})
		}
	}
	return res
}

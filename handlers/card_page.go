package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"github.com/a-h/templ"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// newKey is a fresh Idempotency-Key for a console form: one per rendering, so a form sent twice is
// applied once.
func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// fundsForms builds the Load, Unload and Transfer forms of the card, with a fresh key, showing only
// the forms the operator is allowed to use.
func (h *Handlers) fundsForms(c echo.Context, holderID int64, card store.Card) (views.FundsForms, []store.Card, error) {
	cards, err := h.store.HolderCards(c.Request().Context(), card.PartnerID, holderID)
	if err != nil {
		return views.FundsForms{}, nil, err
	}
	g := web.GrantsOf(c)
	f := views.FundsForms{PartnerID: card.PartnerID, HolderID: holderID, Card: card, Key: newKey(),
		CanLoad: g.Has("cards-admin:addFunds"), CanUnload: g.Has("cards-admin:withdrawFunds"),
		CanTransfer: g.Has("cards-admin:transfer")}
	for _, o := range cards {
		if o.ID != card.ID && o.Status == store.CardActive {
			f.Others = append(f.Others, o)
		}
	}
	return f, cards, nil
}

// cardView gathers the card page: the partner, its balance, the cardholder's cards and the forms.
func (h *Handlers) cardView(c echo.Context, holderID int64, card store.Card) (views.CardView, error) {
	ctx := c.Request().Context()
	p, err := h.store.Partner(ctx, card.PartnerID)
	if err != nil {
		return views.CardView{}, err
	}
	b, err := h.store.PartnerBalance(ctx, card.PartnerID)
	if err != nil {
		return views.CardView{}, err
	}
	forms, cards, err := h.fundsForms(c, holderID, card)
	if err != nil {
		return views.CardView{}, err
	}
	history, err := h.store.CardHistory(ctx, card.PartnerID, card.ID)
	if err != nil {
		return views.CardView{}, err
	}
	name, err := h.store.CardholderName(ctx, card.PartnerID, holderID)
	if err != nil {
		return views.CardView{}, err
	}
	g := web.GrantsOf(c)
	life := views.CardLifeView{PartnerID: card.PartnerID, HolderID: holderID, Card: card, History: history, TimeZone: p.TimeZone,
		CanCancel: g.Has("cards-admin:block"), CanReplace: g.Has("cards-admin:activate"), NeedsOTP: web.NeedsOTP(c, "cards-admin")}
	return views.CardView{Partner: p, Available: b, HolderID: holderID, HolderName: name, Card: card, Cards: cards, Funds: forms, Life: life}, nil
}

// CardPage is a cardholder's card: JSON gets the card with its balance, HTMX the summary panel (which
// reloads itself after each operation), a browser the page with the funds forms and the movements.
func (h *Handlers) CardPage(c echo.Context) error {
	holderID, card, err := h.holderCard(c)
	if err != nil {
		return err
	}
	summary := web.Lazy(func() (templ.Component, error) {
		vm, err := h.cardView(c, holderID, card)
		return views.CardSummary(vm), err
	})
	page := h.lazyCardPage(c, holderID, card, func(vm *views.CardView) error {
		if !web.GrantsOf(c).Has("card-movements:list") {
			return nil
		}
		mv, err := h.movementsView(c, holderID, card, vm.Partner.TimeZone)
		vm.Movements = &mv
		return err
	})
	return h.app.Respond(c, web.View{Title: cardTitle(c, card), Data: card, Page: page, Partial: summary})
}

// lazyCardPage is the card page completed by fill, read only when a browser renders it.
func (h *Handlers) lazyCardPage(c echo.Context, holderID int64, card store.Card, fill func(*views.CardView) error) templ.Component {
	return web.Lazy(func() (templ.Component, error) {
		vm, err := h.cardView(c, holderID, card)
		if err == nil {
			err = fill(&vm)
		}
		return views.CardPage(vm), err
	})
}

// FundsFormsPanel answers the card's funds forms with a fresh key (the Back button of a review).
func (h *Handlers) FundsFormsPanel(c echo.Context) error {
	holderID, card, err := h.holderCard(c)
	if err != nil {
		return err
	}
	f, _, err := h.fundsForms(c, holderID, card)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Title: cardTitle(c, card), Data: card, Page: views.FundsPanel(f)})
}

// fundsPermission is the permission each console operation needs.
var fundsPermission = map[string]string{
	"add": "cards-admin:addFunds", "withdraw": "cards-admin:withdrawFunds", "transfer": "cards-admin:transfer",
}

// fundsPreview is the JSON of a review: the balances the operation would leave.
type fundsPreview struct {
	Operation    string          `json:"operation"`
	Amount       decimal.Decimal `json:"amount"`
	CardBalance  decimal.Decimal `json:"cardBalanceAfter"`
	OtherBalance decimal.Decimal `json:"otherBalanceAfter"` // the partner's (load, unload) or the target card's (transfer)
	Problem      string          `json:"problem,omitempty"`
}

// FundsReview is the confirmation step of the console's funds forms: it checks the form, then shows
// the balances the operation would leave and a Confirm button carrying the form's Idempotency-Key.
// The balances are a preview; the operation itself checks them again inside its transaction.
func (h *Handlers) FundsReview(c echo.Context) error {
	holderID, card, err := h.holderCard(c)
	if err != nil {
		return err
	}
	operation := c.QueryParam("operation")
	perm, ok := fundsPermission[operation]
	if !ok {
		var v store.Validation
		v.Add("operation", "operation must be add, withdraw or transfer")
		return v.Err()
	}
	if err := h.app.Check(c, perm); err != nil {
		return err
	}
	f, _, err := h.fundsForms(c, holderID, card)
	if err != nil {
		return err
	}
	if key := c.QueryParam("key"); store.ValidKey(key) {
		f.Key = key
	}
	f.Active, f.Amount, f.Note = operation, c.QueryParam("amount"), strings.TrimSpace(c.QueryParam("observations"))
	f.ToCardID, _ = strconv.ParseInt(c.QueryParam("toCardId"), 10, 64)
	var v store.Validation
	amount := parseTypedAmount(&v, "amount", f.Amount)
	checkText(&v, "observations", f.Note, maxObservations)
	r := views.FundsReview{Forms: f, Operation: operation, Amount: amount, Note: f.Note, NeedsOTP: web.NeedsOTP(c, "cards-admin")}
	if operation == "transfer" {
		found := false
		for _, o := range f.Others {
			if o.ID == f.ToCardID {
				r.ToCard, found = o, true
			}
		}
		if !found {
			v.Add("toCardId", "choose another active card of the cardholder")
		}
	}
	if err := v.Err(); err != nil {
		return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
			f.Errors = fields
			return web.View{Title: web.T(c, "funds.review_title"), Page: views.FundsPanel(f)}, nil
		})
	}
	b, err := h.store.PartnerBalance(c.Request().Context(), card.PartnerID)
	if err != nil {
		return err
	}
	r.PartnerBefore = b.Available
	preview(c, &r)
	other := r.PartnerAfter
	if operation == "transfer" {
		other = r.ToAfter
	}
	return h.app.Respond(c, web.View{Title: web.T(c, "funds.review_title"), Page: views.FundsReviewPanel(r),
		Data: fundsPreview{Operation: operation, Amount: amount, CardBalance: r.CardAfter, OtherBalance: other, Problem: r.Problem}})
}

// cardTitle is the title of a card's page: "Tarjeta •••• 1234".
func cardTitle(c echo.Context, card store.Card) string {
	return web.T(c, "card.crumb", map[string]any{"Last4": card.Last4})
}

// preview fills the balances a review shows and says, in the operator's words, why the operation
// would be refused now.
func preview(c echo.Context, r *views.FundsReview) {
	card := r.Forms.Card
	money := func(d decimal.Decimal) string { return views.Money(d, card.Currency) }
	data := map[string]any{"Amount": money(r.Amount), "Balance": money(card.Balance), "Available": money(r.PartnerBefore)}
	switch r.Operation {
	case "add":
		r.CardAfter, r.PartnerAfter = card.Balance.Add(r.Amount), r.PartnerBefore.Sub(r.Amount)
		if r.PartnerAfter.IsNegative() {
			r.Problem = web.T(c, "funds_refusal.partner_short", data)
		}
	case "withdraw":
		r.CardAfter, r.PartnerAfter = card.Balance.Sub(r.Amount), r.PartnerBefore.Add(r.Amount)
	case "transfer":
		r.CardAfter, r.ToAfter = card.Balance.Sub(r.Amount), r.ToCard.Balance.Add(r.Amount)
	}
	if r.CardAfter.IsNegative() {
		r.Problem = web.T(c, "funds_refusal.card_short_"+r.Operation, data)
	}
	if card.Status != store.CardActive {
		r.Problem = web.T(c, "funds_refusal.card_not_active",
			map[string]any{"Status": views.Enum(c.Request().Context(), "card_status", card.Status)})
	}
}

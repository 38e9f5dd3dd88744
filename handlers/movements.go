package handlers

import (
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// movementJSON is a card movement as every JSON route shows it.
type movementJSON struct {
	ID                int64           `json:"id"`
	EntryID           string          `json:"entryId"`
	CardID            int64           `json:"cardId"`
	Type              string          `json:"type"`
	Direction         string          `json:"direction"`
	Amount            decimal.Decimal `json:"amount"`
	Currency          string          `json:"currency"`
	BalanceAfter      decimal.Decimal `json:"balanceAfter"`
	Channel           string          `json:"channel"`
	Reference         string          `json:"reference"`
	Description       string          `json:"description"`
	Observations      string          `json:"observations"` // the same note, under the CMS name
	CustomKeys        store.JSONB     `json:"customKeys"`
	Actor             actorJSON       `json:"actor"`
	CounterpartCardID *int64          `json:"counterpartCardId"`
	CounterpartLast4  *string         `json:"counterpartLast4,omitempty"`
	CreatedAt         time.Time       `json:"createdAt"`
	// ReversesMovementID is the movement a REVERSAL undoes; ReversedBy the approved reversal that
	// undid this one ("reversed by #N").
	ReversesMovementID *int64 `json:"reversesMovementId,omitempty"`
	ReversedBy         *int64 `json:"reversedBy,omitempty"`
}

// actorJSON says who made a movement: an operator, an application or the system.
type actorJSON struct {
	Type  string `json:"type"`
	ID    *int64 `json:"id"`
	Label string `json:"label"`
}

func newMovementJSON(m store.Movement, counterpartLast4 *string) movementJSON {
	out := movementJSON{ID: m.ID, EntryID: m.EntryID, Type: m.Type, Direction: m.Direction, Amount: m.Amount,
		Currency: m.Currency, BalanceAfter: m.BalanceAfter, Channel: m.Channel, Reference: m.Reference,
		Description: m.Description, Observations: m.Description, CustomKeys: m.CustomKeys,
		Actor:             actorJSON{Type: m.ActorType, ID: m.ActorID, Label: m.ActorLabel},
		CounterpartCardID: m.CounterpartCardID, CounterpartLast4: counterpartLast4, CreatedAt: m.CreatedAt,
		ReversesMovementID: m.ReversesMovementID}
	if m.CardID != nil {
		out.CardID = *m.CardID
	}
	return out
}

func movementRowsJSON(rows []store.MovementRow) []movementJSON {
	out := make([]movementJSON, len(rows))
	for i, r := range rows {
		out[i] = newMovementJSON(r.Movement, r.CounterpartLast4)
		out[i].ReversedBy = r.ReversedBy
	}
	return out
}

type movementsPage struct {
	Items []movementJSON `json:"items"`
	Total int            `json:"total"`
	Page  int            `json:"page"`
	Limit int            `json:"limit"`
}

// errCardNotFound answers a route whose cardholder or card id is not an id: it names no card.
var errCardNotFound = store.NewError(store.CodeCardNotFound, "card not found")

// holderCard reads the card of the route, which must belong to the cardholder of the route.
func (h *Handlers) holderCard(c echo.Context) (holderID int64, card store.Card, err error) {
	if holderID, err = pathID(c, "cardholderId", errCardNotFound); err != nil {
		return 0, card, err
	}
	cardID, err := pathID(c, "cardId", errCardNotFound)
	if err != nil {
		return 0, card, err
	}
	card, err = h.store.CardOfHolder(c.Request().Context(), web.PartnerID(c), holderID, cardID)
	return holderID, card, err
}

// movementsView reads the filter from the query and lists a page of the card's movements.
func (h *Handlers) movementsView(c echo.Context, holderID int64, card store.Card, tz string) (views.MovementsView, error) {
	f := store.MovementFilter{PartnerID: card.PartnerID, CardID: card.ID, From: strings.TrimSpace(c.QueryParam("from")),
		To: strings.TrimSpace(c.QueryParam("to")), SortBy: c.QueryParam("sortBy"), SortOrder: c.QueryParam("sortOrder"),
		Page: pageQuery(c)}
	vm := views.MovementsView{PartnerID: card.PartnerID, HolderID: holderID, CardID: card.ID, TimeZone: tz,
		Statement: views.StatementPanelView{PartnerID: card.PartnerID, HolderID: holderID, CardID: card.ID,
			Currency: card.Currency, From: f.From, To: f.To, Presets: views.StatementPresets(h.app.Now().In(partnerLocation(tz)))}}
	if err := f.Validate(); err != nil { // also fills the default sort the view shows
		return vm, err
	}
	rows, total, err := h.store.ListMovements(c.Request().Context(), f)
	if err != nil {
		return vm, err
	}
	vm.Rows, vm.Filter = rows, f
	vm.Pager = views.Pager{Page: f.Page.Number, Limit: f.Page.Limit, Total: total, Path: vm.Path(), Query: vm.Query(), Target: "movements"}
	// Special: only the console's Statement panel shows the period's totals; the API list has none.
	if f.From != "" && f.To != "" && !web.WantsJSON(c) {
		// The Statement panel shows the period's totals, which its downloads print.
		totals, err := h.store.StatementTotalsOf(c.Request().Context(), store.StatementFilter{MovementFilter: f})
		if err != nil {
			return vm, err
		}
		vm.Statement.Totals = &totals
	}
	return vm, nil
}

// Movements lists a card's movements by date range, sorted and paged. The console gets the movements
// section, or the whole card page; an invalid filter is shown next to its field.
func (h *Handlers) Movements(c echo.Context) error {
	holderID, card, err := h.holderCard(c)
	if err != nil {
		return err
	}
	p, err := h.store.Partner(c.Request().Context(), card.PartnerID)
	if err != nil {
		return err
	}
	vm, err := h.movementsView(c, holderID, card, p.TimeZone)
	withMovements := func(vm views.MovementsView) func(*views.CardView) error {
		return func(cv *views.CardView) error {
			cv.Movements = &vm
			return nil
		}
	}
	title := cardTitle(c, card)
	if err != nil {
		return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
			vm.Filter = store.MovementFilter{From: c.QueryParam("from"), To: c.QueryParam("to"), SortBy: "createdAt", SortOrder: "desc"}
			vm.Errors = fields
			vm.Pager = views.Pager{Page: 1, Limit: store.DefaultLimit, Path: vm.Path(), Target: "movements"}
			return web.View{Title: title, Partial: views.MovementsSection(vm), Page: h.lazyCardPage(c, holderID, card, withMovements(vm))}, nil
		})
	}
	data := movementsPage{Items: movementRowsJSON(vm.Rows), Total: vm.Pager.Total, Page: vm.Pager.Page, Limit: vm.Pager.Limit}
	return h.app.Respond(c, web.View{Title: title, Data: data, Partial: views.MovementsSection(vm),
		Page: h.lazyCardPage(c, holderID, card, withMovements(vm))})
}

// Movement shows one movement of the card.
func (h *Handlers) Movement(c echo.Context) error {
	holderID, card, err := h.holderCard(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "transferId", store.NotFound("movement"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := h.store.MovementOfCard(ctx, card.PartnerID, card.ID, id)
	if err != nil {
		return err
	}
	p, err := h.store.Partner(ctx, card.PartnerID)
	if err != nil {
		return err
	}
	vm := views.MovementDetailView{PartnerID: card.PartnerID, HolderID: holderID, TimeZone: p.TimeZone, Movement: m,
		CanRevert: web.GrantsOf(c).Has("card-movements:revert")}
	return h.app.Respond(c, web.View{Title: web.T(c, "movements.page_title", map[string]any{"ID": m.ID}), Data: movementRowsJSON([]store.MovementRow{m})[0],
		Page: views.MovementDetailPage(vm), Partial: views.MovementDetail(vm)})
}

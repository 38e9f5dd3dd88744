package handlers

import (
	"github.com/a-h/templ"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// Cardholders lists the partner's cardholders: searched by email, phone or document number, sorted
// by a whitelisted column, a page at a time, with the total.
func (h *Handlers) Cardholders(c echo.Context) error {
	ctx := c.Request().Context()
	pid := web.PartnerID(c)
	f := store.CardholderFilter{PartnerID: pid, Search: c.QueryParam("searchText"), SortBy: c.QueryParam("sortBy"),
		SortOrder: c.QueryParam("sortOrder"), Status: c.QueryParam("status"), Page: pageQuery(c)}
	f.Normalize()
	typed, hint := f.Search, ""
	if typed != "" && !store.SearchableText(typed) && !web.WantsJSON(c) {
		// Special: while the operator is still typing, the console lists everyone instead of refusing.
		f.Search, hint = "", web.T(c, "cardholders.hint")
	}
	items, total, err := h.store.ListCardholders(ctx, web.Actor(c), f)
	if err != nil {
		return err
	}
	if web.NeedsOTP(c, "cardholders") {
		for i := range items {
			items[i].MaskPersonal()
		}
	}
	q := url.Values{"sortBy": {f.SortBy}, "sortOrder": {f.SortOrder}}
	if f.Search != "" {
		q.Set("searchText", f.Search)
	}
	if f.Status != store.CardholderActive {
		q.Set("status", f.Status)
	}
	vm := views.CardholdersView{PartnerID: pid, PartnerName: h.partnerName(c), Items: items, Search: typed, Hint: hint, SortBy: f.SortBy,
		SortOrder: f.SortOrder, CanCreate: web.GrantsOf(c).Has("cardholders:create"),
		Pager: views.Pager{Page: f.Page.Number, Limit: f.Page.Limit, Total: total, Path: views.PartnerURL(pid, "/cardholders"),
			Query: q, Target: "cardholders-table"}}
	return h.app.Respond(c, web.View{Title: web.T(c, "cardholders.title"),
		Data: listPage[store.CardholderSummary]{Items: items, Total: total, Page: f.Page.Number, Limit: f.Page.Limit},
		Page: views.CardholdersPage(vm), Partial: views.CardholdersTable(vm)})
}

// partnerName is the partner's name for breadcrumbs; an unreadable partner leaves them short.
func (h *Handlers) partnerName(c echo.Context) string {
	p, err := h.store.Partner(c.Request().Context(), web.PartnerID(c))
	if err != nil {
		return "Partner " + c.Param("partnerId")
	}
	return p.Name
}

// stockCards are the partner's unassigned cards offered by the console's card pickers.
func (h *Handlers) stockCards(c echo.Context) ([]store.Card, error) {
	cards, _, err := h.store.ListCards(c.Request().Context(), store.CardFilter{PartnerID: web.PartnerID(c), Unassigned: true,
		Page: store.NewPage(1, store.MaxLimit)})
	return cards, err
}

// NewCardholderForm is the console's "New cardholder" form.
func (h *Handlers) NewCardholderForm(c echo.Context) error {
	stock, err := h.stockCards(c)
	if err != nil {
		return err
	}
	vm := views.CardholderFormView{PartnerID: web.PartnerID(c), PartnerName: h.partnerName(c), StockCards: stock}
	return h.app.Respond(c, web.View{Title: web.T(c, "cardholders.new"), Page: views.NewCardholderPage(vm), Partial: views.CardholderForm(vm)})
}

// cardholderFields are the fields of the create body, all required.
var cardholderFields = []string{"name", "lastName", "address", "countryOfBirth", "dateOfBirth", "maritalStatus", "gender",
	"phoneNumber", "email", "documentType", "documentNumber", "cardId"}

// CreateCardholder creates a cardholder with their first card. Every invalid field is reported at
// once: 400 in the envelope for API clients, the form again with the errors (422) in the console.
func (h *Handlers) CreateCardholder(c echo.Context) error {
	var v store.Validation
	f, err := fields(c, &v, cardholderFields...)
	if err != nil {
		return err
	}
	in := store.NewCardholder{Name: f["name"], LastName: f["lastName"], Address: f["address"], CountryOfBirth: f["countryOfBirth"],
		DateOfBirth: f["dateOfBirth"], MaritalStatus: f["maritalStatus"], Gender: f["gender"], PhoneNumber: f["phoneNumber"],
		Email: f["email"], DocumentType: f["documentType"], DocumentNumber: f["documentNumber"]}
	in.CardID = positiveID(&v, "cardId", f["cardId"])
	in.Normalize()
	in.Validate(&v, h.app.Now())
	err = v.Err()
	var ch store.Cardholder
	if err == nil {
		ch, err = h.store.CreateCardholder(c.Request().Context(), web.Actor(c), web.PartnerID(c), in)
	}
	if err != nil {
		return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
			stock, serr := h.stockCards(c)
			vm := views.CardholderFormView{PartnerID: web.PartnerID(c), PartnerName: h.partnerName(c), Values: in,
				CardID: f["cardId"], Errors: fields, StockCards: stock}
			return web.View{Title: web.T(c, "cardholders.new"), Page: views.NewCardholderPage(vm), Partial: views.CardholderForm(vm)}, serr
		})
	}
	return h.app.Respond(c, web.View{Status: http.StatusCreated, Message: "cardholder created", Data: ch,
		Redirect: &web.Redirect{To: views.PartnerURL(ch.PartnerID, "/cardholders/"+views.ID(ch.ID)), HTMXStatus: http.StatusNoContent,
			Flash: &web.Flash{Kind: web.Success, Key: "holder_cards.created", Args: map[string]any{"Name": ch.FullName()}}}})
}

// cardholderDetail is the JSON of the detail: the personal data and every card.
type cardholderDetail struct {
	store.Cardholder
	Cards []store.CardholderCard `json:"cards"`
}

// CardholderDetail reads a cardholder's personal data (POST, as in the spec, so the optional
// one-time code travels in the body). The code is required when the operator holds
// cardholders:otp; every read is audited.
func (h *Handlers) CardholderDetail(c echo.Context) error {
	id, err := cardholderParam(c)
	if err != nil {
		return err
	}
	if err := h.checkBodyOTP(c, "cardholders"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	pid := web.PartnerID(c)
	ch, err := h.store.ReadCardholder(ctx, web.Actor(c), pid, id)
	if err != nil {
		return err
	}
	cards, err := h.store.CardholderCards(ctx, pid, id)
	if err != nil {
		return err
	}
	personal := h.personalPanel(c, id, &ch)
	return h.app.Respond(c, web.View{Title: views.CardholderView{CardholderID: id, Personal: personal}.Title(), Data: cardholderDetail{Cardholder: ch, Cards: cards},
		Partial: views.PersonalData(personal), Page: h.lazyCardholderPage(c, id, personal)})
}

// cardholderPage is the JSON of the cardholder page: the personal data when the operator may see
// it without a code (null otherwise, with otpRequired set) and every card.
type cardholderPage struct {
	ID          int64                  `json:"id"`
	OTPRequired bool                   `json:"otpRequired"`
	Cardholder  *store.Cardholder      `json:"cardholder"`
	Cards       []store.CardholderCard `json:"cards"`
}

// CardholderPage is the console's cardholder page. The personal data is shown (and the read
// audited) only when the operator needs no one-time code; otherwise the page offers the OTP dialog,
// which posts to CardholderDetail.
func (h *Handlers) CardholderPage(c echo.Context) error {
	id, err := cardholderParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pid := web.PartnerID(c)
	personal := h.personalPanel(c, id, nil)
	if !personal.OTPRequired {
		ch, err := h.store.ReadCardholder(ctx, web.Actor(c), pid, id)
		if err != nil {
			return err
		}
		personal = h.personalPanel(c, id, &ch)
	}
	cards, err := h.store.CardholderCards(ctx, pid, id)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Title: views.CardholderView{CardholderID: id, Personal: personal}.Title(),
		Data: cardholderPage{ID: id, OTPRequired: personal.OTPRequired, Cardholder: personal.Cardholder, Cards: cards},
		Page: h.lazyCardholderPage(c, id, personal)})
}

// lazyCardholderPage is the cardholder page around its personal data panel, read only when a
// browser renders it.
func (h *Handlers) lazyCardholderPage(c echo.Context, id int64, personal views.PersonalDataView) templ.Component {
	return web.Lazy(func() (templ.Component, error) {
		vm, err := h.cardholderView(c, id, personal)
		return views.CardholderPage(vm), err
	})
}

// personalPanel is the personal data panel of the cardholder read (nil before the read): the edit
// form is offered with the data to an operator who may update cardholders, unless they are CLOSED.
func (h *Handlers) personalPanel(c echo.Context, id int64, ch *store.Cardholder) views.PersonalDataView {
	return views.PersonalDataView{PartnerID: web.PartnerID(c), CardholderID: id, Cardholder: ch,
		OTPRequired: web.NeedsOTP(c, "cardholders"), EditNeedsOTP: web.NeedsOTP(c, "cardholders"),
		CanEdit: ch != nil && ch.Status != store.CardholderClosed && web.GrantsOf(c).Has("cardholders:update")}
}

// cardholderView gathers the cardholder page around its personal data panel. A CLOSED
// cardholder's page is read-only: no edit, close, card or linking action.
func (h *Handlers) cardholderView(c echo.Context, id int64, personal views.PersonalDataView) (views.CardholderView, error) {
	ctx := c.Request().Context()
	pid := web.PartnerID(c)
	head, err := h.store.ReadCardholderHeader(ctx, pid, id)
	if err != nil {
		return views.CardholderView{}, err
	}
	p, err := h.store.Partner(ctx, pid)
	if err != nil {
		return views.CardholderView{}, err
	}
	cards, err := h.cardsPanel(c, id)
	if err != nil {
		return views.CardholderView{}, err
	}
	linked, err := h.thirdPartyPanel(c, id)
	if err != nil {
		return views.CardholderView{}, err
	}
	vm := views.CardholderView{PartnerID: pid, PartnerName: p.Name, CardholderID: id, Name: head.FullName(), Header: head, TimeZone: p.TimeZone,
		Personal: personal, Cards: cards, ThirdParty: linked}
	switch {
	case head.Closed():
		vm.Personal.CanEdit = false
		vm.Cards.Allowed, vm.Cards.CanAssign, vm.ThirdParty.CanAssociate = nil, false, false
	case web.GrantsOf(c).Has("cardholders:update"):
		vm.Close = &views.CloseCardholderView{PartnerID: pid, CardholderID: id, Name: head.FullName(), Cards: cards.Cards}
	}
	return vm, nil
}

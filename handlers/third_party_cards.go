package handlers

import (
	"github.com/a-h/templ"
	"net/http"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// thirdPartyPanel gathers the linked cards panel of a cardholder.
func (h *Handlers) thirdPartyPanel(c echo.Context, cardholderID int64) (views.ThirdPartyPanelView, error) {
	pid := web.PartnerID(c)
	cards, err := h.store.ThirdPartyCards(c.Request().Context(), pid, cardholderID)
	return views.ThirdPartyPanelView{PartnerID: pid, CardholderID: cardholderID, Cards: cards,
		CanAssociate: web.GrantsOf(c).Has("cardholders:update")}, err
}

// ThirdPartyCards lists the cards of other issuers linked to the cardholder.
func (h *Handlers) ThirdPartyCards(c echo.Context) error {
	id, err := cardholderParam(c)
	if err != nil {
		return err
	}
	panel, err := h.thirdPartyPanel(c, id)
	if err != nil {
		return err
	}
	vm := views.CardholderCardsView{PartnerName: h.partnerName(c), ThirdParty: panel}
	if !web.WantsJSON(c) {
		if vm.HolderName, err = h.store.CardholderName(c.Request().Context(), web.PartnerID(c), id); err != nil {
			return err
		}
	}
	return h.app.Respond(c, web.View{Title: web.T(c, "holder_cards.page_title", map[string]any{"Name": vm.HolderName}), Data: panel.Cards,
		Page: views.CardholderCardsPage(vm), Partial: views.ThirdPartyPanel(panel)})
}

// AssociateThirdPartyCard links a card of another issuer to the cardholder: the owner's email, the
// last 4 digits and an alias. The same suffix and email twice is 409 (7221).
func (h *Handlers) AssociateThirdPartyCard(c echo.Context) error {
	id, err := cardholderParam(c)
	if err != nil {
		return err
	}
	var v store.Validation
	f, err := fields(c, &v, "email", "suffix", "alias")
	if err != nil {
		return err
	}
	in := store.NewThirdPartyCard{Email: f["email"], Suffix: f["suffix"], Alias: f["alias"]}
	err = v.Err()
	var t store.ThirdPartyCard
	if err == nil {
		t, err = h.store.AssociateThirdPartyCard(c.Request().Context(), web.Actor(c), web.PartnerID(c), id, in)
	}
	screen := func(fill func(*views.ThirdPartyPanelView)) web.View {
		build := func(show func(views.ThirdPartyPanelView) templ.Component) templ.Component {
			return web.Lazy(func() (templ.Component, error) {
				panel, err := h.thirdPartyPanel(c, id)
				fill(&panel)
				return show(panel), err
			})
		}
		page := build(func(panel views.ThirdPartyPanelView) templ.Component {
			return web.Lazy(func() (templ.Component, error) {
				name, err := h.store.CardholderName(c.Request().Context(), web.PartnerID(c), id)
				return views.CardholderCardsPage(views.CardholderCardsView{PartnerName: h.partnerName(c), HolderName: name, ThirdParty: panel}), err
			})
		})
		return web.View{Title: web.T(c, "holder_cards.title"), Partial: build(views.ThirdPartyPanel), Page: page}
	}
	if err != nil {
		return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
			return screen(func(p *views.ThirdPartyPanelView) { p.Values, p.Errors = in, fields }), nil
		})
	}
	view := screen(func(p *views.ThirdPartyPanelView) {
		p.Notice = web.T(c, "holder_cards.linked", map[string]any{"Alias": t.Alias, "Card": t.MaskedNumber()})
	})
	view.Status, view.Message, view.Data = http.StatusCreated, "third-party card associated", t
	return h.app.Respond(c, view)
}

package handlers

import (
	"net/url"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// CardholderActivity is a cardholder's timeline: profile changes, card transitions, money, reversals,
// reads of their personal data and client requests, newest first, filterable by kind.
func (h *Handlers) CardholderActivity(c echo.Context) error { return h.activity(c, false) }

// CardActivity is one card's timeline: its transitions, movements and reversals. Both answer the
// console with the Activity tab (the list alone to HTMX, for the kind filter and the pages).
func (h *Handlers) CardActivity(c echo.Context) error { return h.activity(c, true) }

func (h *Handlers) activity(c echo.Context, ofCard bool) error {
	holderID, err := cardholderParam(c)
	if err != nil {
		return err
	}
	f := store.ActivityFilter{PartnerID: web.PartnerID(c), CardholderID: holderID, Page: pageQuery(c)}
	if ofCard {
		if f.CardID, err = cardParam(c); err != nil {
			return err
		}
	}
	for _, k := range c.QueryParams()["kind"] {
		for _, part := range strings.Split(k, ",") {
			if part = strings.TrimSpace(part); part != "" {
				f.Kinds = append(f.Kinds, part)
			}
		}
	}
	items, total, err := h.store.ListActivity(c.Request().Context(), f)
	if err != nil {
		return err
	}
	q := url.Values{}
	if len(f.Kinds) > 0 {
		q.Set("kind", strings.Join(f.Kinds, ","))
	}
	tab := web.Lazy(func() (templ.Component, error) {
		vm, err := h.activityView(c, f, items, total, q)
		return views.ActivityPage(vm), err
	})
	list := web.Lazy(func() (templ.Component, error) {
		vm, err := h.activityView(c, f, items, total, q)
		return views.ActivityList(vm), err
	})
	return h.app.Respond(c, web.View{Title: web.T(c, "activity.tab_activity"),
		Data: listPage[store.Activity]{Items: items, Total: total, Page: f.Page.Number, Limit: f.Page.Limit},
		Page: tab, Partial: list})
}

// activityView gathers the Activity tab: the cardholder's name, the card's digits and the
// partner's time zone around a page of the timeline.
func (h *Handlers) activityView(c echo.Context, f store.ActivityFilter, items []store.Activity, total int, q url.Values) (views.ActivityView, error) {
	ctx := c.Request().Context()
	vm := views.ActivityView{PartnerID: f.PartnerID, CardID: f.CardID, Kinds: f.Kinds, Items: items}
	p, err := h.store.Partner(ctx, f.PartnerID)
	if err != nil {
		return vm, err
	}
	vm.PartnerName, vm.TimeZone = p.Name, p.TimeZone
	if vm.Holder, err = h.store.ReadCardholderHeader(ctx, f.PartnerID, f.CardholderID); err != nil {
		return vm, err
	}
	if f.CardID != 0 {
		card, err := h.store.CardOfHolder(ctx, f.PartnerID, f.CardholderID, f.CardID)
		if err != nil {
			return vm, err
		}
		vm.CardLast4 = card.Last4
	}
	vm.Pager = views.Pager{Page: f.Page.Number, Limit: f.Page.Limit, Total: total, Path: vm.Path(), Query: q, Target: "activity-list"}
	return vm, nil
}

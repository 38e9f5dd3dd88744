package handlers

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

type auditPage struct {
	Items []store.AuditEntry `json:"items"`
	Total int                `json:"total"`
	Page  int                `json:"page"`
	Limit int                `json:"limit"`
}

// AuditLog lists audit entries of the partners where the operator holds audit-log:list, within the
// operator's tag restrictions; an operator who holds it on no partner is refused (403).
func (h *Handlers) AuditLog(c echo.Context) error {
	p, _ := web.PrincipalOf(c)
	ctx := c.Request().Context()
	ids, err := h.store.PartnerIDsFor(ctx, p.OperatorID, "audit-log:list")
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return store.NewError(store.CodeForbidden, "you need the permission audit-log:list on at least one partner")
	}
	f := auditFilter(c, p.OperatorID, ids)
	f.Page = pageQuery(c)
	entries, total, err := h.store.ListAudit(ctx, f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []store.AuditEntry{} // an empty page lists no items: [], not null
	}
	partners, err := h.store.PartnerSummaries(ctx, ids)
	if err != nil {
		return err
	}
	q := url.Values{}
	for k, v := range map[string]string{"action": f.Action, "actor": f.Actor, "partnerId": c.QueryParam("partnerId")} {
		if v != "" {
			q.Set(k, v)
		}
	}
	vm := views.AuditView{Entries: entries, Partners: partners, Action: f.Action, Actor: f.Actor, Partner: f.PartnerID,
		Pager: views.Pager{Page: f.Page.Number, Limit: f.Page.Limit, Total: total, Path: "/cms/rest/app/audit", Query: q, Target: "audit-table"}}
	return h.app.Respond(c, web.View{Title: web.T(c, "audit.title"), Data: auditPage{Items: entries, Total: total, Page: f.Page.Number, Limit: f.Page.Limit},
		Page: views.AuditPage(vm), Partial: views.AuditTable(vm)})
}

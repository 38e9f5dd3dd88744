package handlers

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
	"cardconsole/web/export"
)

var auditExportColumns = []string{"id", "at", "actorType", "actorId", "actorLabel", "partnerId", "action", "objectType",
	"objectId", "before", "after", "requestId", "ip"}

// ExportAuditLog downloads the audit log with the list's filters (action prefix, actor, partner),
// newest first, from the partners where the operator holds audit-log:list and within their tag
// restrictions, as the list shows it. Times are in each entry's partner's zone (UTC without one).
func (h *Handlers) ExportAuditLog(format export.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, _ := web.PrincipalOf(c)
		ctx := c.Request().Context()
		ids, err := h.store.PartnerIDsFor(ctx, p.OperatorID, "audit-log:list")
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return store.NewError(store.CodeForbidden, "you do not hold audit-log:list on any partner")
		}
		f := auditFilter(c, p.OperatorID, ids)
		d := listDownload{list: "audit-log", headerKey: "audit", columns: auditExportColumns,
			filters: map[string]any{"action": f.Action, "actor": f.Actor, "partnerId": f.PartnerID}}
		zone := h.zones(c)
		return h.download(c, format, d, func(row rowFunc) error {
			return h.store.EachAuditEntry(ctx, f, func(e store.AuditEntry) error {
				var partner int64
				if e.PartnerID != nil {
					partner = *e.PartnerID
				}
				return row(export.Int(e.ID), export.Time(e.At, zone(partner)), export.Text(e.ActorType), export.OptInt(e.ActorID),
					export.Text(e.ActorLabel), export.OptInt(e.PartnerID), export.Text(e.Action), export.Text(e.ObjectType),
					export.Text(e.ObjectID), export.Text(string(e.Before)), export.Text(string(e.After)),
					export.Text(e.RequestID), export.Text(e.IP))
			})
		})
	}
}

// auditFilter reads the audit log's filters for a viewer allowed on the partners ids.
func auditFilter(c echo.Context, viewer int64, ids []int64) store.AuditFilter {
	f := store.AuditFilter{ViewerID: viewer, PartnerIDs: ids, Action: strings.TrimSpace(c.QueryParam("action")),
		Actor: strings.TrimSpace(c.QueryParam("actor"))}
	f.PartnerID, _ = strconv.ParseInt(c.QueryParam("partnerId"), 10, 64)
	return f
}

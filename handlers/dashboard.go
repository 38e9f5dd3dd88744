package handlers

import (
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web/format"
)

// bulkReadPermissions open a partner's bulk files page: makers upload, checkers decide payouts.
var bulkReadPermissions = []string{"bulk-create:create", "cards-admin:addFunds", "approvals:list", "approvals:update"}

// dashboard gathers the start page: the client requests to review and each partner's work, each
// part only where the operator's grants (and tag restrictions) let them open the list it links to.
// Every count is a capped read of an index (docs/console.md).
func (h *Handlers) dashboard(c echo.Context, operatorID int64, partners []store.PartnerSummary) (views.DashboardView, error) {
	ctx := c.Request().Context()
	var vm views.DashboardView
	now := h.app.Now()
	for _, p := range partners {
		g, err := h.store.GrantsFor(ctx, operatorID, p.ID)
		if err != nil {
			return vm, err
		}
		w := views.PartnerWorkView{PartnerSummary: p, ShowTopUps: g.Has("balance-management:list"),
			ShowBatches: slices.ContainsFunc(bulkReadPermissions, g.Has), LinkToday: g.Has("audit-log:list")}
		vm.SeesRequests = vm.SeesRequests || g.Has(permApprovalsList)
		if g.Has("card-movements:list") {
			tags, err := h.store.OperatorRestrictions(ctx, operatorID, p.ID)
			if err != nil {
				return vm, err
			}
			w.ShowToday = len(tags) == 0
		}
		w.Work, err = h.store.PartnerWork(ctx, store.WorkQuery{PartnerID: p.ID, Currency: p.Currency,
			TopUps: w.ShowTopUps, Today: w.ShowToday, DayStart: dayStart(now, format.Zone(p.TimeZone)),
			Batches: w.ShowBatches, BatchesSince: now.Add(-store.FailedBatchesWindow)})
		if err != nil {
			return vm, err
		}
		vm.Partners = append(vm.Partners, w)
	}
	if vm.SeesRequests {
		var err error
		vm.PendingRequests, err = h.store.CountPendingRequests(ctx, store.OperatorViewer(operatorID, permApprovalsList))
		if err != nil {
			return vm, err
		}
	}
	return vm, nil
}

// dayStart is the midnight that began the day of now in the time zone.
func dayStart(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

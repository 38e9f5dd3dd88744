package web

import (
	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
)

// requestsBell is the header's client requests state for a console operator: shown when they may
// list requests on some partner, with the pending count they may see.
func (a *App) requestsBell(c echo.Context, operatorID int64) views.RequestsBell {
	ctx := c.Request().Context()
	ids, err := a.Store.PartnerIDsFor(ctx, operatorID, "approvals:list")
	if err != nil || len(ids) == 0 {
		if err != nil {
			a.Log.Error("unable to read approvals grants", "request_id", RequestID(c), "err", err)
		}
		return views.RequestsBell{}
	}
	n, err := a.Store.CountPendingRequests(ctx, store.OperatorViewer(operatorID, "approvals:list"))
	if err != nil {
		a.Log.Error("unable to count pending requests", "request_id", RequestID(c), "err", err)
	}
	return views.RequestsBell{Show: true, Pending: n}
}

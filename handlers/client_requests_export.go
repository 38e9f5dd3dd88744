package handlers

import (
	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web/export"
)

var exportHeader = []string{"id", "partnerId", "clientId", "clientName", "clientEmail", "type", "statusId", "status",
	"amount", "currency", "color", "submittedBy", "createdAt", "decidedBy", "decidedAt", "resolution"}

// ExportClientRequests downloads the requests matching the list's filters, in its sort, as CSV or,
// with format=xlsx, as XLSX. Paging does not apply: the export has every matching row. Clients are
// masked as the list masks them; times are in each request's partner's zone.
func (h *Handlers) ExportClientRequests(c echo.Context) error {
	v, err := h.viewer(c, permApprovalsList)
	if err != nil {
		return err
	}
	format := export.CSV
	if s := c.QueryParam("format"); s != "" {
		var ok bool
		if format, ok = export.ParseFormat(s); !ok {
			var v store.Validation
			v.Add("format", "format must be csv or xlsx")
			return v.Err()
		}
	}
	f, form, err := requestFilter(c)
	if err != nil {
		return err
	}
	masked, err := h.maskedPartners(c)
	if err != nil {
		return err
	}
	d := listDownload{list: "client-requests", headerKey: "requests", columns: exportHeader,
		filters: map[string]any{"filter[id]": form.ID, "filter[clientId]": form.ClientID, "filter[client]": form.Client,
			"filter[type]": form.Type, "filter[statusId]": form.Status, "filter[dateFrom]": form.DateFrom,
			"filter[dateTo]": form.DateTo, "sort": form.Sort}}
	zone := h.zones(c)
	return h.download(c, format, d, func(row rowFunc) error {
		return h.store.EachClientRequest(c.Request().Context(), v, f, func(r store.ClientRequest) error {
			if masked[r.PartnerID] {
				r.MaskPersonal()
			}
			loc := zone(r.PartnerID)
			return row(export.Int(r.ID), export.Int(r.PartnerID), export.Int(r.ClientID), export.Text(r.ClientName),
				export.Text(r.ClientEmail), export.Text(r.Type), export.Int(int64(r.StatusID)), export.Text(r.Status),
				export.OptAmount(r.Amount), export.OptText(r.Currency), export.OptText(r.Color), export.Text(r.SubmittedByLabel),
				export.Time(r.CreatedAt, loc), export.Text(r.DecidedByLabel), export.OptTime(r.DecidedAt, loc),
				export.OptText(r.ResolutionName))
		})
	})
}

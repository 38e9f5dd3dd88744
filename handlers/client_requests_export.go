package handlers

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
)

var exportHeader = []string{"id", "partnerId", "clientId", "clientName", "clientEmail", "type", "statusId", "status",
	"amount", "currency", "color", "submittedBy", "createdAt", "decidedBy", "decidedAt", "resolution"}

// ExportClientRequests streams the requests matching the list's filters, in its sort, as CSV. Paging
// does not apply: the export has every matching row.
func (h *Handlers) ExportClientRequests(c echo.Context) error {
	v, err := h.viewer(c, permApprovalsList)
	if err != nil {
		return err
	}
	f, _, err := requestFilter(c)
	if err != nil {
		return err
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="client-requests-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
	masked, err := h.maskedPartners(c)
	if err != nil {
		return err
	}
	w := csv.NewWriter(res)
	started := false
	err = h.store.EachClientRequest(c.Request().Context(), v, f, func(r store.ClientRequest) error {
		if masked[r.PartnerID] {
			r.MaskPersonal()
		}
		if !started {
			res.WriteHeader(http.StatusOK)
			started = true
			if err := w.Write(csvHeaderIn(c, "requests", exportHeader)); err != nil {
				return err
			}
		}
		return w.Write(exportRow(r))
	})
	if err != nil && !started {
		return err
	}
	if !started {
		res.WriteHeader(http.StatusOK)
		if err := w.Write(csvHeaderIn(c, "requests", exportHeader)); err != nil {
			return err
		}
	}
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil {
		// The status is sent already: log it; the truncated file is the client's only sign.
		h.app.Log.Error("client requests export failed", "err", err)
	}
	return nil
}

func exportRow(r store.ClientRequest) []string {
	opt := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	decidedAt := ""
	if r.DecidedAt != nil {
		decidedAt = r.DecidedAt.UTC().Format(time.RFC3339)
	}
	amount := ""
	if r.Amount.Valid {
		amount = views.Amount(r.Amount.Decimal)
	}
	row := []string{views.ID(r.ID), views.ID(r.PartnerID), views.ID(r.ClientID), r.ClientName, r.ClientEmail, r.Type,
		views.ID(int64(r.StatusID)), r.Status, amount, opt(r.Currency), opt(r.Color), r.SubmittedByLabel,
		r.CreatedAt.UTC().Format(time.RFC3339), r.DecidedByLabel, decidedAt, opt(r.ResolutionName)}
	for i, cell := range row {
		row[i] = csvSafe(cell)
	}
	return row
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

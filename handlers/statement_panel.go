package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// statementPanelJSON is the Statement panel for API clients: the period, its totals and where to
// download it.
type statementPanelJSON struct {
	From           string          `json:"from"`
	To             string          `json:"to"`
	TimeZone       string          `json:"timeZone"`
	Currency       string          `json:"currency"`
	OpeningBalance decimal.Decimal `json:"openingBalance"`
	TotalCredits   decimal.Decimal `json:"totalCredits"`
	TotalDebits    decimal.Decimal `json:"totalDebits"`
	ClosingBalance decimal.Decimal `json:"closingBalance"`
	CreditCount    int             `json:"creditCount"`
	DebitCount     int             `json:"debitCount"`
	ReportURL      string          `json:"reportUrl"`
	CSVURL         string          `json:"csvUrl"`
}

// StatementPanel shows a card's Statement panel for a period (this month when none is given): its
// totals and the PDF and CSV links. An invalid period is shown next to its field.
func (h *Handlers) StatementPanel(c echo.Context) error {
	subject, err := h.statementSubject(c)
	if err != nil {
		return err
	}
	presets := views.StatementPresets(h.app.Now().In(partnerLocation(subject.TimeZone)))
	f := statementFilter(c, subject)
	if f.From == "" && f.To == "" {
		f.From, f.To = presets[0].From, presets[0].To
	}
	vm := views.StatementPanelView{PartnerID: subject.Card.PartnerID, PartnerName: subject.PartnerName,
		HolderID: subject.HolderID, CardID: subject.Card.ID, Last4: subject.Card.Last4, Currency: subject.Card.Currency,
		TimeZone: subject.TimeZone, From: f.From, To: f.To, Presets: presets}
	title := "Statement · card •••• " + subject.Card.Last4
	totals, err := h.store.StatementTotalsOf(c.Request().Context(), f)
	if errs := store.FieldErrors(err); errs != nil && !web.WantsJSON(c) {
		vm.Errors = errs
		return h.app.Respond(c, web.View{Status: http.StatusUnprocessableEntity, Title: title,
			Page: views.StatementPage(vm), Partial: views.StatementPanel(vm)})
	}
	if err != nil {
		return err
	}
	vm.Totals = &totals
	data := statementPanelJSON{From: f.From, To: f.To, TimeZone: subject.TimeZone, Currency: subject.Card.Currency,
		OpeningBalance: totals.Opening, TotalCredits: totals.Credits, TotalDebits: totals.Debits, ClosingBalance: totals.Closing,
		CreditCount: totals.CreditCount, DebitCount: totals.DebitCount, ReportURL: vm.ReportURL(), CSVURL: vm.CSVURL()}
	return h.app.Respond(c, web.View{Title: title, Data: data, Page: views.StatementPage(vm), Partial: views.StatementPanel(vm)})
}

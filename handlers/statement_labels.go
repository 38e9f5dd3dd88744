package handlers

import (
	"github.com/labstack/echo/v4"

	"cardconsole/views/pdf"
	"cardconsole/web"
)

// statementLabels are the PDF statement's words in the request's language.
func statementLabels(c echo.Context) *pdf.Labels {
	t := func(id string) string { return web.T(c, "pdf."+id) }
	return &pdf.Labels{
		Title: t("title"),
		Columns: [7]string{t("col_time"), t("col_type"), t("col_reference"), t("col_description"), t("col_debit"),
			t("col_credit"), t("col_balance")},
		NoMovements: t("no_movements"), NoneSelected: t("none_selected"), TotalsFmt: t("totals"),
		ContinuationFmt: t("continuation"), Partner: t("partner"), Cardholder: t("cardholder"), Card: t("card"),
		Currency: t("currency"), Period: t("period"), PeriodFmt: t("period_value"), Generated: t("generated"),
		GeneratedFmt: t("generated_value"), Opening: t("opening"), TotalCreditsFmt: t("total_credits"),
		TotalDebitsFmt: t("total_debits"), Closing: t("closing"), Equation: t("equation"), FooterFmt: t("footer"),
		PageFmt: t("page"), TimeLayout: t("time_layout"), FooterTimeLayout: t("footer_time_layout"),
	}
}

// csvHeaderIn names a CSV export's columns in the request's language: words in Spanish, the
// columns' field names in English (what scripts reading the export have always matched).
func csvHeaderIn(c echo.Context, export string, columns []string) []string {
	out := make([]string, len(columns))
	for i, col := range columns {
		out[i] = web.T(c, "csv."+export+"."+col)
	}
	return out
}

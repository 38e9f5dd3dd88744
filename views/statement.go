package views

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"cardconsole/store"
)

// StatementPanelView is the card's Statement panel: a period, its totals, and the links that
// download that period as a PDF statement or as CSV.
type StatementPanelView struct {
	PartnerID   int64
	PartnerName string
	HolderID    int64
	CardID      int64
	Last4       string
	Currency    string
	TimeZone    string
	From, To    string
	Totals      *store.StatementTotals // nil while the period is invalid
	Presets     []StatementPreset
	Errors      map[string]string
}

// StatementPreset is a period the panel offers with one click.
type StatementPreset struct {
	Label    string
	From, To string
}

// StatementPresets are this month (to today), last month and the last 90 days, for today's date
// in the partner's time zone.
func StatementPresets(today time.Time) []StatementPreset {
	y, m, d := today.Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return []StatementPreset{
		{Label: "This month", From: first.Format(time.DateOnly), To: day.Format(time.DateOnly)},
		{Label: "Last month", From: first.AddDate(0, -1, 0).Format(time.DateOnly), To: first.AddDate(0, 0, -1).Format(time.DateOnly)},
		{Label: "Last 90 days", From: day.AddDate(0, 0, -89).Format(time.DateOnly), To: day.Format(time.DateOnly)},
	}
}

// cardPath is the path of a route of the panel's card.
func (v StatementPanelView) cardPath(rest string) string {
	return PartnerURL(v.PartnerID, fmt.Sprintf("/cardholders/%d/cards/%d%s", v.HolderID, v.CardID, rest))
}

func (v StatementPanelView) period(from, to string) string {
	return url.Values{"from": {from}, "to": {to}}.Encode()
}

// PanelURL is the panel for another period.
func (v StatementPanelView) PanelURL(from, to string) string {
	return v.cardPath("/statement") + "?" + v.period(from, to)
}

// ReportURL downloads the period's PDF statement.
func (v StatementPanelView) ReportURL() string {
	return v.cardPath("/movements/report") + "?" + v.period(v.From, v.To)
}

// CSVURL downloads the period's movements as CSV.
func (v StatementPanelView) CSVURL() string {
	return v.cardPath("/movements/export.csv") + "?" + v.period(v.From, v.To)
}

// Selected reports whether a preset is the period shown.
func (v StatementPanelView) Selected(p StatementPreset) bool { return p.From == v.From && p.To == v.To }

// presetID is a preset's label as a test hook: "Last 90 days" becomes "last-90-days".
func presetID(label string) string { return strings.ReplaceAll(strings.ToLower(label), " ", "-") }

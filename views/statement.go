package views

import (
	"context"
	"net/url"
	"strings"
	"time"

	"cardconsole/store"
	"cardconsole/web/i18n"
)

// StatementPanelView is the Statement panel of a card's movements section: the period the section
// shows, its totals, and the links that download exactly that period as a PDF statement or as CSV.
type StatementPanelView struct {
	PartnerID int64
	HolderID  int64
	CardID    int64
	Currency  string
	From, To  string                 // the movements filter's period
	Totals    *store.StatementTotals // nil until the filter has a valid period with both days
	Presets   []StatementPreset
}

// StatementPreset is a period the panel offers with one click.
type StatementPreset struct {
	Label    string // its name, in English: the view writes it in the request's language
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

func (v StatementPanelView) period(from, to string) string {
	return url.Values{"from": {from}, "to": {to}}.Encode()
}

// PresetURL is the movements section showing a preset's period.
func (v StatementPanelView) PresetURL(p StatementPreset) string {
	return CardURL(v.PartnerID, v.HolderID, v.CardID, "/movements") + "?" + v.period(p.From, p.To)
}

// ReportURL downloads the period's PDF statement.
func (v StatementPanelView) ReportURL() string {
	return CardURL(v.PartnerID, v.HolderID, v.CardID, "/movements/report") + "?" + v.period(v.From, v.To)
}

// CSVURL downloads the period's movements as CSV.
func (v StatementPanelView) CSVURL() string {
	return CardURL(v.PartnerID, v.HolderID, v.CardID, "/movements/export.csv") + "?" + v.period(v.From, v.To)
}

// Selected reports whether a preset is the period shown.
func (v StatementPanelView) Selected(p StatementPreset) bool { return p.From == v.From && p.To == v.To }

// presetLabel is a preset's name in the request's language.
func presetLabel(ctx context.Context, p StatementPreset) string {
	switch presetID(p.Label) {
	case "this-month":
		return i18n.T(ctx, "statement.this_month")
	case "last-month":
		return i18n.T(ctx, "statement.last_month")
	case "last-90-days":
		return i18n.T(ctx, "statement.last_90_days")
	}
	return p.Label
}

// presetID is a preset's label as a test hook: "Last 90 days" becomes "last-90-days".
func presetID(label string) string { return strings.ReplaceAll(strings.ToLower(label), " ", "-") }

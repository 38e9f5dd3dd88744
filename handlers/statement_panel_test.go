package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"cardconsole/views"
	"cardconsole/web/webtest"
)

func TestStatementPanelServesJSONPartialAndPage(t *testing.T) {
	sc := newStatementCase(t)
	sc.march(t, 6)
	path := strings.TrimSuffix(sc.path(""), "/movements/") + "/statement"
	q := "?from=2026-03-01&to=2026-03-31"

	data := sc.op.Do(http.MethodGet, path+q, nil).WantStatus(http.StatusOK).Data()
	if data["from"] != "2026-03-01" || data["to"] != "2026-03-31" || data["timeZone"] != "America/Guatemala" ||
		data["creditCount"] != float64(5) || data["debitCount"] != float64(1) ||
		data["reportUrl"] != sc.path("report"+q) || data["csvUrl"] != sc.path("export.csv"+q) {
		t.Fatalf("panel JSON %v", data)
	}
	sc.op.Do(http.MethodGet, path+"?from=2026-03-31&to=2026-03-01", nil).WantError(http.StatusBadRequest, "7000")

	c := sc.env.Console()
	c.Login(sc.op.Email, webtest.Password)
	c.Get(path+q, true).WantStatus(http.StatusOK).Lacks("<html").
		Contains(`id="statement-panel"`, `data-testid="statement-pdf"`, `href="`+sc.path("report?from=2026-03-01&amp;to=2026-03-31")+`"`,
			`href="`+sc.path("export.csv?from=2026-03-01&amp;to=2026-03-31")+`"`, "America/Guatemala")
	c.Get(path+q, false).WantStatus(http.StatusOK).Contains("<html", "Statement of card •••• "+sc.card.Last4, `id="statement-panel"`)

	// An inverted period is shown next to the field, without download links.
	c.Get(path+"?from=2026-03-31&to=2026-03-01", true).WantStatus(http.StatusUnprocessableEntity).
		Contains(`data-testid="error-to"`, "to must not be before from", `data-testid="statement-unavailable"`).Lacks(`data-testid="statement-pdf"`)

	// Without a period the panel shows this month, in the partner's time zone, and offers the presets.
	presets := views.StatementPresets(sc.env.Now().In(guatemala))
	c.Get(path, true).WantStatus(http.StatusOK).Contains(`value="`+presets[0].From+`"`, `value="`+presets[0].To+`"`,
		`data-testid="statement-preset-this-month"`, `data-testid="statement-preset-last-month"`, `data-testid="statement-preset-last-90-days"`)

	limited := sc.env.Operator("limited@example.com", false, webtest.Grant{Partner: sc.partner, Permissions: []string{"cardholders:list"}})
	limited.Do(http.MethodGet, path+q, nil).WantError(http.StatusForbidden, "7005")
}

func TestStatementPresets(t *testing.T) {
	for _, c := range []struct {
		today string
		want  [3][2]string
	}{
		{"2026-03-15", [3][2]string{{"2026-03-01", "2026-03-15"}, {"2026-02-01", "2026-02-28"}, {"2025-12-16", "2026-03-15"}}},
		{"2024-01-01", [3][2]string{{"2024-01-01", "2024-01-01"}, {"2023-12-01", "2023-12-31"}, {"2023-10-04", "2024-01-01"}}},
		{"2024-03-31", [3][2]string{{"2024-03-01", "2024-03-31"}, {"2024-02-01", "2024-02-29"}, {"2024-01-02", "2024-03-31"}}},
	} {
		today, _ := time.Parse(time.DateOnly, c.today)
		got := views.StatementPresets(today)
		for i, p := range got {
			if p.From != c.want[i][0] || p.To != c.want[i][1] {
				t.Errorf("%s %s: %s to %s, want %v", c.today, p.Label, p.From, p.To, c.want[i])
			}
		}
	}
}

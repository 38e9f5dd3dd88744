package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"cardconsole/internal/apptest"
	"cardconsole/views"
)

// The Statement panel is part of the card's movements section: its links download exactly the
// period the table shows, and it shows the totals the PDF prints.
func TestStatementPanelFollowsTheMovementsFilter(t *testing.T) {
	t.Parallel()
	sc := newStatementCase(t)
	sc.march(t, 6)
	movements := strings.TrimSuffix(sc.path(""), "/")
	q := "?from=2026-03-01&to=2026-03-31"
	c := sc.env.Console()
	c.Login(sc.op.Email, apptest.Password)

	// HTMX: the section with the panel for the filter's period.
	c.Get(movements+q, true).WantStatus(http.StatusOK).Lacks("<html").
		WantSelectors(`[id="movements"]`, `[data-testid="statement-panel"]`, `[data-testid="statement-pdf"]`).
		Contains(`href="`+sc.path("report?from=2026-03-01&amp;to=2026-03-31")+`"`,
			`href="`+sc.path("export.csv?from=2026-03-01&amp;to=2026-03-31")+`"`, "Credits (5)", "Debits (1)",
			`data-testid="statement-closing">`)
	// The full card page has it too.
	cardPage := strings.TrimSuffix(movements, "/movements")
	c.Get(cardPage, false).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="statement-panel"]`, `[data-testid="statement-unavailable"]`).
		Contains("<html")
	c.Get(movements+q, false).WantStatus(http.StatusOK).WantSelectors(`[data-testid="statement-pdf"]`).Contains("<html")

	// Without both days there is nothing to download yet; the presets are there, in the partner's zone.
	presets := views.StatementPresets(sc.env.Now().In(guatemala))
	part := c.Get(movements+"?from=2026-03-01", true).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="statement-unavailable"]`).
		Lacks(`data-testid="statement-pdf"`)
	for _, p := range presets {
		part.WantSelectors(`[data-testid="statement-preset-` + strings.ReplaceAll(strings.ToLower(p.Label), " ", "-") + `"]`).
			Contains(`hx-get="` + movements + "?from=" + p.From + "&amp;to=" + p.To + `"`)
	}
	// An inverted period is shown next to its field, without links.
	c.Get(movements+"?from=2026-03-31&to=2026-03-01", true).WantStatus(http.StatusUnprocessableEntity).
		WantSelectors(`[data-testid="error-to"]`, `[data-testid="statement-unavailable"]`).Lacks(`data-testid="statement-pdf"`)

	// JSON clients get the movements list unchanged.
	data := sc.op.Do(http.MethodGet, movements+q, nil).WantStatus(http.StatusOK).Data()
	if data["total"] != float64(6) {
		t.Fatalf("JSON movements %v", data)
	}
}

func TestStatementPresets(t *testing.T) {
	t.Parallel()
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

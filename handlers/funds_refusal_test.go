package handlers_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/web/webtest"
)

// An unload larger than the card's balance is refused in the review step: the page says why in
// words, with the balance there is, and shows neither a balance below zero nor a Confirm button.
func TestFundsReviewRefusesAnUnloadLargerThanTheBalance(t *testing.T) {
	w := newFundsWorld(t, "1000")
	w.maker.Do(http.MethodPost, w.holderPath("/cards/funds/add"), map[string]any{"cardId": w.card.ID, "amount": 200}).WantStatus(200)
	c := w.env.Console()
	c.Login("maker@example.com", webtest.Password).WantStatus(http.StatusSeeOther)
	review := w.cardPath(w.card.ID, "/funds/review?"+url.Values{"operation": {"withdraw"}, "amount": {"100000"}}.Encode())

	c.Get(review, true).WantStatus(http.StatusOK).
		Contains(`data-testid="funds-review"`, "This unload cannot be made", `data-testid="review-problem"`,
			html.EscapeString("The card's balance (Q 200.00) does not cover this unload of Q 100,000.00: at most Q 200.00 can be unloaded."),
			`data-testid="review-card-now">Q 200.00<`, `data-testid="review-partner-now">Q 800.00<`, `data-testid="review-back"`).
		Lacks("-99,800", "-99800", "Confirm unload", `data-testid="review-card-after"`, `data-testid="review-partner-after"`, `data-testid="funds-confirm"`)

	// In Spanish, the same refusal in Spanish words.
	req, _ := http.NewRequest(http.MethodGet, w.env.Server.URL+review, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("Accept-Language", "es")
	c.Do(req).WantStatus(http.StatusOK).Contains("Esta descarga no se puede hacer",
		"El saldo de la tarjeta (Q 200.00) no cubre esta descarga de Q 100,000.00: se puede descargar como máximo Q 200.00.").
		Lacks("-99,800", "-99800", `data-testid="funds-confirm"`)

	// The API's review carries the same reason; nothing moved.
	d := w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/funds/review?operation=withdraw&amount=100000"), nil).WantStatus(200).Data()
	if p, _ := d["problem"].(string); !strings.Contains(p, "does not cover this unload") {
		t.Fatalf("review JSON problem = %v", d)
	}
	w.wantBalance(w.card.ID, "200")

	// A load larger than the partner's balance is refused the same way, naming what is available.
	load := w.cardPath(w.card.ID, "/funds/review?"+url.Values{"operation": {"add"}, "amount": {"5,000.00"}}.Encode())
	c.Get(load, true).WantStatus(http.StatusOK).Contains("This load cannot be made",
		html.EscapeString("The partner's available balance (Q 800.00) does not cover this load of Q 5,000.00: at most Q 800.00 can be loaded now.")).
		Lacks("-4,200", "-4200", `data-testid="funds-confirm"`)
}

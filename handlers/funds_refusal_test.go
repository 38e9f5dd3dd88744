package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
)

// An unload larger than the card's balance is refused in the review step: the page says why in
// words, with the balance there is, and shows neither a balance below zero nor a Confirm button.
func TestFundsReviewRefusesAnUnloadLargerThanTheBalance(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "1000")
	w.maker.Do(http.MethodPost, w.holderPath("/cards/funds/add"), map[string]any{"cardId": w.card.ID, "amount": 200}).WantStatus(200)
	c := w.env.SignIn(w.maker.Email)
	review := w.cardPath(w.card.ID, "/funds/review?"+url.Values{"operation": {"withdraw"}, "amount": {"100000"}}.Encode())
	noNegative := func(r *apptest.Response, negative ...string) {
		t.Helper()
		for _, n := range negative {
			if strings.Contains(string(r.Body), n) {
				t.Fatalf("the review shows %q: %s", n, r.Body)
			}
		}
	}

	res := c.Get(review, true).WantStatus(http.StatusOK).
		WantText(`[data-testid="funds-review"] h2`, "This unload cannot be made").
		WantText(`[data-testid="review-problem"]`, "The card's balance (Q 200.00) does not cover this unload of Q 100,000.00: at most Q 200.00 can be unloaded.").
		WantText(`[data-testid="review-card-now"]`, "Q 200.00").
		WantText(`[data-testid="review-partner-now"]`, "Q 800.00").
		WantSelectors(`[data-testid="review-back"]`).
		WantNoSelectors(`[data-testid="review-card-after"]`, `[data-testid="review-partner-after"]`, `[data-testid="funds-confirm"]`)
	noNegative(res, "-99,800", "-99800")

	// In Spanish, the same refusal in Spanish words.
	c.Lang = "es"
	res = c.Get(review, true).WantStatus(http.StatusOK).
		WantText(`[data-testid="funds-review"] h2`, "Esta descarga no se puede hacer").
		WantText(`[data-testid="review-problem"]`, "El saldo de la tarjeta (Q 200.00) no cubre esta descarga de Q 100,000.00: se puede descargar como máximo Q 200.00.").
		WantNoSelectors(`[data-testid="funds-confirm"]`)
	noNegative(res, "-99,800", "-99800")
	c.Lang = "en"

	// The API's review carries the same reason; nothing moved.
	d := w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/funds/review?operation=withdraw&amount=100000"), nil).WantStatus(200).Data()
	if p, _ := d["problem"].(string); !strings.Contains(p, "does not cover this unload") {
		t.Fatalf("review JSON problem = %v", d)
	}
	w.wantBalance(w.card.ID, "200")

	// A load larger than the partner's balance is refused the same way, naming what is available.
	load := w.cardPath(w.card.ID, "/funds/review?"+url.Values{"operation": {"add"}, "amount": {"5,000.00"}}.Encode())
	res = c.Get(load, true).WantStatus(http.StatusOK).
		WantText(`[data-testid="funds-review"] h2`, "This load cannot be made").
		WantText(`[data-testid="review-problem"]`, "The partner's available balance (Q 800.00) does not cover this load of Q 5,000.00: at most Q 800.00 can be loaded now.").
		WantNoSelectors(`[data-testid="funds-confirm"]`)
	noNegative(res, "-4,200", "-4200")
}

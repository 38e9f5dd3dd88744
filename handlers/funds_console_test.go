package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
)

// idempotencyKey is the header of a console post that may be retried ("" sends none).
func idempotencyKey(key string) map[string]string { return map[string]string{"Idempotency-Key": key} }

var keyInForm = regexp.MustCompile(`name="key" value="([0-9a-f]{32})"`)

func TestCardPageThreeWays(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "100")
	w.maker.Do(http.MethodPost, w.holderPath("/cards/funds/add"), map[string]any{"cardId": w.card.ID, "amount": 12.5}).WantStatus(200)
	page := w.cardPath(w.card.ID, "")

	d := w.maker.Do(http.MethodGet, page, nil).WantStatus(200).Data()
	if d["id"] != float64(w.card.ID) || d["balance"] != 12.5 || d["status"] != "ACTIVE" || d["last4"] != w.card.Last4 {
		t.Fatalf("card JSON: %v", d)
	}
	c := w.env.SignIn("maker@example.com")
	full := c.Get(page, false).WantStatus(200).
		WantSelectors(`[data-testid="card-balance"]`, `[data-testid="load-form"]`, `[data-testid="unload-form"]`,
			`[data-testid="transfer-form"]`, `[data-testid="movements-rows"]`, `[data-testid="movement-row"]`,
			`[data-testid="holder-card-balance-`+itoa(w.second.ID)+`"]`).
		Contains("<html", "12.50", "Partner available balance", "Q 87.50")
	if keyInForm.FindSubmatch(full.Body) == nil {
		t.Fatal("the forms carry no idempotency key")
	}
	c.Get(page, true).WantStatus(200).
		WantSelectors(`[id="card-summary"]`).
		Contains("12.50").
		Lacks("<html", `data-testid="load-form"`)

	// A viewer sees the card and its movements but no forms.
	w.env.Operator("viewer@example.com", false, apptest.Grant{Partner: w.partner, Roles: []string{"viewer"}})
	v := w.env.Console()
	v.Login("viewer@example.com", apptest.Password)
	v.Get(page, false).WantStatus(200).
		WantSelectors(`[data-testid="card-balance"]`, `[data-testid="movement-row"]`).
		Lacks(`data-testid="load-form"`, `id="funds-action"`)
	// Another cardholder's path to the card is not found.
	other := w.env.Console()
	other.Login("maker@example.com", apptest.Password)
	other.Get("/cms/rest/app/partners/"+itoa(w.partner)+"/cardholders/999/cards/"+itoa(w.card.ID), false).WantStatus(404)
}

func TestConsoleLoadReviewConfirmAndReplay(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "100")
	c := w.env.Console()
	c.Login("maker@example.com", apptest.Password)
	page := c.Get(w.cardPath(w.card.ID, ""), false).WantStatus(200)
	key := string(keyInForm.FindSubmatch(page.Body)[1])

	review := w.cardPath(w.card.ID, "/funds/review?")
	c.Get(review+url.Values{"operation": {"add"}, "amount": {"1.23456"}, "key": {key}}.Encode(), true).
		WantStatus(http.StatusUnprocessableEntity).WantSelectors(`[data-testid="error-amount"]`).Contains(`value="1.23456"`)
	c.Get(review+url.Values{"operation": {"transfer"}, "amount": {"1"}, "toCardId": {"999"}}.Encode(), true).
		WantStatus(http.StatusUnprocessableEntity).WantSelectors(`[data-testid="error-toCardId"]`)
	c.Get(review+url.Values{"operation": {"withdraw"}, "amount": {"5"}}.Encode(), true).WantStatus(200).
		WantSelectors(`[data-testid="review-problem"]`).
		Contains("does not cover").Lacks(`data-testid="funds-confirm"`)
	c.Get(review+url.Values{"operation": {"add"}, "amount": {"40"}, "observations": {"pocket money"}, "key": {key}}.Encode(), true).
		WantStatus(200).
		WantSelectors(`[data-testid="funds-review"]`, `[data-testid="funds-confirm"]`).
		Contains("Confirm load", `data-testid="review-card-after">40.00<`, `data-testid="review-partner-after">60.00<`, key).
		Lacks("<html")
	c.Get(review+url.Values{"operation": {"add"}, "amount": {"40"}}.Encode(), false).WantStatus(200).Contains("<html", "Confirm load")
	if res := w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/funds/review?operation=add&amount=40"), nil).WantStatus(200).Data(); res["cardBalanceAfter"] != 40.0 {
		t.Fatalf("review JSON: %v", res)
	}

	form := url.Values{"cardId": {itoa(w.card.ID)}, "amount": {"40"}, "observations": {"pocket money"}}
	done := c.HTMX(http.MethodPost, w.holderPath("/cards/funds/add"), form, idempotencyKey(key)).WantStatus(200).
		WantSelectors(`[data-testid="funds-result"]`).
		Contains("Loaded Q 40.00 onto card •••• "+w.card.Last4, "now Q 40.00").Lacks("<html", key)
	if done.Header.Get("HX-Trigger") != "card-changed" {
		t.Fatalf("no card-changed event: %v", done.Header)
	}
	c.HTMX(http.MethodPost, w.holderPath("/cards/funds/add"), form, idempotencyKey(key)).WantStatus(200).
		WantSelectors(`[data-testid="funds-already-applied"]`).
		Contains("Already applied", "Loaded Q 40.00")
	w.wantBalance(w.card.ID, "40")

	// A plain form post (no HTMX) lands on the card page with a flash.
	req, _ := http.NewRequest(http.MethodPost, w.env.Server.URL+w.holderPath("/cards/funds/withdraw"),
		strings.NewReader(url.Values{"cardId": {itoa(w.card.ID)}, "amount": {"1"}, "_csrf": {c.CSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	res := c.Do(req).WantStatus(http.StatusSeeOther)
	if res.Header.Get("Location") != w.cardPath(w.card.ID, "") {
		t.Fatalf("redirect to %q", res.Header.Get("Location"))
	}
	c.Get(w.cardPath(w.card.ID, ""), false).WantSelectors(`[data-testid="flash-success"]`).Contains("39.00")

	// Field errors come back next to the fields; refusals in the error alert.
	c.HTMX(http.MethodPost, w.holderPath("/cards/funds/add"), url.Values{"cardId": {itoa(w.card.ID)}, "amount": {"-1"}}).
		WantStatus(http.StatusUnprocessableEntity).WantSelectors(`[data-testid="error-amount"]`, `[data-testid="load-form"]`)
	refused := c.HTMX(http.MethodPost, w.holderPath("/cards/funds/withdraw"), url.Values{"cardId": {itoa(w.card.ID)}, "amount": {"1000"}},
		idempotencyKey("k-refused")).
		WantStatus(http.StatusUnprocessableEntity).WantSelectors(`[data-testid="error-alert"]`).Contains("does not cover")
	if refused.Header.Get("HX-Retarget") != "#flash" {
		t.Fatalf("refusal not in the flash area: %v", refused.Header)
	}
	c.HTMX(http.MethodPost, w.holderPath("/cards/funds/withdraw"), url.Values{"cardId": {itoa(w.card.ID)}, "amount": {"1000"}},
		idempotencyKey("k-refused")).
		WantStatus(http.StatusUnprocessableEntity).Contains("does not cover")

	// Transfer through the console, then both balances are on the refreshed summary.
	c.HTMX(http.MethodPost, w.holderPath("/cards/transfers"), url.Values{"fromCardId": {itoa(w.card.ID)},
		"toCardId": {itoa(w.second.ID)}, "amount": {"9"}},
		idempotencyKey("k-transfer")).WantStatus(200).Contains("Transferred Q 9.00", "now Q 30.00", "now Q 9.00")
	c.Get(w.cardPath(w.card.ID, ""), true).Contains(`data-testid="card-balance">Q 30.00`, `data-testid="holder-card-balance-`+itoa(w.second.ID)+`">Q 9.00`)
	c.Get(w.cardPath(w.card.ID, "/funds"), true).WantStatus(200).WantSelectors(`[data-testid="load-form"]`).Lacks("<html")
	c.Get(w.cardPath(w.card.ID, "/funds"), false).WantStatus(200).WantSelectors(`[data-testid="transfer-form"]`).Contains("<html")
	if d := w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/funds"), nil).WantStatus(200).Data(); d["balance"] != 30.0 {
		t.Fatalf("forms JSON: %v", d)
	}
	ledgerConsistent(t, w.env.Store)
}

func TestConsoleOTPDialogAndMovementViews(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "100")
	guarded := w.env.Operator("guarded@example.com", true, apptest.Grant{Partner: w.partner, Roles: []string{"maker"},
		Permissions: []string{"cards-admin:otp"}})
	c := w.env.Console()
	c.Login("guarded@example.com", apptest.Password)
	c.Get(w.cardPath(w.card.ID, "/funds/review?operation=add&amount=5"), true).WantStatus(200).
		WantSelectors(`[data-testid="otp-dialog"]`, `[data-testid="funds-confirm"]`).
		Contains(`form="funds-confirm-form"`)
	form := url.Values{"cardId": {itoa(w.card.ID)}, "amount": {"5"}}
	c.HTMX(http.MethodPost, w.holderPath("/cards/funds/add"), form,
		idempotencyKey("otp-k")).WantStatus(http.StatusForbidden).Contains("one-time code")
	form.Set("otp", guarded.OTP())
	c.HTMX(http.MethodPost, w.holderPath("/cards/funds/add"), form, idempotencyKey("otp-k")).WantStatus(200).
		WantSelectors(`[data-testid="funds-result"]`)
	w.wantBalance(w.card.ID, "5")

	movements := w.cardPath(w.card.ID, "/movements")
	c.Get(movements+"?sortBy=amount&sortOrder=asc", true).WantStatus(200).
		WantSelectors(`[id="movements"]`, `[data-testid="movement-row"]`).
		Contains(`data-testid="movement-balance">5.00<`, "sort-amount").
		Lacks("<html")
	c.Get(movements, false).WantStatus(200).
		WantSelectors(`[data-testid="card-balance"]`, `[data-testid="movement-row"]`).
		Contains("<html")
	c.Get(movements+"?from=2000-01-01&to=2000-01-31", true).WantStatus(200).
		WantSelectors(`[data-testid="empty-state"]`).
		Contains("No movements in this period.")
	c.Get(movements+"?from=2026-02-01&to=2026-01-01", true).WantStatus(http.StatusUnprocessableEntity).
		WantSelectors(`[data-testid="error-to"]`).
		Lacks("<html")
	c.Get(movements+"?from=someday", false).WantStatus(http.StatusUnprocessableEntity).
		WantSelectors(`[data-testid="error-from"]`, `[data-testid="card-balance"]`).
		Contains("<html")
	id := w.maker.Do(http.MethodGet, movements, nil).Data()["items"].([]any)[0].(map[string]any)["id"].(float64)
	detail := w.cardPath(w.card.ID, "/movements/"+itoa(int64(id)))
	c.Get(detail, true).WantStatus(200).
		WantSelectors(`[data-testid="movement-detail"]`).
		Contains(`data-testid="detail-balance">Q 5.00<`, "guarded@example.com").
		Lacks("<html")
	c.Get(detail, false).WantStatus(200).WantSelectors(`[data-testid="movement-detail"]`).Contains("<html", "Back to the card")
}

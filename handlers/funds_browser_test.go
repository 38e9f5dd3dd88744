package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cardconsole/internal/apptest"
)

// waitText waits until the element with the test id shows text containing want.
func waitText(testID, want string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`(() => { const e = document.querySelector('[data-testid="` + testID + `"]');
		return !!e && e.textContent.includes(` + "`" + want + "`" + `); })()`)
}

// waitCount waits until exactly n elements carry the test id.
func waitCount(testID string, n int) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`document.querySelectorAll('[data-testid="` + testID + `"]').length === ` + itoa(int64(n)))
}

// runSteps runs browser steps one by one, each within its own time limit, and on a failure shows
// which step failed and what the page held.
func runSteps(t *testing.T, ctx context.Context, phase string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for i, step := range steps {
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := chromedp.Do(sctx, step)
		cancel()
		if err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s, step %d: %v\npage: %s", phase, i+1, err, html)
		}
	}
}

func TestBrowserLoadThenTransferToTheSecondCard(t *testing.T) {
	w := newFundsWorld(t, "500")
	ctx := apptest.Browser(t)
	id := apptest.TestID
	page := w.env.Server.URL + w.cardPath(w.card.ID, "")

	// Load 120 onto the first card: review, confirm, and the balance and movements update in place.
	runSteps(t, ctx, "load",
		w.env.LoginActions("maker@example.com"),
		chromedp.Navigate(page),
		chromedp.WaitVisible(id("load-form")),
		waitText("card-balance", "0.00"),
		chromedp.SendKeys(id("load-amount"), "120"),
		chromedp.SendKeys(id("load-note"), "Allowance"),
		chromedp.Click(id("load-review")),
		chromedp.WaitVisible(id("funds-review")),
		waitText("review-card-after", "120.00"),
		waitText("review-partner-after", "380.00"),
		chromedp.Click(id("funds-confirm")),
		chromedp.WaitVisible(id("funds-result")),
		waitText("funds-result", "Loaded Q 120.00"),
		waitText("card-balance", "120.00"),
		waitText("partner-available", "380.00"),
		waitCount("movement-row", 1),
		waitText("movement-balance", "120.00"),
	)

	// Transfer 45.50 to the cardholder's second card: both balances and the movements follow.
	runSteps(t, ctx, "transfer",
		chromedp.SetValue(id("transfer-to"), itoa(w.second.ID)),
		chromedp.SendKeys(id("transfer-amount"), "45.50"),
		chromedp.SendKeys(id("transfer-note"), "For the trip"),
		chromedp.Click(id("transfer-review")),
		chromedp.WaitVisible(id("funds-review")),
		waitText("review-card-after", "74.50"),
		waitText("review-to-after", "45.50"),
		chromedp.Click(id("funds-confirm")),
		chromedp.WaitVisible(id("funds-result")),
		waitText("funds-result", "Transferred Q 45.50"),
		waitText("card-balance", "74.50"),
		waitText("holder-card-balance-"+itoa(w.second.ID), "45.50"),
		waitCount("movement-row", 2),
		waitText("movement-type", "Transfer out"),
	)
	rows, err := chromedp.Run(ctx, chromedp.Text(id("movements-rows")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"−45.50", "74.50", "+120.00", "120.00", "For the trip", "maker@example.com"} {
		if !strings.Contains(rows, want) {
			t.Errorf("movements table lacks %q:\n%s", want, rows)
		}
	}

	// The newest movement's detail, then the second card's own page.
	runSteps(t, ctx, "detail and second card",
		chromedp.Click(id("movement-detail-link")),
		chromedp.WaitVisible(id("movement-detail")),
		waitText("movement-detail", "Transfer out"),
		waitText("detail-balance", "Q 74.50"),
		chromedp.Navigate(w.env.Server.URL+w.cardPath(w.second.ID, "")),
		waitText("card-balance", "45.50"),
		waitCount("movement-row", 1),
		waitText("movement-type", "Transfer in"),
	)
	w.wantBalance(w.card.ID, "74.5")
	w.wantBalance(w.second.ID, "45.5")
	w.wantPartnerBalance("380")
	ledgerConsistent(t, w.env.Store)
}

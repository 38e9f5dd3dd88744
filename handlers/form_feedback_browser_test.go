package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
)

// holdRequests makes the tab's requests whose address matches pattern wait until the test lets
// them go, and sends each held request's id on the channel it returns: a slow server, on demand.
func holdRequests(t *testing.T, ctx context.Context, pattern string) <-chan fetch.RequestID {
	t.Helper()
	held := make(chan fetch.RequestID, 4)
	events := chromedp.Events(ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			held <- ev.RequestID
		}
	}()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern}}}); err != nil {
		t.Fatalf("hold requests: %v", err)
	}
	return held
}

// A slow submit shows that it is under way: while the server has not answered, the form's button
// is disabled and marked busy (with its spinner); the answer frees it.
func TestBrowserASlowSubmitShowsItIsInProgress(t *testing.T) {
	w := newFundsWorld(t, "1000")
	tab := apptest.Browser(t)
	review := `document.querySelector('[data-testid="load-review"]')`
	if err := chromedp.Do(tab, w.env.LoginActions("maker@example.com"),
		chromedp.Navigate(w.env.Server.URL+w.cardPath(w.card.ID, "")),
		chromedp.WaitVisible(apptest.TestID("load-form")), chReady()); err != nil {
		t.Fatalf("open the card: %v", err)
	}
	held := holdRequests(t, tab, "*/funds/review*")
	waitTrue(t, tab, "the button is free before the submit", `!`+review+`.disabled && !`+review+`.hasAttribute('aria-busy')`)
	if err := chromedp.Do(tab, chromedp.SendKeys(apptest.TestID("load-amount"), "12,500.00"),
		chromedp.Click(apptest.TestID("load-review"))); err != nil {
		t.Fatalf("submit: %v", err)
	}
	var id fetch.RequestID
	select {
	case id = <-held:
	case <-time.After(20 * time.Second):
		t.Fatal("the review request was never sent")
	}
	// The server has not answered yet.
	waitTrue(t, tab, "the button is disabled and busy while the request is out",
		review+`.disabled && `+review+`.getAttribute('aria-busy') === 'true' &&
		getComputedStyle(`+review+`, '::before').animationName === 'busy-spin' &&
		`+review+`.closest('form').classList.contains('htmx-request')`)
	if _, err := chromedp.Call(tab, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id}); err != nil {
		t.Fatalf("let the request go: %v", err)
	}
	// The answer (a refusal: the partner holds less) replaces the form; Back brings a free one.
	waitTrue(t, tab, "the review arrives", `!!document.querySelector('[data-testid="review-problem"]')`)
	if _, err := chromedp.Call(tab, fetch.Disable, struct{}{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Click(apptest.TestID("review-back")), chromedp.WaitVisible(apptest.TestID("load-form"))); err != nil {
		t.Fatalf("back: %v", err)
	}
	waitTrue(t, tab, "the new form's button is free", `!`+review+`.disabled && !`+review+`.hasAttribute('aria-busy')`)
}

// A wrong one-time code on the bulk card form is refused in an alert and frees the button; the
// correct code then goes through, is cleared from the field (a code is used once) and takes the
// wrong-code alert away.
func TestBrowserBulkCodeIsClearedAndTheWrongCodeAlertGoes(t *testing.T) {
	env := apptest.New(t, handlers.Routes)
	p := env.Partner("Quetzal", "GTQ")
	h := storetest.Cardholder(t, env.Store, p)
	card := storetest.ActiveCard(t, env.Store, p, h)
	op := env.Operator("admin@example.com", true, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	tab := apptest.Browser(t)
	chAcceptConfirms(tab)
	otp := `document.querySelector('[data-testid="bulk-otp"]')`
	block := `document.querySelector('[data-testid="bulk-block"]')`
	alert := `document.querySelector('#flash [data-testid="error-alert"]')`
	wrong := "000000"
	if op.CurrentOTP() == wrong {
		wrong = "111111"
	}
	if err := chromedp.Do(tab, env.LoginActions(op.Email),
		chromedp.Navigate(env.Server.URL+partnerPath(p, "/cards")),
		chReady(),
		chromedp.Click(apptest.TestID("select-card-"+itoa(card.ID))),
		chromedp.SendKeys(apptest.TestID("bulk-otp"), wrong),
		chromedp.Click(apptest.TestID("bulk-block"))); err != nil {
		t.Fatalf("block with a wrong code: %v", err)
	}
	waitTrue(t, tab, "the wrong code is refused in an alert", alert+` !== null`)
	waitTrue(t, tab, "the button is free again", `!`+block+`.disabled && !`+block+`.hasAttribute('aria-busy')`)

	if err := chromedp.Do(tab,
		chromedp.Evaluate[chromedp.Void](otp+`.value = ''`),
		chromedp.SendKeys(apptest.TestID("bulk-otp"), op.OTP()),
		chClickSettled(apptest.TestID("bulk-block")),
		chWaitText(apptest.TestID("bulk-results"), "now blocked")); err != nil {
		t.Fatalf("block with the right code: %v", err)
	}
	waitTrue(t, tab, "the used code is cleared", otp+`.value === ''`)
	waitTrue(t, tab, "the wrong-code alert is gone", alert+` === null`)
	var status string
	if err := env.Store.DB().Get(&status, `SELECT status FROM cards WHERE id = $1`, card.ID); err != nil || status != "BLOCKED" {
		t.Fatalf("card is %s (%v), want BLOCKED", status, err)
	}
}

package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

// chAcceptConfirms answers yes to every confirmation the page asks (hx-confirm), as the operator would.
func chAcceptConfirms(ctx context.Context) {
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			if _, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}); err != nil {
				return
			}
		}
	}()
}

// chWaitText waits until the element's text contains want.
func chWaitText(sel chromedp.CSS, want string) chromedp.Action[chromedp.Void] {
	return chPoll(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.textContent.includes(%q); })()`, string(sel), want))
}

// chReady waits until the page has loaded and HTMX has taken over its forms (clicking earlier would
// submit them natively), and counts HTMX swaps from then on for chClickSettled.
func chReady() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chPoll(`document.readyState === 'complete' && !!window.htmx`),
		chromedp.Evaluate[chromedp.Void](`if (!window.chSettled) { window.chSettled = 1;
			document.body.addEventListener('htmx:afterSettle', () => window.chSettled++); }`),
	)
}

// chClickSettled clicks and waits until HTMX has swapped and processed the answer, so the next
// click finds the new content live.
func chClickSettled(sel chromedp.CSS) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`window.chBefore = window.chSettled`),
		chromedp.Click(sel),
		chPoll(`window.chSettled > window.chBefore`),
	)
}

// chWaitStatus waits until a status badge reads exactly status (inactive contains active).
func chWaitStatus(cardID int64, status string) chromedp.Action[chromedp.Void] {
	return chPoll(fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid="card-status-%d"]'); return !!e && e.textContent.trim() === %q; })()`, cardID, status))
}

// chPoll waits until the JavaScript expression is true.
func chPoll(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))(ctx, t)
		return err
	})
}

func TestBrowserCardholderJourney(t *testing.T) {
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal Pay", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("admin@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	stock := chStock(t, env, p, 2)
	chCreate(t, env, p, chPerson("Otro", "Cliente", "otro.cliente@example.com", "50233330000", "DPI", "1111111111111"))
	ctx := apptest.Browser(t)
	chAcceptConfirms(ctx)
	base := env.Server.URL + "/cms/rest/app/partners/" + itoa(p)
	card := stock[0]

	// The form, first with a wrong email and a birth date in the future.
	err := chromedp.Do(ctx,
		env.LoginActions("admin@example.com"),
		// The partner page links to the list, the list to the form.
		chromedp.Navigate(base),
		chPoll(fmt.Sprintf(`document.querySelector('[data-testid="link-cardholders"]').getAttribute('href') === %q`, "/cms/rest/app/partners/"+itoa(p)+"/cardholders")),
		chromedp.Navigate(base+"/cardholders"),
		chPoll(fmt.Sprintf(`document.querySelector('[data-testid="new-cardholder"]').getAttribute('href') === %q`, "/cms/rest/app/partners/"+itoa(p)+"/cardholders/new")),
		chromedp.Navigate(base+"/cardholders/new"),
		chromedp.WaitVisible(apptest.TestID("cardholder-form")),
		chReady(),
		chromedp.SendKeys(apptest.TestID("field-name"), "María José"),
		chromedp.SendKeys(apptest.TestID("field-lastName"), "Ramírez"),
		chromedp.SendKeys(apptest.TestID("field-address"), "6a. Avenida 12-34, Zona 1"),
		chromedp.SetValue(apptest.TestID("field-countryOfBirth"), "GT"),
		chromedp.SetValue(apptest.TestID("field-dateOfBirth"), "2999-05-12"),
		chromedp.SetValue(apptest.TestID("field-maritalStatus"), "soltero"),
		chromedp.SetValue(apptest.TestID("field-gender"), "F"),
		chromedp.SendKeys(apptest.TestID("field-phoneNumber"), "50255551234"),
		chromedp.SendKeys(apptest.TestID("field-email"), "maria.browser@"),
		chromedp.SetValue(apptest.TestID("field-documentType"), "DPI"),
		chromedp.SendKeys(apptest.TestID("field-documentNumber"), "2345678901234"),
		chromedp.SetValue(apptest.TestID("field-cardId"), itoa(card)),
		chClickSettled(apptest.TestID("cardholder-submit")),
		chromedp.WaitVisible(apptest.TestID("error-email")),
		chromedp.WaitVisible(apptest.TestID("error-dateOfBirth")),
	)
	if err != nil {
		t.Fatalf("first try: %v", err)
	}
	// What was typed is still there; correct the two fields.
	if v, err := chromedp.Run(ctx, chromedp.Value(apptest.TestID("field-name"))); err != nil || v != "María José" {
		t.Fatalf("the form lost the name: %q %v", v, err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(apptest.TestID("field-email"), "maria.browser@example.com"),
		chromedp.SetValue(apptest.TestID("field-dateOfBirth"), "1990-05-12"),
		chromedp.Click(apptest.TestID("cardholder-submit")),
		chromedp.WaitVisible(apptest.TestID("cardholder-title")),
		chWaitText(apptest.TestID("cardholder-title"), "María José Ramírez"),
		chWaitText(apptest.TestID("flash-success"), "created"),
		chReady(),
	)
	if err != nil {
		t.Fatalf("corrected form: %v", err)
	}

	// Find her by a fragment of her email, typed into the search.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/cardholders"),
		chromedp.WaitVisible(apptest.TestID("cardholder-search")),
		chReady(),
		chPoll(`document.querySelectorAll('[data-testid="cardholder-row"]').length === 2`),
	)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(apptest.TestID("cardholder-search"), "BROWSER@exa"),
		chPoll(`document.querySelectorAll('[data-testid="cardholder-row"]').length === 1 &&
			document.querySelector('[data-testid="cardholder-email"]').textContent === 'maria.browser@example.com'`),
		chromedp.Click(chromedp.CSS(`[data-testid^="cardholder-open-"]`)),
		chromedp.WaitVisible(apptest.TestID("cards-panel")),
		chReady(),
		chWaitStatus(card, "inactive"),
	)
	if err != nil {
		t.Fatalf("search: %v", err)
	}

	// Activate the card, then block it; each asks for confirmation first.
	err = chromedp.Do(ctx,
		chClickSettled(apptest.TestID("card-activate-"+itoa(card))),
		chWaitStatus(card, "active"),
		chromedp.WaitVisible(apptest.TestID("card-block-"+itoa(card))),
		chClickSettled(apptest.TestID("card-block-"+itoa(card))),
		chWaitStatus(card, "blocked"),
		chromedp.WaitVisible(apptest.TestID("card-unblock-"+itoa(card))),
	)
	if err != nil {
		t.Fatalf("lifecycle: %v", err)
	}

	// Link a third-party card.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(apptest.TestID("field-email"), "mama@example.com"),
		chromedp.SendKeys(apptest.TestID("field-suffix"), "4321"),
		chromedp.SendKeys(apptest.TestID("field-alias"), "Débito de mamá"),
		chClickSettled(apptest.TestID("associate-submit")),
		chWaitText(apptest.TestID("third-party-notice"), "Linked Débito de mamá (************4321)"),
		chWaitText(apptest.TestID("third-party-panel"), "mama@example.com"),
	)
	if err != nil {
		t.Fatalf("associate: %v", err)
	}

	c, err := env.Store.CardByID(context.Background(), p, card)
	if err != nil || c.Status != store.CardBlocked || c.CardholderID == nil {
		t.Fatalf("card afterwards: %+v %v", c, err)
	}
	linked, err := env.Store.ThirdPartyCards(context.Background(), p, *c.CardholderID)
	if err != nil || len(linked) != 1 || linked[0].Suffix != "4321" {
		t.Fatalf("linked cards: %+v %v", linked, err)
	}
}

func TestBrowserAddSecondCard(t *testing.T) {
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal Pay", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("maker@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	holder := chCreate(t, env, p, chPerson("José Luis", "Gómez", "jl.gomez@example.com", "50244442211", "DPI", "1987654320101"))
	first := chFirstCard(t, env, p, holder)
	second := chStock(t, env, p, 1)[0]
	ctx := apptest.Browser(t)
	chAcceptConfirms(ctx)

	err := chromedp.Do(ctx,
		env.LoginActions("maker@example.com"),
		chromedp.Navigate(env.Server.URL+fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d", p, holder)),
		chromedp.WaitVisible(apptest.TestID("card-row-"+itoa(first))),
		chReady(),
		chromedp.SetValue(apptest.TestID("add-card-select"), itoa(second)),
		chClickSettled(apptest.TestID("add-card-submit")),
		chromedp.WaitVisible(apptest.TestID("card-row-"+itoa(second))),
		chWaitStatus(second, "inactive"),
		chClickSettled(apptest.TestID("card-activate-"+itoa(second))),
		chWaitStatus(second, "active"),
		chromedp.WaitVisible(apptest.TestID("card-open-"+itoa(second))),
	)
	if err != nil {
		t.Fatalf("add and activate: %v", err)
	}
	cards, err := env.Store.OwnedCards(context.Background(), p, holder)
	if err != nil || len(cards) != 2 || cards[1].ID != second || cards[1].Status != store.CardActive || cards[0].Status != store.CardInactive {
		t.Fatalf("cards afterwards: %+v %v", cards, err)
	}
}

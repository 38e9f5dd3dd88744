package handlers_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
)

// walkSpanishCardScreens walks, as an admin of the Guatemalan partner p in Spanish, the cardholder
// page (personal data, cards, linked cards and the link form's errors), a cardholder without
// cards, the card page (balances, funds forms with an error, the review and the outcome, the card
// history, the movements with a reversed one, the statement panel, a movement's detail with the
// reversal form, a filter error), the reversal queue with a request to decide, and the partner's
// cards (the table, an empty filter, the issue form's error and the cards just issued). None may
// show an English UI word. Each group of screens runs in a browser of its own, within a browser's
// time limit.
func walkSpanishCardScreens(t *testing.T, env *apptest.Env, p int64, maker *apptest.Operator) {
	t.Helper()
	env.Operator("tarjetas@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	holder := storetest.Cardholder(t, env.Store, p)
	card := storetest.ActiveCard(t, env.Store, p, holder)
	second := storetest.ActiveCard(t, env.Store, p, holder)
	empty := storetest.Cardholder(t, env.Store, p)
	chStock(t, env, p, 1)
	holderPath := partnerPath(p, "/cardholders/"+itoa(holder))
	cardPath := holderPath + "/cards/" + itoa(card.ID)

	loadMovement := func(amount string) int64 {
		res := maker.Do(http.MethodPost, holderPath+"/cards/funds/add", map[string]any{"cardId": card.ID, "amount": amount, "observations": "carga"})
		res.WantStatus(http.StatusOK)
		return int64(res.Data()["movements"].([]any)[0].(map[string]any)["id"].(float64))
	}
	first, mistaken := loadMovement("1500"), loadMovement("40")
	maker.Do(http.MethodPost, holderPath+"/cards/transfers", map[string]any{"fromCardId": card.ID, "toCardId": second.ID, "amount": "250"}).
		WantStatus(http.StatusOK)
	maker.Do(http.MethodPatch, holderPath+"/cards/"+itoa(second.ID)+"/block", map[string]any{}).WantStatus(http.StatusOK)
	maker.Do(http.MethodPost, holderPath+"/cards/association", map[string]any{"email": "mama@example.com", "suffix": "4321", "alias": "Débito de mamá"}).
		WantStatus(http.StatusCreated)
	// One reversal approved (the card shows the movement reversed) and one waiting in the queue.
	checker := env.Operator("revisor@example.com", false, apptest.Grant{Partner: p, Roles: []string{"checker"}}).Login()
	approver := env.Operator("aprobador@example.com", false, apptest.Grant{Partner: p, Roles: []string{"checker"}}).Login()
	revert := func(movement int64) int64 {
		res := checker.Do(http.MethodPost, cardPath+"/movements/"+itoa(movement)+"/revert", map[string]any{"reason": "cargada dos veces"})
		res.WantStatus(http.StatusCreated)
		return int64(res.Data()["id"].(float64))
	}
	approver.Do(http.MethodPatch, partnerPath(p, "/reversals/"+itoa(revert(mistaken))+"/approve"), map[string]any{}).WantStatus(http.StatusOK)
	revert(first)
	id := apptest.TestID
	ctx := spanishSignIn(t, env, "tarjetas@example.com")
	runSteps(t, ctx, "cardholder page",
		chromedp.Navigate(env.Server.URL+holderPath),
		chromedp.WaitVisible(id("personal-fields")),
		waitText("pd-marital", "soltero"),
		waitText("pd-country", "Guatemala"),
		waitText("card-status-"+itoa(second.ID), "bloqueada"),
		waitText("third-party-panel", "Débito de mamá"),
		chromedp.WaitVisible(id("add-card-form")),
	)
	wantNoEnglish(t, ctx, "the cardholder page")
	runSteps(t, ctx, "link form errors",
		chromedp.Click(id("associate-submit")),
		chromedp.WaitVisible(id("error-suffix")),
		waitText("error-suffix", "dígitos"),
	)
	wantNoEnglish(t, ctx, "the link form with its errors")
	runSteps(t, ctx, "cardholder without cards",
		chromedp.Navigate(env.Server.URL+partnerPath(p, "/cardholders/"+itoa(empty))),
		chromedp.WaitVisible(id("cards-panel")),
		waitText("cards-panel", "aún no tiene tarjetas"),
	)
	wantNoEnglish(t, ctx, "a cardholder without cards")

	ctx = spanishSignIn(t, env, "tarjetas@example.com")
	runSteps(t, ctx, "card page",
		chromedp.Navigate(env.Server.URL+cardPath),
		chromedp.WaitVisible(id("load-form")),
		chromedp.WaitVisible(id("card-history")),
		chromedp.WaitVisible(id("replace-form")),
		chromedp.WaitVisible(id("movement-reversed")),
		waitText("card-balance", "Q 1,250.00"),
		waitText("movements-rows", "Transferencia enviada"),
		waitText("zone-note", "hora de Guatemala"),
	)
	wantNoEnglish(t, ctx, "the card page")
	runSteps(t, ctx, "load with an amount typed the wrong way",
		chromedp.SendKeys(id("load-amount"), "12.500,00"),
		chromedp.Click(id("load-review")),
		waitText("error-amount", "12,500.00"),
	)
	wantNoEnglish(t, ctx, "the load form with its error")
	runSteps(t, ctx, "review a load",
		chromedp.Navigate(env.Server.URL+cardPath),
		chromedp.WaitVisible(id("load-form")),
		chromedp.SendKeys(id("load-amount"), "10"),
		chromedp.Click(id("load-review")),
		chromedp.WaitVisible(id("funds-review")),
		waitText("review-amount", "Q 10.00"),
	)
	wantNoEnglish(t, ctx, "the review of a load")
	runSteps(t, ctx, "load applied",
		chromedp.Click(id("funds-confirm")),
		chromedp.WaitVisible(id("funds-result")),
		waitText("funds-result", "Se cargaron Q 10.00"),
	)
	wantNoEnglish(t, ctx, "the outcome of a load")
	ctx = spanishSignIn(t, env, "tarjetas@example.com")
	runSteps(t, ctx, "statement panel",
		chromedp.Navigate(env.Server.URL+cardPath),
		chromedp.WaitVisible(id("statement-panel")),
		chromedp.Click(id("statement-preset-this-month")),
		chromedp.WaitVisible(id("statement-totals")),
	)
	wantNoEnglish(t, ctx, "the statement panel with its totals")
	runSteps(t, ctx, "movement detail",
		chromedp.Click(id("movement-detail-link")),
		chromedp.WaitVisible(id("movement-detail")),
	)
	wantNoEnglish(t, ctx, "a movement's detail")
	runSteps(t, ctx, "movements filter error",
		chromedp.Navigate(env.Server.URL+cardPath+"/movements?from=algún-día"),
		chromedp.WaitVisible(id("error-from")),
		waitText("error-from", "desde"),
	)
	wantNoEnglish(t, ctx, "the movements filter with its error")
	runSteps(t, ctx, "movement page",
		chromedp.Navigate(env.Server.URL+cardPath+"/movements/"+itoa(first)),
		chromedp.WaitVisible(id("reversal-form")),
	)
	wantNoEnglish(t, ctx, "a movement's page with the reversal form")

	ctx = spanishSignIn(t, env, "tarjetas@example.com")
	runSteps(t, ctx, "reversal queue",
		chromedp.Navigate(env.Server.URL+partnerPath(p, "/reversals")),
		chromedp.WaitVisible(id("reversal-approve")),
		waitText("reversal-row", "Q 1,500.00"),
		waitText("reversal-row", "carga del movimiento"),
	)
	wantNoEnglish(t, ctx, "the reversal queue")

	ctx = spanishSignIn(t, env, "tarjetas@example.com")
	runSteps(t, ctx, "partner's cards",
		chromedp.Navigate(env.Server.URL+partnerPath(p, "/cards")),
		chromedp.WaitVisible(id("card-rows")),
		waitText("partner-card-"+itoa(card.ID), "Ana Pérez"),
		waitText("partner-card-"+itoa(card.ID), "Q 1,260.00"),
	)
	wantNoEnglish(t, ctx, "the partner's cards")
	runSteps(t, ctx, "issue form error",
		chromedp.Click(id("issue-cards-submit")),
		chromedp.WaitVisible(id("error-count")),
	)
	wantNoEnglish(t, ctx, "the issue form with its error")
	runSteps(t, ctx, "cards issued",
		chromedp.Navigate(env.Server.URL+partnerPath(p, "/cards")),
		chromedp.WaitVisible(id("card-rows")),
		chromedp.SendKeys(id("field-count"), "2"),
		chromedp.Click(id("issue-cards-submit")),
		chromedp.WaitVisible(id("issued-notice")),
		waitText("issued-notice", "Se emitieron 2 tarjetas inactivas"),
	)
	wantNoEnglish(t, ctx, "the cards just issued")
	runSteps(t, ctx, "no canceled cards",
		chromedp.Navigate(env.Server.URL+partnerPath(p, "/cards?status=CANCELED")),
		chromedp.WaitVisible(id("cards-status-filter")),
		waitText("empty-state", "dada de baja"),
	)
	wantNoEnglish(t, ctx, "the partner's cards filtered to none")
}

// spanishSignIn opens a Spanish browser signed in as the operator. A sign-in that a busy machine
// interrupts (the page changing under a click) is tried again in a fresh browser.
func spanishSignIn(t *testing.T, env *apptest.Env, email string) context.Context {
	t.Helper()
	for try := 1; ; try++ {
		ctx := spanishBrowser(t)
		sctx, cancel := context.WithTimeout(ctx, 45*time.Second)
		err := chromedp.Do(sctx, env.LoginActions(email))
		cancel()
		if err == nil {
			return ctx
		}
		if try == 3 {
			t.Fatalf("sign in as %s: %v", email, err)
		}
	}
}

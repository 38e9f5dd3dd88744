package handlers_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"cardconsole/internal/apptest"
)

func TestBrowserReplaceALostCardAndSeeTheBalanceOnTheNewOne(t *testing.T) {
	w := newFundsWorld(t, "500")
	res := w.maker.Do("POST", w.holderPath("/cards/funds/add"), map[string]any{"cardId": w.card.ID, "amount": "80.25"})
	res.WantStatus(200)
	stock := chStock(t, w.env, w.partner, 1)[0]
	ctx := apptest.Browser(t)
	acceptDialogs(ctx)
	id := apptest.TestID
	runSteps(t, ctx, "replace",
		w.env.LoginActions("maker@example.com"),
		chromedp.Navigate(w.env.Server.URL+w.cardPath(w.card.ID, "")),
		chromedp.WaitVisible(id("replace-form")),
		waitText("card-balance", "80.25"),
		chromedp.SetValue(id("replace-reason"), "LOST"),
		chromedp.Click(id("replace-submit")),
		// The console opens the new card, which holds the whole balance.
		chromedp.WaitVisible(id("flash-success")),
		chromedp.Poll[chromedp.Void](`location.pathname.endsWith('/cards/`+itoa(stock)+`')`),
		waitText("card-balance", "80.25"),
		waitText("card-status", "active"),
		waitText("holder-card-balance-"+itoa(w.card.ID), "canceled"),
		waitText("flash-success", "Q 80.25 moved"),
	)
	w.wantBalance(stock, "80.25")
	w.wantBalance(w.card.ID, "0")
}

func TestBrowserReversalRequestedByOneApprovedByAnother(t *testing.T) {
	w := newFundsWorld(t, "500")
	res := w.maker.Do("POST", w.holderPath("/cards/funds/add"), map[string]any{"cardId": w.card.ID, "amount": "60"})
	res.WantStatus(200)
	w.env.Operator("ana@example.com", false, apptest.Grant{Partner: w.partner, Roles: []string{"checker"}})
	w.env.Operator("beto@example.com", false, apptest.Grant{Partner: w.partner, Roles: []string{"checker"}})
	browser := apptest.Browser(t)
	a, b := apptest.NewTab(t, browser), apptest.NewTab(t, browser)
	acceptDialogs(b)
	id := apptest.TestID

	// B watches the queue; a marker on window shows later that the page was not reloaded.
	runSteps(t, b, "B opens the queue",
		w.env.LoginActions("beto@example.com"),
		chromedp.Navigate(w.env.Server.URL+"/cms/rest/app/partners/"+itoa(w.partner)+"/reversals"),
		chromedp.WaitVisible(id("reversal-queue")),
		chromedp.WaitVisible(id("live-open")),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`),
		waitCount("reversal-row", 0),
	)
	// A asks for the reversal of the load from the movement's detail.
	runSteps(t, a, "A requests",
		w.env.LoginActions("ana@example.com"),
		chromedp.Navigate(w.env.Server.URL+w.cardPath(w.card.ID, "")),
		chromedp.WaitVisible(id("movement-detail-link")),
		chromedp.Click(id("movement-detail-link")),
		chromedp.WaitVisible(id("reversal-form")),
		chromedp.SendKeys(id("reversal-reason"), "Loaded by mistake"),
		chromedp.Click(id("reversal-submit")),
		chromedp.WaitVisible(id("reversal-requested")),
	)
	// It appears in B's queue at once; B approves it and the queue empties.
	runSteps(t, b, "B approves",
		waitCount("reversal-row", 1),
		waitText("reversal-row", "Loaded by mistake"),
		apptest.HTMXSettled(),
		chromedp.Click(id("reversal-approve")),
		waitCount("reversal-row", 0),
	)
	waitTrue(t, b, "B's page was not reloaded", `window.__sameDocument === true`)
	w.wantBalance(w.card.ID, "0")
	w.wantPartnerBalance("500")
	// A sees the load marked as reversed.
	runSteps(t, a, "A sees it reversed",
		chromedp.Navigate(w.env.Server.URL+w.cardPath(w.card.ID, "")),
		chromedp.WaitVisible(id("movement-reversed")),
		waitText("card-balance", "0.00"),
	)
}

func TestBrowserEditThenCloseACardholderAndSeeBothInTheActivity(t *testing.T) {
	w := newLifeWorld(t)
	w.load(w.card.ID, "40")
	ctx := apptest.Browser(t)
	id := apptest.TestID
	runSteps(t, ctx, "edit the phone",
		w.env.LoginActions(w.closer.Email),
		chromedp.Navigate(w.env.Server.URL+w.holderPath("")),
		chromedp.WaitVisible(id("personal-fields")),
		chReady(),
		chromedp.Click(id("edit-open")),
		chromedp.WaitVisible(id("edit-phoneNumber")),
		chromedp.SetValue(id("edit-phoneNumber"), "12ab"),
		chClickSettled(id("edit-submit")),
		waitText("error-phoneNumber", "8 to 15 digits"),
		chromedp.SetValue(id("edit-phoneNumber"), "50255550126"),
		chClickSettled(id("edit-submit")),
		waitText("pd-phone", "50255550126"),
		waitText("flash-success", "was saved"),
	)
	if holderPhone(t, w.env, w.partner, w.holder) != "50255550126" {
		t.Fatal("the phone was not saved")
	}
	code := w.closer.OTP()
	runSteps(t, ctx, "close with unload",
		chromedp.Click(id("close-open")),
		chromedp.WaitVisible(id("close-form")),
		waitText("close-balance-"+itoa(w.card.ID), "40.00"),
		chromedp.Click(id("close-unload")),
		chromedp.SetValue(id("close-reason"), "moving abroad"),
		chromedp.SetValue(id("close-otp"), code),
		chromedp.Click(id("close-confirm")),
		chromedp.Click(id("close-submit")),
		// The page comes back read-only.
		chromedp.WaitVisible(id("closed-notice")),
		waitText("closed-notice", "moving abroad"),
		waitText("flash-success", "was closed"),
		waitCount("close-open", 0),
		waitCount("edit-form", 0),
	)
	w.wantBalance(w.card.ID, "0")
	w.wantTotal()
	runSteps(t, ctx, "the activity",
		chromedp.Click(id("tab-activity")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="activity-row"][data-action="cardholder.close"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="activity-row"][data-action="cardholder.update"]`)),
		waitText("activity-list", "Cardholder closed"),
		waitText("activity-list", "Personal data edited"),
	)
}

// A click that lands the moment a live event has refreshed the queue (before anything else the page
// has to do) approves the reversal: the refreshed buttons work as soon as they show.
func TestBrowserReversalApprovedRightAfterTheQueueRefreshes(t *testing.T) {
	w := newLifeWorld(t)
	movement := w.load(w.card.ID, "60")
	w.fx.Member("beto", false, roleGrant(w.partner, "checker"))
	b := apptest.NewTab(t, apptest.Browser(t))
	acceptDialogs(b)
	id := apptest.TestID
	runSteps(t, b, "B opens the queue",
		w.env.LoginActions("beto@example.com"),
		chromedp.Navigate(w.env.Server.URL+w.partnerPath("/reversals")),
		chromedp.WaitVisible(id("live-open")),
		waitCount("reversal-row", 0),
		// The next task after the queue's swap clicks Approve, as a click already on its way would.
		chromedp.Evaluate[chromedp.Void](`document.addEventListener('htmx:afterSwap', (e) => {
			if (e.target.id !== 'reversal-queue') return;
			setTimeout(() => {
				const approve = document.querySelector('[data-testid="reversal-approve"]');
				if (approve && !window.__clicked) { window.__clicked = true; approve.click(); }
			}, 0);
		})`),
	)
	w.requestReversal(w.checker, w.card.ID, movement)
	runSteps(t, b, "the click approves",
		chromedp.Poll[chromedp.Void](`window.__clicked === true`),
		waitCount("reversal-row", 0),
	)
	w.wantBalance(w.card.ID, "0")
	w.wantTotal()
}

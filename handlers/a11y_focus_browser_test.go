package handlers_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"cardconsole/internal/apptest"
)

// TestBrowserFocusAfterSwapsAndSkipLink: the first Tab reaches the skip link and Enter on it puts
// focus on the page's content; a refused form comes back with focus on the field in error, marked
// invalid; a form that a swap replaces leaves focus in the region that came in its place (the funds
// review), and typing in the header search keeps focus in the box while the
// results come in. On a phone the header's menu opens from the keyboard and says it is open. A
// checker approving a top-up from the keyboard lands in the refreshed queue, not on the page's body.
func TestBrowserFocusAfterSwapsAndSkipLink(t *testing.T) {
	w := newFundsWorld(t, "50000")
	w.env.Operator("checker@example.com", false, apptest.Grant{Partner: w.partner, Roles: []string{"checker"}})
	createTopUp(t, w.env, w.maker, w.partner, "250")
	ctx := apptest.Browser(t)
	id := apptest.TestID
	focusIn := func(sel string) chromedp.Action[chromedp.Void] {
		return chPoll(`(() => { const r = document.querySelector('` + sel + `'); return !!r && r.contains(document.activeElement); })()`)
	}
	runSteps(t, ctx, "skip link",
		w.env.LoginActions("maker@example.com"),
		chromedp.Navigate(w.env.Server.URL+w.cardPath(w.card.ID, "")),
		chReady(),
		chromedp.KeyEvent(kb.Tab),
		chPoll(`document.activeElement && document.activeElement.dataset.testid === 'skip-link'`),
		chromedp.KeyEvent(kb.Enter),
		chPoll(`document.activeElement && document.activeElement.id === 'main'`),
	)
	runSteps(t, ctx, "focus moves to the field in error",
		chromedp.SendKeys(id("load-amount"), "12.500,00"),
		chromedp.Click(id("load-review")),
		chromedp.WaitVisible(id("error-amount")),
		chPoll(`document.activeElement && document.activeElement.dataset.testid === 'load-amount' &&
			document.activeElement.getAttribute('aria-invalid') === 'true'`),
	)
	runSteps(t, ctx, "focus moves into the swapped region",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="load-amount"]').value = ''`),
		chromedp.SendKeys(id("load-amount"), "10.00"),
		chromedp.Click(id("load-review")),
		chromedp.WaitVisible(id("funds-review")),
		focusIn(`#funds-action`),
		chPoll(`document.activeElement !== document.body`),
	)
	runSteps(t, ctx, "focus stays in the search box",
		chromedp.Click(id("search-input")),
		chromedp.SendKeys(id("search-input"), "Mar"),
		chromedp.WaitVisible(chromedp.CSS(`#search-results [data-search-hit], [data-testid="search-empty"]`)),
		chPoll(`document.activeElement && document.activeElement.id === 'header-search'`),
	)
	runSteps(t, ctx, "phone menu from the keyboard",
		chromedp.EmulateViewport(phoneWidth, 844),
		chPoll(`getComputedStyle(document.getElementById('main-nav')).display === 'none'`),
		chPoll(`document.querySelector('[data-testid="menu-toggle"]').getAttribute('aria-expanded') === 'false'`),
		chromedp.Focus(id("menu-toggle")),
		chromedp.KeyEvent(kb.Enter),
		chPoll(`document.querySelector('[data-testid="menu-toggle"]').getAttribute('aria-expanded') === 'true'`),
		chromedp.WaitVisible(id("logout")),
	)

	checker := apptest.NewTab(t, ctx)
	chAcceptConfirms(checker)
	runSteps(t, checker, "approve from the keyboard",
		w.env.LoginActions("checker@example.com"),
		chromedp.Navigate(w.env.Server.URL+partnerPath(w.partner, "/top-ups")),
		chReady(),
		chromedp.Focus(id("pr-approve")),
		chromedp.KeyEvent(kb.Enter),
		chPoll(`document.querySelectorAll('[data-testid="pr-row"]').length === 0`),
		focusIn(`#pr-queue`),
	)
}

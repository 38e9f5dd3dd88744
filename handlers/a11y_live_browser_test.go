package handlers_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"cardconsole/internal/apptest"
)

// TestBrowserLiveChangesAreAnnounced: a client request submitted elsewhere renames the bell ("1
// pending client request") and says so in the page's status region; a top-up created by another
// operator announces the review queue's new count on the top-ups screen. Neither moves focus.
func TestBrowserLiveChangesAreAnnounced(t *testing.T) {
	q := newQueue(t)
	tab := apptest.Browser(t)
	status := `document.getElementById('live-status').textContent`
	bellName := `document.querySelector('[data-testid="requests-bell"]').getAttribute('aria-label')`
	runSteps(t, tab, "open the queue",
		q.env.LoginActions(q.checker.Email),
		chromedp.Navigate(q.env.Server.URL+"/api/v2/applications"),
		chReady(),
		chPoll(`document.querySelector('[data-requests-bell]').getAttribute('data-live') === 'open'`),
		chromedp.Focus(apptest.TestID("search-input")),
	)
	waitTrue(t, tab, "the bell starts with none", bellName+` === "0 pending client requests"`)
	q.submit(t, q.client, "deposit", map[string]any{"cardId": q.card.ID, "amount": "120.50"})
	waitTrue(t, tab, "the bell is renamed", bellName+` === "1 pending client request"`)
	waitTrue(t, tab, "the change is announced", status+` === "1 pending client request"`)
	waitTrue(t, tab, "focus stays where it was", `document.activeElement.id === 'header-search'`)

	runSteps(t, tab, "open the top-ups",
		chromedp.Navigate(q.env.Server.URL+partnerPath(q.partner, "/top-ups")),
		chReady(),
		chPoll(`document.querySelector('[data-testid="top-ups"]').dataset.live === 'open'`),
	)
	createTopUp(t, q.env, q.submitter, q.partner, "250")
	waitTrue(t, tab, "the queue shows the top-up", `document.querySelectorAll('[data-testid="pr-row"]').length === 1`)
	waitTrue(t, tab, "the queue's count is announced", status+` === "1 waiting for review"`)
}

package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
)

// A request submitted through the API shows up in an open queue and on the bell without a reload;
// the checker audits it, approves it and sees the client's card balance change.
func TestBrowserRequestArrivesLiveAndIsApproved(t *testing.T) {
	q := newQueue(t)
	storetest.CreditPartner(t, q.env.Store, q.partner, "500")
	tab := apptest.NewTab(t, apptest.Browser(t))
	acceptDialogs(tab) // the approval asks for confirmation: it moves money
	if err := chromedp.Do(tab, q.env.LoginActions(q.checker.Email),
		chromedp.Navigate(q.env.Server.URL+"/api/v2/applications"),
		chromedp.WaitVisible(apptest.TestID("empty-state")),
		// The marker shows later that the page was never reloaded; the log explains a failure.
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true; window.__log = [];
			document.addEventListener('htmx:afterRequest', e => window.__log.push(e.detail.pathInfo.requestPath + ' ' + e.detail.xhr.status));`)); err != nil {
		t.Fatalf("open the queue: %v", err)
	}
	bell := `document.querySelector('[data-testid="bell-count"]').textContent.trim()`
	waitTrue(t, tab, "the bell starts at 0", bell+` === "0"`)

	id := q.submit(t, q.client, "deposit", map[string]any{"cardId": q.card.ID, "amount": "120.50"})
	waitTrue(t, tab, "the bell counts the new request", bell+` === "1"`)
	row := `document.querySelector('[data-testid="request-row"][data-request-id="` + itoa(id) + `"]')`
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](row+` !== null`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		log, _ := chromedp.Run(tab, chromedp.Evaluate[[]string](`window.__log`))
		t.Fatalf("the request does not appear in the queue; page log: %q", log)
	}
	waitTrue(t, tab, "without a reload", `window.__sameDocument === true`)
	text, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(`[data-request-id="`+itoa(id)+`"]`)))
	if err != nil || !strings.Contains(text, "Deposit") || !strings.Contains(text, "Q 120.50") {
		t.Fatalf("queue row = %q (%v)", text, err)
	}

	balance := `document.querySelector('[data-testid="card-balance-` + itoa(q.card.ID) + `"]').textContent.trim()`
	if err := chromedp.Do(tab, apptest.HTMXSettled(), chromedp.Click(chromedp.CSS(`[data-request-id="`+itoa(id)+`"] [data-testid="request-link"]`)),
		chromedp.WaitVisible(apptest.TestID("request-summary"))); err != nil {
		t.Fatalf("open the request: %v", err)
	}
	waitTrue(t, tab, "the card starts empty", balance+` === "Q 0.00"`)

	if err := chromedp.Do(tab, chromedp.Click(apptest.TestID("request-audit")), chromedp.WaitVisible(apptest.TestID("audit-result"))); err != nil {
		t.Fatalf("audit: %v", err)
	}
	result, err := chromedp.Run(tab, chromedp.Text(apptest.TestID("audit-result")))
	if err != nil || !strings.Contains(result, "All OK") {
		t.Fatalf("audit result = %q (%v)", result, err)
	}

	if err := chromedp.Do(tab, chromedp.SendKeys(apptest.TestID("approve-comments"), "Checked with the client"),
		chromedp.Click(apptest.TestID("request-approve"))); err != nil {
		t.Fatalf("approve: %v", err)
	}
	waitTrue(t, tab, "the card balance changes", balance+` === "Q 120.50"`)
	waitTrue(t, tab, "the request is approved",
		`document.querySelector('[data-testid="request-summary"] [data-testid="request-status"]').textContent.trim() === "Approved"`)
	waitTrue(t, tab, "the bell goes back to 0", bell+` === "0"`)
	comments, err := chromedp.Run(tab, chromedp.Text(apptest.TestID("request-comments")))
	if err != nil || !strings.Contains(comments, "Checked with the client") {
		t.Fatalf("comments = %q (%v)", comments, err)
	}
}

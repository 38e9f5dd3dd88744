package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
)

// answerDialogs answers the tab's confirmation dialogs with the given answers in turn (no once they
// run out) and sends each question asked on the channel it returns.
func answerDialogs(ctx context.Context, answers ...bool) <-chan string {
	asked := make(chan string, 16)
	events := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			accept := len(answers) > 0 && answers[0]
			if len(answers) > 0 {
				answers = answers[1:]
			}
			asked <- ev.Message
			if _, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept}); err != nil {
				return
			}
		}
	}()
	return asked
}

// nextQuestion waits for the next confirmation the page asks.
func nextQuestion(t *testing.T, asked <-chan string, what string) string {
	t.Helper()
	select {
	case q := <-asked:
		return q
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: no confirmation was asked", what)
		return ""
	}
}

// Approving a client request that moves money asks first, naming the request and the amount;
// answering no moves nothing, answering yes approves it and loads the card.
func TestBrowserApprovingAMoneyRequestAsksWithTheAmount(t *testing.T) {
	q := newQueue(t)
	storetest.CreditPartner(t, q.env.Store, q.partner, "5000")
	id := q.submit(t, q.client, "deposit", map[string]any{"cardId": q.card.ID, "amount": "1250.50"})
	tab := apptest.NewTab(t, apptest.Browser(t))
	asked := answerDialogs(tab, false, true)
	status := `document.querySelector('[data-testid="request-summary"] [data-testid="request-status"]')?.textContent.trim()`
	balance := `document.querySelector('[data-testid="card-balance-` + itoa(q.card.ID) + `"]').textContent.trim()`
	if err := chromedp.Do(tab, q.env.LoginActions(q.checker.Email),
		chromedp.Navigate(q.env.Server.URL+"/api/v2/applications/"+itoa(id)),
		chReady(),
		chromedp.Click(apptest.TestID("request-approve"))); err != nil {
		t.Fatalf("open and approve: %v", err)
	}
	question := nextQuestion(t, asked, "approve a deposit")
	for _, want := range []string{"#" + itoa(id), "Q 1,250.50"} {
		if !strings.Contains(question, want) {
			t.Fatalf("the confirmation %q does not name %q", question, want)
		}
	}

	// Answered no: nothing was sent, the request is pending and no money moved.
	var moved int
	if err := q.env.Store.DB().Get(&moved, `SELECT count(*) FROM movements WHERE card_id = $1`, q.card.ID); err != nil || moved != 0 {
		t.Fatalf("after answering no the card has %d movements (%v)", moved, err)
	}
	if got, err := chromedp.Run(tab, chromedp.Evaluate[string](status)); err != nil || got != "Pending" {
		t.Fatalf("after answering no the request is %q (%v)", got, err)
	}

	if err := chromedp.Do(tab, chromedp.Click(apptest.TestID("request-approve"))); err != nil {
		t.Fatalf("approve again: %v", err)
	}
	if again := nextQuestion(t, asked, "approve again"); again != question {
		t.Fatalf("the second confirmation %q differs from the first %q", again, question)
	}
	waitTrue(t, tab, "the request is approved", status+` === "Approved"`)
	waitTrue(t, tab, "the card is loaded", `["1,250.50 GTQ", "Q 1,250.50"].includes(`+balance+`)`)
}

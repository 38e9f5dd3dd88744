package handlers_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
)

// acceptDialogs confirms every hx-confirm dialog the tab opens.
func acceptDialogs(ctx context.Context) {
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
}

// waitTrue polls a JavaScript expression until it is true.
func waitTrue(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestBrowserTopUpGoesLiveBetweenTwoOperators(t *testing.T) {
	env := apptest.New(t, handlers.Routes)
	partner := env.Partner("Quetzal Pay", "GTQ")
	env.Operator("ana@example.com", false, apptest.Grant{Partner: partner, Roles: []string{"maker"}})
	env.Operator("beto@example.com", false, apptest.Grant{Partner: partner, Roles: []string{"checker"}})
	receipt := filepath.Join(t.TempDir(), "deposit-receipt.pdf")
	if err := os.WriteFile(receipt, pdfBytes(t, "Deposit of 2500.75 GTQ"), 0o600); err != nil {
		t.Fatal(err)
	}
	browser := apptest.Browser(t)
	a, b := apptest.NewTab(t, browser), apptest.NewTab(t, browser)
	acceptDialogs(b)
	partnerURL := env.Server.URL + partnerPath(partner, "")

	// Both open the partner page; a marker on window shows later that neither page was reloaded.
	for _, tab := range []struct {
		ctx   context.Context
		email string
	}{{a, "ana@example.com"}, {b, "beto@example.com"}} {
		if err := chromedp.Do(tab.ctx, env.LoginActions(tab.email), chromedp.Navigate(partnerURL),
			chromedp.WaitVisible(apptest.TestID("pr-queue")),
			chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`)); err != nil {
			t.Fatalf("%s opens the partner page: %v", tab.email, err)
		}
	}
	waitTrue(t, b, "B's queue starts empty", `document.querySelector('[data-testid="pr-queue"] [data-testid="empty-state"]') !== null`)
	// Both streams are open before anything happens (the section says so).
	if err := chromedp.Do(b, chromedp.WaitVisible(apptest.TestID("live-open"))); err != nil {
		t.Fatalf("B is not connected: %v", err)
	}
	if err := chromedp.Do(a, chromedp.WaitVisible(apptest.TestID("live-open"))); err != nil {
		t.Fatalf("A is not connected: %v", err)
	}

	// A uploads a PDF through the form.
	if err := chromedp.Do(a,
		chromedp.SendKeys(apptest.TestID("top-up-amount"), "2500.75"),
		chromedp.SendKeys(apptest.TestID("top-up-observations"), "Wire transfer 2026-03-01"),
		chromedp.SetUploadFiles(apptest.TestID("top-up-evidence"), []string{receipt}),
		chromedp.Click(apptest.TestID("top-up-submit")),
		chromedp.WaitVisible(apptest.TestID("flash-success")),
	); err != nil {
		t.Fatalf("A uploads: %v", err)
	}
	flash, _ := chromedp.Run(a, chromedp.Text(apptest.TestID("flash-success")))
	if !strings.Contains(flash, "Q 2,500.75 sent for review") {
		t.Errorf("A's flash: %q", flash)
	}
	waitTrue(t, a, "A sees the request as their own", `document.querySelector('[data-testid="pr-own"]') !== null`)

	// B sees it appear without reloading, with approve buttons, and previews the PDF.
	waitTrue(t, b, "B's queue shows the request", `document.querySelector('[data-testid="pr-row"] [data-testid="pr-amount"]')?.textContent.includes('2,500.75')`)
	maker, _ := chromedp.Run(b, chromedp.Text(apptest.TestID("pr-maker")))
	if maker != "ana@example.com" {
		t.Errorf("maker shown as %q", maker)
	}
	if err := chromedp.Do(b, apptest.HTMXSettled(), chromedp.Click(chromedp.CSS(`[data-testid="pr-preview"] summary`)),
		chromedp.WaitVisible(apptest.TestID("evidence-pdf"))); err != nil {
		t.Fatalf("B previews: %v", err)
	}
	served, err := chromedp.Run(b, chromedp.Evaluate[string](
		`fetch(document.querySelector('[data-testid="evidence-pdf"]').src).then(r => r.status + ' ' + r.headers.get('content-type') + ' ' + r.headers.get('content-disposition').split(';')[0])`,
		func(p *runtime.EvaluateParams) { p.AwaitPromise = new(true) }))
	if err != nil || served != "200 application/pdf inline" {
		t.Fatalf("the preview's file: %q, %v", served, err)
	}

	// B approves (confirming the dialog); both balances change without a reload.
	if err := chromedp.Do(b, apptest.HTMXSettled(), chromedp.Click(apptest.TestID("pr-approve"))); err != nil {
		t.Fatalf("B approves: %v", err)
	}
	for name, tab := range map[string]context.Context{"A": a, "B": b} {
		waitTrue(t, tab, name+" sees the new balance", `document.querySelector('[data-testid="available-balance"]').textContent.includes('2,500.75')`)
		waitTrue(t, tab, name+"'s queue empties", `document.querySelector('[data-testid="pr-queue"] [data-testid="empty-state"]') !== null`)
		waitTrue(t, tab, name+"'s history shows the approval", `[...document.querySelectorAll('[data-testid="pr-status"]')].some(e => e.textContent === 'approved')`)
		same, err := chromedp.Run(tab, chromedp.Evaluate[bool](`window.__sameDocument === true`))
		if err != nil || !same {
			t.Errorf("%s's page was reloaded", name)
		}
	}
	approved, _ := chromedp.Run(b, chromedp.Text(apptest.TestID("flash-success")))
	if !strings.Contains(approved, "approved") {
		t.Errorf("B's flash: %q", approved)
	}
}

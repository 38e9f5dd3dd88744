package handlers_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"cardconsole/store/storetest"
	"cardconsole/views"
	"cardconsole/views/pdf/pdftest"
	"cardconsole/web/webtest"
)

func TestBrowserDownloadsTheStatement(t *testing.T) {
	sc := newStatementCase(t)
	// Two movements in the middle of last month, in the partner's time zone.
	y, m, _ := sc.env.Now().In(guatemala).Date()
	at := time.Date(y, m, 1, 12, 0, 0, 0, guatemala).AddDate(0, 0, -14)
	storetest.CardMovementAt(t, sc.env.Store, sc.card, "250.5", at, "BROWSER-LOAD", "Recarga de María")
	storetest.CardMovementAt(t, sc.env.Store, sc.card, "-20", at.Add(time.Hour), "BROWSER-UNLOAD", "Retiro")
	panel := strings.TrimSuffix(sc.path(""), "/movements/") + "/statement"
	last := views.StatementPresets(sc.env.Now().In(guatemala))[1]

	ctx := webtest.Browser(t)
	id := webtest.TestID
	dir := t.TempDir()
	events := true
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events}); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx, sc.env.LoginActions(sc.op.Email),
		chromedp.Navigate(sc.env.Server.URL+panel), chromedp.WaitVisible(id("statement-panel")),
		chromedp.Click(id("statement-preset-last-month")),
		// The panel comes back for last month: its dates and its totals.
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-testid="statement-from"]').value === "`+last.From+`" &&
			document.querySelector('[data-testid="statement-to"]').value === "`+last.To+`" &&
			document.querySelector('[data-testid="statement-totals"]').textContent.includes("Credits (1)")`),
	)
	if err != nil {
		t.Fatal(err)
	}
	credits, err := chromedp.Run(ctx, chromedp.Text(id("statement-totals")))
	if err != nil || !strings.Contains(credits, "Debits (1)") || !strings.Contains(credits, "Closing balance\n230.50 GTQ") {
		t.Fatalf("panel totals %q (%v)", credits, err)
	}

	begin := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(id("statement-pdf"))); err != nil {
		t.Fatal(err)
	}
	var guid string
	for ev, err := range begin {
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ev.SuggestedFilename, "movements-"+sc.card.Last4+"-") || !strings.HasSuffix(ev.SuggestedFilename, ".pdf") {
			t.Fatalf("suggested file name %q", ev.SuggestedFilename)
		}
		guid = ev.GUID
		break
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.GUID != guid {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	doc, err := os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		t.Fatal(err)
	}
	if n := pdftest.Check(t, doc); n != 1 {
		t.Fatalf("%d pages", n)
	}
	text := pdftest.Text(t, doc)
	for _, want := range []string{"María José Ñúñez Łukasz", "BROWSER-LOAD", "BROWSER-UNLOAD", "Recarga de María", "Closing balance", "230.50 GTQ"} {
		if !strings.Contains(text, want) {
			t.Errorf("downloaded statement lacks %q:\n%s", want, text)
		}
	}
	// The page is still there: a download does not navigate away.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(id("statement-panel"))); err != nil {
		t.Fatal(err)
	}
}

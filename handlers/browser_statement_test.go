package handlers_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
	"cardconsole/views"
	"cardconsole/views/pdf/pdftest"
)

// An operator opens the card, picks last month in the Statement panel, sees the movements table and
// the totals for it, and downloads the PDF: the file opens as a PDF and lists the table's rows.
func TestBrowserDownloadsTheStatement(t *testing.T) {
	sc := newStatementCase(t)
	y, m, _ := sc.env.Now().In(guatemala).Date()
	at := time.Date(y, m, 1, 12, 0, 0, 0, guatemala).AddDate(0, 0, -14) // the middle of last month
	storetest.CardMovementAt(t, sc.env.Store, sc.card, "250.5", at, "BROWSER-LOAD", "Recarga de María")
	storetest.CardMovementAt(t, sc.env.Store, sc.card, "-20", at.Add(time.Hour), "BROWSER-UNLOAD", "Retiro")
	last := views.StatementPresets(sc.env.Now().In(guatemala))[1]
	cardPage := strings.TrimSuffix(sc.path(""), "/movements/")

	ctx := apptest.Browser(t)
	id := apptest.TestID
	dir := t.TempDir()
	events := true
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events}); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx, sc.env.LoginActions(sc.op.Email),
		chromedp.Navigate(sc.env.Server.URL+cardPage), chromedp.WaitVisible(id("statement-panel")),
		chromedp.WaitVisible(id("statement-unavailable")), // no period chosen yet
		chromedp.Click(id("statement-preset-last-month")),
		// The movements section comes back for last month: the filter, the table and the totals.
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-testid="movements-from"]').value === "`+last.From+`" &&
			document.querySelector('[data-testid="movements-to"]').value === "`+last.To+`" &&
			!!document.querySelector('[data-testid="statement-totals"]')`),
	)
	if err != nil {
		t.Fatal(err)
	}
	totals, err := chromedp.Run(ctx, chromedp.Text(id("statement-totals")))
	if err != nil || !strings.Contains(totals, "Credits (1)") || !strings.Contains(totals, "Debits (1)") || !strings.Contains(totals, "Q 230.50") {
		t.Fatalf("panel totals %q (%v)", totals, err)
	}
	table, err := chromedp.Run(ctx, chromedp.Text(id("movements-rows")))
	if err != nil || strings.Count(table, "BROWSER-") != 2 {
		t.Fatalf("movements table %q (%v)", table, err)
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
		if want := "movements-" + sc.card.Last4 + "-" + last.From + "-" + last.To + ".pdf"; ev.SuggestedFilename != want {
			t.Fatalf("suggested file name %q, want %q", ev.SuggestedFilename, want)
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
	for _, want := range []string{"María José Ñúñez Łukasz", "BROWSER-LOAD", "BROWSER-UNLOAD", "Recarga de María",
		"250.50", "20.00", "Closing balance", "Q 230.50", last.From + " to " + last.To} {
		if !strings.Contains(text, want) {
			t.Errorf("downloaded statement lacks %q:\n%s", want, text)
		}
	}
	// A download does not navigate away from the card.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(id("statement-panel"))); err != nil {
		t.Fatal(err)
	}
}

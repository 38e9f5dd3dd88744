package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"cardconsole/internal/apptest"
)

// TestBrowserBulkCardholderFileRoundTrip: a cardholder file with two bad rows goes to 100 %, the
// error file is downloaded, fixed and uploaded again, and every cardholder is in the list.
func TestBrowserBulkCardholderFileRoundTrip(t *testing.T) {
	w := newBulkWorld(t)
	chStock(t, w.env, w.partner, 6)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.env.Store.RunBulkWorker(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), 50*time.Millisecond)
	}()
	t.Cleanup(func() { stop(); <-done })

	bad1, bad2 := holderRow(2, ""), holderRow(4, "")
	bad1[8] = "maria-at-example"
	bad2[4] = "31/12/1990"
	dir := t.TempDir()
	first := filepath.Join(dir, "new-cardholders.csv")
	if err := os.WriteFile(first, csvBytes(t, ';', cardholderHeader, holderRow(1, ""), bad1, holderRow(3, ""), bad2, holderRow(5, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	tab := apptest.Browser(t)
	bulkURL := w.env.Server.URL + partnerPath(w.partner, "/bulk")
	upload := func(path string) {
		t.Helper()
		if err := chromedp.Do(tab,
			chromedp.SetUploadFiles(apptest.TestID("bulk-file"), []string{path}),
			chromedp.Click(apptest.TestID("bulk-submit")),
			chromedp.WaitVisible(apptest.TestID("otp-input")),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="otp-input"]').value = ''`),
			chromedp.SendKeys(apptest.TestID("otp-input"), w.maker.OTP()),
			chromedp.Click(apptest.TestID("otp-confirm")),
		); err != nil {
			t.Fatalf("upload %s: %v", path, err)
		}
	}
	if err := chromedp.Do(tab, w.env.LoginActions(w.maker.Email), chromedp.Navigate(bulkURL),
		chromedp.WaitVisible(apptest.TestID("bulk-form"))); err != nil {
		t.Fatalf("open the bulk page: %v", err)
	}
	upload(first)
	waitTrue(t, tab, "the bar reaches 100 %", `document.querySelector('[data-testid="bulk-bar"]')?.value === 100 &&
		document.querySelector('[data-testid="bulk-percent"]').textContent === '100' &&
		document.querySelector('[data-testid="bulk-status"]').textContent === 'completed'`)
	waitTrue(t, tab, "two rows failed and the error file is offered", `document.querySelector('[data-testid="bulk-failed"]').textContent === '2' &&
		!document.querySelector('[data-testid="bulk-errors-csv"]').closest('[data-bulk="errors"]').hidden`)
	waitTrue(t, tab, "the history shows the batch", `document.querySelectorAll('[data-testid="bulk-row"]').length === 1`)

	// The operator downloads the error file the button links to.
	errorsCSV, err := chromedp.Run(tab, chromedp.Evaluate[string](`fetch(document.querySelector('[data-testid="bulk-errors-csv"]').href).then(r => r.text())`,
		func(p *runtime.EvaluateParams) { p.AwaitPromise = new(true) }))
	if err != nil {
		t.Fatalf("download the error file: %v", err)
	}
	rows := readCSV(t, []byte(errorsCSV))
	if len(rows) != 3 {
		t.Fatalf("error file %v, want the header and two rows", rows)
	}
	rows[1][column(t, rows[0], "email")] = "maria2@example.com"
	rows[2][column(t, rows[0], "dateOfBirth")] = "1990-12-31"
	fixed := filepath.Join(dir, "fixed.csv")
	if err := os.WriteFile(fixed, csvBytes(t, ',', rows...), 0o600); err != nil {
		t.Fatal(err)
	}
	upload(fixed)
	waitTrue(t, tab, "the fixed file completes without errors", `document.querySelector('[data-testid="bulk-status"]')?.textContent === 'completed' &&
		document.querySelector('[data-testid="bulk-batch"]').dataset.batchId === '2' &&
		document.querySelector('[data-testid="bulk-failed"]').textContent === '0' &&
		document.querySelector('[data-testid="bulk-percent"]').textContent === '100'`)

	// All five cardholders are in the list.
	if err := chromedp.Do(tab, chromedp.Navigate(w.env.Server.URL+partnerPath(w.partner, "/cardholders")),
		chromedp.WaitVisible(apptest.TestID("cardholder-rows"))); err != nil {
		t.Fatalf("open the cardholders: %v", err)
	}
	waitTrue(t, tab, "five cardholders are listed", `document.querySelectorAll('[data-testid="cardholder-row"]').length === 5 &&
		[...document.querySelectorAll('[data-testid="cardholder-email"]')].some(e => e.textContent === 'maria2@example.com')`)
}

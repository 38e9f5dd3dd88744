package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
)

// In the browser, the export links follow the list as the operator searches and sorts it (the
// table is replaced by HTMX): the CSV the link downloads has the rows the table shows, in order.
func TestBrowserExportFollowsTheSearchAndSort(t *testing.T) {
	env := apptest.New(t, handlers.Routes)
	p := env.Partner("Quetzal Pay", "GTQ")
	env.Operator("admin@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	chCreate(t, env, p, chPerson("Abel", "Mora", "abel@planilla.gt", "50211110002", "DPI", "2222222222222"))
	chCreate(t, env, p, chPerson("Berta", "Zúñiga", "berta@planilla.gt", "50211110001", "DPI", "1111111111111"))
	chCreate(t, env, p, chPerson("Celia", "Ortiz", "celia@otra.com", "50211110003", "DPI", "3333333333333"))
	ctx := apptest.Browser(t)
	steps := []struct {
		what string
		do   chromedp.Action[chromedp.Void]
	}{
		{"sign in", env.LoginActions("admin@example.com")},
		{"open the list", chromedp.Steps(
			chromedp.Navigate(env.Server.URL+partnerPath(p, "/cardholders")),
			chromedp.WaitVisible(apptest.TestID("cardholder-search")),
			chReady(),
			chPoll(`document.querySelectorAll('[data-testid="cardholder-row"]').length === 3`))},
		// Each step waits for HTMX to settle the table it swapped in, so the next click finds it live.
		{"search", chromedp.Steps(
			chromedp.Evaluate[chromedp.Void](`window.chBefore = window.chSettled`),
			chromedp.SendKeys(apptest.TestID("cardholder-search"), "planilla"),
			chPoll(`window.chSettled > window.chBefore &&
				document.querySelectorAll('[data-testid="cardholder-row"]').length === 2 &&
				document.querySelector('[data-testid="export-csv"]').href.includes('searchText=planilla')`))},
		{"sort", chromedp.Steps(
			chClickSettled(apptest.TestID("sort-name")),
			chPoll(`document.querySelector('[data-testid="export-csv"]').href.includes('sortBy=name') &&
				document.querySelector('[data-testid^="cardholder-open-"]').textContent.trim() === 'Abel'`))},
	}
	for _, s := range steps {
		if err := chromedp.Do(ctx, s.do); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('[data-testid^="cardholder-open-"]')].map(a => a.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('[data-testid="export-csv"]').href).then(r => r.text())`,
		func(p *runtime.EvaluateParams) { p.AwaitPromise = new(true) }))
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	rows := readCSV(t, []byte(body))
	var names []string
	for _, r := range rows[1:] {
		names = append(names, r[1])
	}
	// Newest first until the operator sorted by name.
	if len(shown) != 2 || shown[0] != "Abel" || strings.Join(names, ",") != strings.Join(shown, ",") {
		t.Fatalf("the table shows %v, the export has %v", shown, names)
	}
	xlsx, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="export-xlsx"]').getAttribute('href')`))
	if err != nil || !strings.Contains(xlsx, "/cardholders/export.xlsx?") || !strings.Contains(xlsx, "searchText=planilla") {
		t.Errorf("XLSX link %q (%v)", xlsx, err)
	}
}

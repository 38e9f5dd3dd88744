package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
)

// consoleProblems collects the page's console errors, uncaught exceptions and browser log errors
// (Content-Security-Policy violations are reported there).
type consoleProblems struct {
	mu   sync.Mutex
	list []string
}

func watchConsole(ctx context.Context) *consoleProblems {
	p := &consoleProblems{}
	add := func(s string) {
		p.mu.Lock()
		p.list = append(p.list, s)
		p.mu.Unlock()
	}
	go func() {
		for ev, err := range chromedp.Events(ctx, runtime.ExceptionThrown) {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			add("exception: " + text)
		}
	}()
	go func() {
		for ev, err := range chromedp.Events(ctx, runtime.ConsoleAPICalled) {
			if err != nil {
				return
			}
			if t := string(ev.Type); t == "error" || t == "warning" || t == "assert" {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				add("console." + t + ": " + strings.Join(parts, " "))
			}
		}
	}()
	go func() {
		for ev, err := range chromedp.Events(ctx, log.EntryAdded) {
			if err != nil {
				return
			}
			// The browser asks for /favicon.ico by itself; the console has none.
			if strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				continue
			}
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				add("log (" + string(ev.Entry.Source) + "): " + ev.Entry.Text)
			}
		}
	}()
	return p
}

func (p *consoleProblems) get() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.list...)
}

// TestBrowserBulkCardFormUnderStrictCSP runs the bulk card form (select all, a one-time code,
// block) under the strict Content-Security-Policy, with no inline script allowed: the form works and
// the browser reports no console error, exception or policy violation.
func TestBrowserBulkCardFormUnderStrictCSP(t *testing.T) {
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	h := storetest.Cardholder(t, env.Store, p)
	a, b := storetest.ActiveCard(t, env.Store, p, h), storetest.ActiveCard(t, env.Store, p, h)
	op := env.Operator("admin@example.com", true, apptest.Grant{Partner: p, Roles: []string{"admin"}})

	res := env.Do(http.MethodGet, "/login", nil, nil)
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") {
		t.Fatalf("Content-Security-Policy %q allows inline scripts", csp)
	}

	ctx := apptest.Browser(t)
	problems := watchConsole(ctx)
	chAcceptConfirms(ctx)
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		env.LoginActions(op.Email),
		chromedp.Navigate(env.Server.URL+partnerPath(p, "/cards")),
		chReady(),
		chromedp.Click(apptest.TestID("select-all-cards")),
		chPoll(`[...document.querySelectorAll('#cards-table input[name=cardIds]')].every(b => b.checked)`),
		chromedp.SendKeys(apptest.TestID("bulk-otp"), op.OTP()+"\r"), // Enter must not submit the form natively
		chClickSettled(apptest.TestID("bulk-block")),
		chWaitText(apptest.TestID("bulk-results"), "now blocked"),
		chPoll(`document.querySelector('[data-testid="bulk-otp"]').value === ''`),
	); err != nil {
		t.Fatalf("bulk form: %v; console: %v", err, problems.get())
	}
	for _, id := range []int64{a.ID, b.ID} {
		var status string
		if err := env.Store.DB().Get(&status, `SELECT status FROM cards WHERE id = $1`, id); err != nil || status != "BLOCKED" {
			t.Errorf("card %d is %s (%v), want BLOCKED", id, status, err)
		}
	}
	if got := problems.get(); len(got) > 0 {
		t.Fatalf("the browser reported problems under the strict policy:\n%s", strings.Join(got, "\n"))
	}
}

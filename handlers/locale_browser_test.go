package handlers_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

// englishUI are words of the English console that must never show on a Spanish screen.
var englishUI = []string{"Approve", "Reject", "Cancel", "Search", "Cardholders", "Balance", "Partners", "Log out",
	"Sign in", "Password", "Amount", "Status", "Created", "History", "Evidence", "Previous", "Next", "Loading",
	"Download", "Submit", "Waiting for review", "available", "Observations", "Client requests", "Top-ups", "Audit log",
	"Resolutions", "Notifications", "Decision", "Comments", "Invite", "Team", "My account", "Upload", "Bulk files",
	"Enabled", "Permissions", "Authenticator", "Highlight",
	"Movements", "Card history", "Load", "Unload", "Transfer", "Replace", "Block", "Unblock", "Reversals", "Statement",
	"Personal data", "Confirm", "Detail", "Channel", "Reason", "Issue cards", "Linked", "Opening balance"}

// screenText is everything a person reads or hears on the page: the visible text, every text node as
// written (innerText follows CSS, so an uppercase table header would hide its case) and the texts of
// titles, placeholders, labels for assistive technology and confirmations.
const screenText = `(() => {
	const parts = [document.title, document.body.innerText];
	const nodes = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	while (nodes.nextNode()) {
		const tag = nodes.currentNode.parentElement.tagName;
		if (tag !== 'SCRIPT' && tag !== 'STYLE') parts.push(nodes.currentNode.data);
	}
	for (const e of document.querySelectorAll('[title],[placeholder],[aria-label],[alt],[hx-confirm]')) {
		for (const a of ['title', 'placeholder', 'aria-label', 'alt', 'hx-confirm']) {
			if (e.hasAttribute(a)) parts.push(e.getAttribute(a));
		}
	}
	return parts.join('\n');
})()`

// spanishBrowser asks for Spanish in Accept-Language, as a browser set up in Spanish does.
func spanishBrowser(t *testing.T) context.Context {
	ctx := apptest.Browser(t)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders,
		network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "es-GT,es;q=0.9"}}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// guatemalanPartner is a partner whose country is Guatemala, so its operators read Spanish.
func guatemalanPartner(t *testing.T, env *apptest.Env) int64 {
	t.Helper()
	p := env.Partner("Quetzal Pay", "GTQ")
	if err := env.Store.SetPartnerCountry(context.Background(), store.SystemActor("test"), p, "GT"); err != nil {
		t.Fatal(err)
	}
	return p
}

func wantNoEnglish(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](screenText))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range englishUI {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(w) + `\b`).MatchString(text) {
			t.Errorf("%s shows the English %q:\n%s", screen, w, text)
		}
	}
}

// TestBrowserSpanishScreensShowNoEnglish walks the login page, the dashboard, the partner page,
// the top-ups screen (queue with review buttons, history), the cardholder, card and cards screens
// (walkSpanishCardScreens), the client requests, resolutions, audit log, team and bulk files screens
// in Spanish and finds no English UI word.
func TestBrowserSpanishScreensShowNoEnglish(t *testing.T) {
	env := apptest.New(t, handlers.Routes)
	p := guatemalanPartner(t, env)
	storetest.CreditPartner(t, env.Store, p, "250000")
	maker := env.Operator("maker@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}}).Login()
	admin := env.Operator("admin@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}}).Login()
	createTopUp(t, env, maker, p, "12500")
	ctx := spanishBrowser(t)
	id := apptest.TestID

	runSteps(t, ctx, "login page",
		chromedp.Navigate(env.Server.URL+"/login"),
		chromedp.WaitVisible(id("login-email")),
	)
	wantNoEnglish(t, ctx, "the login page")
	runSteps(t, ctx, "dashboard",
		env.LoginActions("admin@example.com"),
		waitText("partner-balance", "Q 250,000.00"),
	)
	wantNoEnglish(t, ctx, "the dashboard")
	runSteps(t, ctx, "partner page",
		chromedp.Navigate(env.Server.URL+partnerPath(p, "")),
		chromedp.WaitVisible(id("pr-queue")),
		waitText("available-balance", "Q 250,000.00"),
	)
	wantNoEnglish(t, ctx, "the partner page")
	runSteps(t, ctx, "top-ups",
		chromedp.Navigate(env.Server.URL+partnerPath(p, "/top-ups")),
		chromedp.WaitVisible(id("pr-approve")),
		waitText("pr-amount", "Q 12,500.00"),
		waitText("pr-status", "pendiente"),
	)
	wantNoEnglish(t, ctx, "the top-ups screen")
	walkRequestsTeamAndBulkInSpanish(t, ctx, env, p, admin, maker)

	// The language picker switches the same operator to English, and the choice stays.
	runSteps(t, ctx, "switch to English", chromedp.Click(id("language-en")))
	// The click navigates (post, redirect, page): wait through it for the page it lands on.
	for try := 0; ; try++ {
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := chromedp.Do(sctx, waitText("pr-approve", "Approve"))
		cancel()
		if err == nil {
			break
		}
		if try == 5 {
			t.Fatalf("the top-ups page did not come back in English: %v", err)
		}
	}
	runSteps(t, ctx, "English after the switch",
		chromedp.Navigate(env.Server.URL+"/"),
		waitText("logout", "Log out"),
	)
	walkSpanishCardScreens(t, env, p, maker)
}

// TestBrowserAmountTypedWithThousandsSeparators: the load form takes 12,500.00 as the operator
// writes it, and refuses 12.500,00 with what to type.
func TestBrowserAmountTypedWithThousandsSeparators(t *testing.T) {
	w := newFundsWorld(t, "50000")
	ctx := apptest.Browser(t)
	id := apptest.TestID
	runSteps(t, ctx, "ambiguous amount",
		w.env.LoginActions("maker@example.com"),
		chromedp.Navigate(w.env.Server.URL+w.cardPath(w.card.ID, "")),
		chromedp.WaitVisible(id("load-form")),
		chromedp.SendKeys(id("load-amount"), "12.500,00"),
		chromedp.Click(id("load-review")),
		waitText("error-amount", "12,500.00"),
	)
	runSteps(t, ctx, "amount with thousands separators",
		chromedp.Navigate(w.env.Server.URL+w.cardPath(w.card.ID, "")),
		chromedp.WaitVisible(id("load-form")),
		chromedp.SendKeys(id("load-amount"), "12,500.00"),
		chromedp.Click(id("load-review")),
		chromedp.WaitVisible(id("funds-review")),
		waitText("review-amount", "Q 12,500.00"),
		waitText("review-card-after", "12,500.00"),
		chromedp.Click(id("funds-confirm")),
		chromedp.WaitVisible(id("funds-result")),
		waitText("card-balance", "12,500.00"),
	)
	w.wantBalance(w.card.ID, "12500")
	w.wantPartnerBalance("37500")
}

// TestBrowserTopUpAtNightShowsItsOwnDay: a top-up made at 21:30 in Guatemala (03:30 UTC the next
// day) shows on its own day and hour, with the zone named on the screen.
func TestBrowserTopUpAtNightShowsItsOwnDay(t *testing.T) {
	env := apptest.New(t, handlers.Routes)
	p := guatemalanPartner(t, env)
	maker := env.Operator("maker@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}}).Login()
	env.Operator("checker@example.com", false, apptest.Grant{Partner: p, Roles: []string{"checker"}})
	pr := createTopUp(t, env, maker, p, "250")
	if _, err := env.Store.DB().ExecContext(context.Background(),
		`UPDATE process_requests SET created_at = '2026-03-06 03:30:00+00' WHERE id = $1`, pr); err != nil {
		t.Fatal(err)
	}
	ctx := spanishBrowser(t)
	id := apptest.TestID
	runSteps(t, ctx, "top-ups",
		env.LoginActions("checker@example.com"),
		chromedp.Navigate(env.Server.URL+partnerPath(p, "/top-ups")),
		chromedp.WaitVisible(id("pr-created")),
	)
	created, err := chromedp.Run(ctx, chromedp.Text(id("pr-created")))
	if err != nil {
		t.Fatal(err)
	}
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(id("pr-created"), "title"))
	if err != nil {
		t.Fatal(err)
	}
	title := attr.Value
	note, err := chromedp.Run(ctx, chromedp.Text(id("zone-note")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(created) != "05/03/2026 21:30" {
		t.Errorf("created shows %q, want 05/03/2026 21:30", created)
	}
	if title != "05/03/2026 21:30:00 UTC−6" {
		t.Errorf("the exact time on hover is %q", title)
	}
	if !strings.Contains(note, "hora de Guatemala (UTC−6)") {
		t.Errorf("the zone note says %q", note)
	}
}

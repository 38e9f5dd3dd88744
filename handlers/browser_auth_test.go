package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
)

func TestBrowserLoginDashboardLogout(t *testing.T) {
	env := apptest.New(t, handlers.Routes)
	p1 := env.Partner("Quetzal Pay", "GTQ")
	env.Partner("Hidden Co", "USD")
	env.Operator("ana@example.com", false, apptest.Grant{Partner: p1, Roles: []string{"admin"}})
	ctx := apptest.Browser(t)
	id := apptest.TestID

	// A wrong password shows an error on the form.
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.Server.URL+"/login"),
		chromedp.WaitVisible(id("login-email")),
		chromedp.SendKeys(id("login-email"), "ana@example.com"),
		chromedp.SendKeys(id("login-password"), "not-the-password"),
		chromedp.Click(id("login-submit")),
		chromedp.WaitVisible(id("login-error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(id("login-error")))
	if err != nil || !strings.Contains(msg, "invalid email or password") {
		t.Fatalf("login error = %q (%v)", msg, err)
	}

	if err := chromedp.Do(ctx, env.LoginActions("ana@example.com"), chromedp.WaitVisible(id("partner-list"))); err != nil {
		t.Fatal(err)
	}
	list, err := chromedp.Run(ctx, chromedp.Text(id("partner-list")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, "Quetzal Pay") || !strings.Contains(list, "0.00") || strings.Contains(list, "Hidden Co") {
		t.Fatalf("dashboard shows %q", list)
	}

	// The audit page shows the login.
	if err := chromedp.Do(ctx, chromedp.Navigate(env.Server.URL+"/cms/rest/app/audit"), chromedp.WaitVisible(id("audit-rows"))); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Text(id("audit-rows")))
	if err != nil || !strings.Contains(rows, "auth.console_login") || !strings.Contains(rows, "ana@example.com") {
		t.Fatalf("audit rows %q (%v)", rows, err)
	}

	if err := chromedp.Do(ctx, chromedp.Click(id("logout")), chromedp.WaitVisible(id("login-email"))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(env.Server.URL+"/"), chromedp.WaitVisible(id("login-email"))); err != nil {
		t.Fatalf("after logout the dashboard did not send back to the login: %v", err)
	}
}

func TestBrowserRefusesCrossSitePost(t *testing.T) {
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal Pay", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	// Another site that makes the visitor's browser post to the console.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<form id="f" method="post" action="%s/logout"></form><script>document.getElementById('f').submit()</script>`, env.Server.URL)
	}))
	t.Cleanup(evil.Close)
	ctx := apptest.Browser(t)
	id := apptest.TestID
	if err := chromedp.Do(ctx, env.LoginActions("ana@example.com")); err != nil {
		t.Fatal(err)
	}
	// Another origin on the same site gets the cookie but fails the origin and token checks (403);
	// another site does not even get the cookie (SameSite=Lax), so the post is anonymous (401).
	for _, c := range []struct {
		url    string
		status string
	}{
		{evil.URL, "403"},
		{strings.Replace(evil.URL, "127.0.0.1", "localhost", 1), "401"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(c.url), chromedp.WaitVisible(id("error-page"))); err != nil {
			t.Fatal(err)
		}
		text, _ := chromedp.Run(ctx, chromedp.Text(id("error-page")))
		if !strings.Contains(text, c.status) {
			t.Fatalf("post from %s answered %q, want %s", c.url, text, c.status)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(env.Server.URL+"/"), chromedp.WaitVisible(id("operator-email"))); err != nil {
			t.Fatalf("the post from %s logged the operator out: %v", c.url, err)
		}
	}
	var refused int
	if err := env.Store.DB().Get(&refused, `SELECT count(*) FROM audit_log WHERE action = 'authz.refused'`); err != nil || refused == 0 {
		t.Fatalf("refusal not audited (%d, %v)", refused, err)
	}
}

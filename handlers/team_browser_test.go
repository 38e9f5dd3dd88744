package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
)

// An admin invites a maker from the Team page; the maker joins through the link in another browser
// context, enrols by reading the secret from the page, lands signed in and sees the top-up form;
// once the admin disables them, their next click signs them out.
func TestBrowserInviteJoinAndDisable(t *testing.T) {
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal Pay", "GTQ")
	env, p := fx.Env, fx.Partner
	admin := env.Operator("admin@example.com", true, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	browser := apptest.Browser(t)
	a, b := apptest.NewTab(t, browser), apptest.NewTab(t, browser)

	if err := chromedp.Do(a, env.LoginActions(admin.Email), chromedp.Navigate(env.Server.URL+usersPath(p, "")),
		chromedp.WaitVisible(apptest.TestID("invite-form")),
		chromedp.SendKeys(apptest.TestID("invite-email"), "nueva@example.com"),
		chromedp.SendKeys(apptest.TestID("invite-name"), "Nueva"),
		chromedp.Click(apptest.TestID("invite-role-maker")),
		chromedp.Click(apptest.TestID("invite-submit")),
		chromedp.WaitVisible(apptest.TestID("invitation-link"))); err != nil {
		t.Fatalf("the admin invites: %v", err)
	}
	link, err := chromedp.Run(a, chromedp.Value(apptest.TestID("invitation-link")))
	if err != nil || !strings.Contains(link, "/invite/") {
		t.Fatalf("invitation link %q: %v", link, err)
	}
	link = env.Server.URL + link[strings.Index(link, "/invite/"):]

	if err := chromedp.Do(b, chromedp.Navigate(link), chromedp.WaitVisible(apptest.TestID("invite-password-form")),
		chromedp.SendKeys(apptest.TestID("join-name"), " Operadora"),
		chromedp.SendKeys(apptest.TestID("join-password"), apptest.Password),
		chromedp.Click(apptest.TestID("join-submit")),
		chromedp.WaitVisible(apptest.TestID("enrol-secret"))); err != nil {
		t.Fatalf("the new operator sets a password: %v", err)
	}
	secret, err := chromedp.Run(b, chromedp.Text(apptest.TestID("enrol-secret")))
	if err != nil || secret == "" {
		t.Fatalf("secret %q: %v", secret, err)
	}
	code, err := totp.GenerateCode(strings.TrimSpace(secret), env.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b, chromedp.SendKeys(apptest.TestID("enrol-code"), code), chromedp.Click(apptest.TestID("enrol-submit")),
		chromedp.WaitVisible(apptest.TestID("recovery-codes")),
		chromedp.Click(apptest.TestID("continue")),
		chromedp.WaitVisible(apptest.TestID("operator-email")),
		chromedp.Navigate(env.Server.URL+partnerPath(p, "/top-ups")),
		chromedp.WaitVisible(apptest.TestID("top-up-form"))); err != nil {
		t.Fatalf("the new operator joins and sees the top-up form: %v", err)
	}

	d := admin.Do(http.MethodGet, usersPath(p, "?searchText=nueva"), nil).WantStatus(http.StatusOK).Data()
	id := d["items"].([]any)[0].(map[string]any)["id"].(float64)
	admin.Do(http.MethodPatch, usersPath(p, "/"+itoa(int64(id))+"/status"), map[string]any{"status": "DISABLED"}).WantStatus(http.StatusOK)
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`nav a[href="/"]`)), chromedp.WaitVisible(apptest.TestID("login-email"))); err != nil {
		t.Fatalf("the disabled operator was not signed out on the next click: %v", err)
	}
}

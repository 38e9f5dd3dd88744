package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
)

func TestConsoleLoginSessionAndLogout(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	p1, p2 := env.Partner("Quetzal Pay", "GTQ"), env.Partner("Hidden Co", "USD")
	env.Operator("ana@example.com", false, apptest.Grant{Partner: p1, Roles: []string{"viewer"}})
	_ = p2

	anon := env.Console()
	res := anon.Get("/", false)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2F" {
		t.Fatalf("anonymous dashboard: %d %s", res.Status, res.Header.Get("Location"))
	}
	anon.Login("ana@example.com", "wrong").WantStatus(http.StatusUnauthorized).Contains("invalid email or password")

	c := env.SignIn("ana@example.com")
	c.Get("/", false).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="operator-email"]`).
		Contains("Quetzal Pay").
		Lacks("Hidden Co")
	if c.CSRF == "" {
		t.Fatal("no CSRF token on the dashboard")
	}

	// The cookie from before logout must not work afterwards, even if replayed.
	cookies := c.Client.Jar.Cookies(mustURL(env.Server.URL))
	c.PostForm("/logout", url.Values{"_csrf": {c.CSRF}}).WantStatus(http.StatusSeeOther)
	c.Get("/", false).WantStatus(http.StatusSeeOther)
	replay := env.Console()
	replay.Client.Jar.SetCookies(mustURL(env.Server.URL), cookies)
	replay.Get("/", false).WantStatus(http.StatusSeeOther)
}

func TestConsoleStateChangesNeedTheCSRFToken(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	c := env.Console()
	c.Login("ana@example.com", apptest.Password)
	c.PostForm("/logout", url.Values{}).WantStatus(http.StatusForbidden)
	c.PostForm("/logout", url.Values{"_csrf": {"forged"}}).WantStatus(http.StatusForbidden)

	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/logout", nil)
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	c.Do(req).WantStatus(http.StatusForbidden)
	c.Get("/", false).WantStatus(http.StatusOK)

	// The login form needs its own token too.
	other := env.Console()
	other.PostForm("/login", url.Values{"email": {"ana@example.com"}, "password": {apptest.Password}}).WantStatus(http.StatusForbidden)
}

func TestBalanceServesJSONPartialAndPage(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	path := "/cms/rest/app/partners/" + itoa(p) + "/balance"

	res := op.Do(http.MethodGet, path, nil).WantStatus(http.StatusOK)
	if res.Header.Get("Content-Type") != "application/json" || res.Data()["currency"] != "GTQ" {
		t.Fatalf("JSON: %s %s", res.Header.Get("Content-Type"), res.Body)
	}
	c := env.Console()
	c.Login(op.Email, apptest.Password)
	part := c.Get(path, true).WantStatus(http.StatusOK).WantSelectors(`[id="balance-card"]`).Lacks("<html")
	page := c.Get(path, false).WantStatus(http.StatusOK).WantSelectors(`[id="balance-card"]`).Contains("<html")
	for _, r := range []*apptest.Response{res, part, page} {
		if r.Header.Get("Vary") != "Accept, HX-Request" {
			t.Errorf("Vary = %q", r.Header.Get("Vary"))
		}
	}
	c.Get("/cms/rest/app/partners/"+itoa(p), false).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="partner-title"]`).
		Contains("Uno")
}

func TestAuditPageShowsLoginsToPermittedOperators(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("admin@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	env.Operator("viewer@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	v := env.Console()
	v.Login("viewer@example.com", apptest.Password)
	// A viewer holds no audit-log:list anywhere: no link, and the page and the API refuse.
	v.Get("/", false).WantStatus(http.StatusOK).Lacks(`data-testid="nav-audit"`)
	v.Get("/cms/rest/app/audit", false).WantStatus(http.StatusForbidden)
	viewer := env.Existing("viewer@example.com", 0)
	viewer.Do(http.MethodGet, "/cms/rest/app/audit", nil).WantError(http.StatusForbidden, "7005")

	a := env.Console()
	a.Login("admin@example.com", apptest.Password)
	a.Get("/", false).WantStatus(http.StatusOK).WantSelectors(`[data-testid="nav-audit"]`)
	a.Get("/cms/rest/app/audit", false).WantStatus(http.StatusOK).Contains("auth.console_login", "viewer@example.com", "admin@example.com")
	a.Get("/cms/rest/app/audit?actor=viewer", true).WantStatus(http.StatusOK).
		WantSelectors(`[id="audit-table"]`).
		Contains("viewer@example.com").
		Lacks("<html", "admin@example.com</td>")
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

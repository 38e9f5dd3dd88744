package handlers_test

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/web"
)

func loginWithForwardedFor(env *apptest.Env, email, xff string) *apptest.Response {
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/cms/rest/app/users/login",
		strings.NewReader(`{"email":"`+email+`","password":"wrong-password-guess"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+env.AppToken())
	req.Header.Set("X-Forwarded-For", xff)
	req.Header.Set("X-Real-IP", xff)
	return env.Send(req)
}

func TestForwardedForIsBelievedOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	// Forged addresses, one per attempt, on as many emails: the per-address limit still holds.
	for i := 0; i < store.AddressLoginPolicy.MaxFailures; i++ {
		loginWithForwardedFor(env, "user"+itoa(int64(i))+"@example.com", "203.0.113."+itoa(int64(i+1))).
			WantError(http.StatusUnauthorized, "7004")
	}
	loginWithForwardedFor(env, "another@example.com", "198.51.100.9").WantError(http.StatusTooManyRequests, "7009")
	var ips []string
	if err := env.Store.DB().Select(&ips, `SELECT DISTINCT ip FROM audit_log WHERE action LIKE 'auth.login_%'`); err != nil {
		t.Fatal(err)
	}
	if len(ips) != 1 || ips[0] != "127.0.0.1" {
		t.Fatalf("audited addresses %v, want only the connection's", ips)
	}

	// Behind a configured proxy the header names the client.
	_, loopback, _ := net.ParseCIDR("127.0.0.1/32")
	proxied := apptest.NewWith(t, handlers.Routes, func(o *web.Options) { o.TrustedProxies = []*net.IPNet{loopback} })
	for i := 0; i < store.AddressLoginPolicy.MaxFailures+5; i++ {
		loginWithForwardedFor(proxied, "user"+itoa(int64(i))+"@example.com", "203.0.113."+itoa(int64(i+1))).
			WantError(http.StatusUnauthorized, "7004")
	}
	var first string
	if err := proxied.Store.DB().Get(&first, `SELECT ip FROM audit_log WHERE action = 'auth.login_failed' ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if first != "203.0.113.1" {
		t.Fatalf("audited address %q behind a trusted proxy, want 203.0.113.1", first)
	}
}

func TestNextAfterSignInStaysOnTheConsole(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	hostile := []string{
		"%2F%09%2Fevil.example", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\\evil.example",
		"\\\\evil.example", "//evil.example", "///evil.example", "https:evil.example", "https://evil.example",
		"javascript:alert(1)", "/%2F/evil.example", "/%2f%2fevil.example", "%5C%5Cevil.example", "/%5Cevil.example",
		"/%5C/evil.example", "%2F%2Fevil.example", "/%252F%252Fevil.example", "evil.example", " /evil", "/\x00/evil",
		"http:/evil.example", "\u3002/evil", "/%09/evil.example", "/%0d%0a/evil.example",
	}
	for _, next := range hostile {
		browser := env.Console()
		page := browser.Get("/login?next="+url.QueryEscape(next), false)
		if page.Status == http.StatusBadRequest {
			continue // refused outright (a NUL byte in a query parameter): nothing to be redirected to
		}
		if strings.Contains(string(page.Body), "evil") {
			t.Errorf("login page keeps next %q", next)
		}
		csrf := strings.Split(strings.Split(string(page.Body), `name="_csrf" value="`)[1], `"`)[0]
		res := browser.PostForm("/login", url.Values{"email": {op.Email}, "password": {apptest.Password}, "_csrf": {csrf}, "next": {next}})
		res.WantStatus(http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("next %q redirects to %q, want /", next, loc)
		}
	}
	browser := env.Console()
	page := browser.Get("/login?next="+url.QueryEscape("/cms/rest/app/partners/"+itoa(p)+"?tab=cards"), false)
	csrf := strings.Split(strings.Split(string(page.Body), `name="_csrf" value="`)[1], `"`)[0]
	res := browser.PostForm("/login", url.Values{"email": {op.Email}, "password": {apptest.Password}, "_csrf": {csrf},
		"next": {"/cms/rest/app/partners/" + itoa(p) + "?tab=cards"}})
	if loc := res.Header.Get("Location"); loc != "/cms/rest/app/partners/"+itoa(p)+"?tab=cards" {
		t.Fatalf("a path on the console redirects to %q", loc)
	}
}

func TestIdleConsoleSessionEnds(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	browser := env.SignIn(op.Email)
	page := browser.Get("/", false).WantStatus(http.StatusOK)
	page.WantSelectors(`[data-testid="idle-warning"]`).Contains(`data-idle-seconds="900"`, `/static/js/idle.js`)

	// Activity keeps the session: 14 minutes, a request, 14 minutes, the keep-alive, 14 minutes.
	env.AdvanceClock(14 * time.Minute)
	browser.Get("/", false).WantStatus(http.StatusOK)
	env.AdvanceClock(14 * time.Minute)
	browser.HTMX(http.MethodPost, "/session/keepalive", nil).WantStatus(http.StatusNoContent)
	env.AdvanceClock(14 * time.Minute)
	browser.Get("/", false).WantStatus(http.StatusOK)
	// 15 minutes without a request end it.
	env.AdvanceClock(15*time.Minute + time.Second)
	if res := browser.Get("/", false); res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("idle session answered %d %s", res.Status, res.Header.Get("Location"))
	}

	// The absolute limit (one hour here) holds however active the session is.
	browser = env.Console()
	browser.Login(op.Email, apptest.Password).WantStatus(http.StatusSeeOther)
	for i := 0; i < 5; i++ {
		env.AdvanceClock(10 * time.Minute)
		browser.Get("/", false).WantStatus(http.StatusOK)
	}
	env.AdvanceClock(10*time.Minute + time.Second)
	if res := browser.Get("/", false); res.Status != http.StatusSeeOther {
		t.Fatalf("session past its absolute limit answered %d", res.Status)
	}
}

func TestRefreshKeepsTheSignInLimitAndRefusesDisabledOperators(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	auth := map[string]string{"Authorization": "Bearer " + env.AppToken()}
	login := func() string {
		return env.Do(http.MethodPost, "/cms/rest/app/users/login", auth, map[string]string{"email": op.Email, "password": apptest.Password}).
			WantStatus(http.StatusOK).Data()["refreshToken"].(string)
	}
	refresh := func(tok string) *apptest.Response {
		return env.Do(http.MethodPost, "/cms/rest/app/users/refresh", nil, map[string]string{"refreshToken": tok})
	}

	// REFRESH_TOKEN_TTL is one hour here, counted from the sign-in.
	tok := login()
	env.AdvanceClock(50 * time.Minute)
	pair := refresh(tok).WantStatus(http.StatusOK).Data()
	if pair["expiresIn"] != float64(10*60) {
		t.Errorf("access token after 50 minutes lives %v s, want what is left of the hour (600)", pair["expiresIn"])
	}
	env.AdvanceClock(11 * time.Minute)
	refresh(pair["refreshToken"].(string)).WantError(http.StatusUnauthorized, "7004")

	// A disabled operator's refresh token is refused.
	tok = login()
	if _, err := env.Store.DB().Exec(`UPDATE operators SET status = 'DISABLED' WHERE id = $1`, op.ID); err != nil {
		t.Fatal(err)
	}
	refresh(tok).WantError(http.StatusUnauthorized, "7004")
}

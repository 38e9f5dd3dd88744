package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

func TestSecondFactorAtAPISignIn(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	viewer := env.Operator("viewer@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	checker := env.Operator("checker@example.com", false, apptest.Grant{Partner: p, Roles: []string{"checker"}})
	auth := map[string]string{"Authorization": "Bearer " + env.AppToken()}
	login := func(email string) *apptest.Response {
		return env.Do(http.MethodPost, "/cms/rest/app/users/login", auth, map[string]string{"email": email, "password": apptest.Password})
	}
	complete := func(challenge, code string) *apptest.Response {
		return env.Do(http.MethodPost, "/cms/rest/app/users/login/otp", auth, map[string]string{"challenge": challenge, "otp": code})
	}

	// A viewer approves nothing and moves no money: the password is enough.
	login(viewer.Email).WantStatus(http.StatusOK)

	// A checker approves: the password step answers 7015 with a challenge and, with no
	// authenticator yet, the secret to enrol.
	res := login(checker.Email).WantError(http.StatusUnauthorized, "7015")
	if strings.Contains(string(res.Body), "accessToken") {
		t.Fatalf("the password step handed out tokens: %s", res.Body)
	}
	ch := res.JSON()["data"].(map[string]any)
	secret, _ := ch["enrolSecret"].(string)
	if secret == "" || ch["challenge"] == "" || !strings.HasPrefix(ch["otpauthUri"].(string), "otpauth://totp/") {
		t.Fatalf("challenge %v", ch)
	}
	complete(ch["challenge"].(string), "123456").WantError(http.StatusForbidden, "7008")
	complete(ch["challenge"].(string), "").WantError(http.StatusForbidden, "7007")
	env.Do(http.MethodPost, "/cms/rest/app/users/login/otp", auth, map[string]string{"challenge": "forged", "otp": "123456"}).
		WantError(http.StatusUnauthorized, "7004")
	// The kit learns the secret as an authenticator app would.
	tokens := completeWithKit(t, env, checker.Email, secret, ch["challenge"].(string), complete).WantStatus(http.StatusOK).Data()
	headers := map[string]string{"Authorization": auth["Authorization"], "x-user-token": "Bearer " + tokens["accessToken"].(string)}
	env.Do(http.MethodGet, "/cms/rest/app/partners/"+itoa(p)+"/balance", headers, nil).WantStatus(http.StatusOK)
	// The challenge is spent, and the authenticator is now enrolled.
	complete(ch["challenge"].(string), env.SignInCode(checker.Email)).WantError(http.StatusUnauthorized, "7004")
	again := login(checker.Email).WantError(http.StatusUnauthorized, "7015").JSON()["data"].(map[string]any)
	if _, enrolling := again["enrolSecret"]; enrolling {
		t.Fatalf("an enrolled operator was offered a new secret: %v", again)
	}
	complete(again["challenge"].(string), env.SignInCode(checker.Email)).WantStatus(http.StatusOK)
	if n := auditCount(t, env, "auth.otp_required"); n < 2 {
		t.Fatalf("%d OTP-required refusals audited", n)
	}

	// The partner's policy decides: ALL asks the viewer too, OFF asks nobody.
	if err := env.Store.SetSecondFactorPolicy(t.Context(), store.SystemActor("test"), p, "ALL"); err != nil {
		t.Fatal(err)
	}
	login(viewer.Email).WantError(http.StatusUnauthorized, "7015")
	if err := env.Store.SetSecondFactorPolicy(t.Context(), store.SystemActor("test"), p, "OFF"); err != nil {
		t.Fatal(err)
	}
	login(checker.Email).WantStatus(http.StatusOK)
}

// completeWithKit records secret as the operator's authenticator and completes the challenge.
func completeWithKit(t *testing.T, env *apptest.Env, email, secret, challenge string, complete func(string, string) *apptest.Response) *apptest.Response {
	t.Helper()
	env.Enrolled(email, secret)
	return complete(challenge, env.SignInCode(email))
}

func TestSecondFactorAtConsoleSignIn(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	maker := env.Operator("maker@example.com", true, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	browser := env.Console()
	page := browser.Get("/login?next="+url.QueryEscape("/cms/rest/app/partners/"+itoa(p)), false)
	csrf := strings.Split(strings.Split(string(page.Body), `name="_csrf" value="`)[1], `"`)[0]
	res := browser.PostForm("/login", url.Values{"email": {maker.Email}, "password": {apptest.Password}, "_csrf": {csrf},
		"next": {"/cms/rest/app/partners/" + itoa(p)}})
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/login/code" {
		t.Fatalf("password step answered %d %s", res.Status, res.Header.Get("Location"))
	}
	// No session yet: the console still wants a sign-in.
	if r := browser.Get("/", false); r.Status != http.StatusSeeOther {
		t.Fatalf("console before the code answered %d", r.Status)
	}
	code := browser.Get("/login/code", false).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="login-otp"]`).
		Contains("maker@example.com").
		Lacks("login-enrol-secret")
	csrf = strings.Split(strings.Split(string(code.Body), `name="_csrf" value="`)[1], `"`)[0]
	browser.PostForm("/login/code", url.Values{"otp": {"000000"}, "_csrf": {csrf}}).WantStatus(http.StatusForbidden).
		Contains("the code is wrong")
	res = browser.PostForm("/login/code", url.Values{"otp": {env.SignInCode(maker.Email)}, "_csrf": {csrf}})
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/cms/rest/app/partners/"+itoa(p) {
		t.Fatalf("code step answered %d %s", res.Status, res.Header.Get("Location"))
	}
	browser.Get("/", false).WantStatus(http.StatusOK).Contains("maker@example.com")
}

func TestBrowserSignInWithPasswordThenCode(t *testing.T) {
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal Pay", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("admin@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	ctx := apptest.Browser(t)
	id := apptest.TestID
	// No authenticator yet: the code page shows the secret to enrol, then takes a code.
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.Server.URL+"/login"),
		chromedp.WaitVisible(id("login-email")),
		chromedp.SendKeys(id("login-email"), "admin@example.com"),
		chromedp.SendKeys(id("login-password"), apptest.Password),
		chromedp.Click(id("login-submit")),
		chromedp.WaitVisible(id("login-enrol-secret")),
		env.CodeActions("admin@example.com"),
		chromedp.WaitVisible(id("partner-list")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Signed out and in again: password, then a code of the enrolled authenticator.
	err = chromedp.Do(ctx,
		chromedp.Click(id("logout")),
		chromedp.WaitVisible(id("login-email")),
		chromedp.Navigate(env.Server.URL+"/login"),
		chromedp.WaitVisible(id("login-email")),
		chromedp.SendKeys(id("login-email"), "admin@example.com"),
		chromedp.SendKeys(id("login-password"), apptest.Password),
		chromedp.Click(id("login-submit")),
		chromedp.WaitVisible(id("login-otp")),
	)
	if err != nil {
		t.Fatal(err)
	}
	enrolling, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('[data-testid="login-enrol-secret"]')`))
	if err != nil || enrolling {
		t.Fatalf("an enrolled operator was offered a secret again (%v)", err)
	}
	if err := chromedp.Do(ctx, env.CodeActions("admin@example.com"), chromedp.WaitVisible(id("operator-email"))); err != nil {
		t.Fatal(err)
	}
}

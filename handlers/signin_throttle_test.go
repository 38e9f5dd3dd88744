package handlers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

// burst sends n copies of a request in parallel and returns how many got each status.
func burst(t *testing.T, n int, newReq func() *http.Request, client *http.Client) map[int]int {
	t.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := client.Do(newReq())
			status := 0
			if err == nil {
				status = res.StatusCode
				res.Body.Close()
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[0] > 0 {
		t.Fatalf("%d requests failed in transport", statuses[0])
	}
	return statuses
}

func jsonRequest(env *apptest.Env, path string, headers map[string]string, body any) func() *http.Request {
	return func() *http.Request {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		return req
	}
}

func auditCount(t *testing.T, env *apptest.Env, action string) int {
	t.Helper()
	var n int
	if err := env.Store.DB().Get(&n, `SELECT count(*) FROM audit_log WHERE action = $1`, action); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestParallelWrongPasswordsAreComparedAtMostFiveTimes(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	auth := map[string]string{"Authorization": "Bearer " + env.AppToken()}
	before := env.Store.Compared().Passwords.Load()

	got := burst(t, 40, jsonRequest(env, "/cms/rest/app/users/login", auth,
		map[string]string{"email": op.Email, "password": "wrong-password-guess"}), env.Server.Client())
	compared := env.Store.Compared().Passwords.Load() - before
	if compared > int64(store.DefaultLoginPolicy.MaxFailures) || got[http.StatusUnauthorized] != int(compared) ||
		got[http.StatusTooManyRequests] != 40-int(compared) {
		t.Fatalf("40 parallel guesses: %d passwords compared, statuses %v", compared, got)
	}
	env.Do(http.MethodPost, "/cms/rest/app/users/login", auth, map[string]string{"email": op.Email, "password": apptest.Password}).
		WantError(http.StatusTooManyRequests, "7009")
	if n := env.Store.Compared().Passwords.Load() - before; n != compared {
		t.Fatalf("the right password was compared while locked (%d comparisons)", n)
	}
	// Refusals while locked are audited with the client's address.
	var locked []string
	if err := env.Store.DB().Select(&locked, `SELECT ip FROM audit_log WHERE action = 'auth.login_locked'`); err != nil {
		t.Fatal(err)
	}
	if len(locked) != 40-int(compared)+1 || locked[0] != "127.0.0.1" {
		t.Fatalf("locked refusals audited: %v", locked)
	}
}

func TestParallelWrongPasswordsOnTheConsoleFormAreComparedAtMostFiveTimes(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	browser := env.Console()
	page := browser.Get("/login", false)
	csrf := strings.Split(strings.Split(string(page.Body), `name="_csrf" value="`)[1], `"`)[0]
	before := env.Store.Compared().Passwords.Load()

	got := burst(t, 40, func() *http.Request {
		form := url.Values{"email": {op.Email}, "password": {"wrong-password-guess"}, "_csrf": {csrf}}
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html")
		return req
	}, browser.Client)
	if compared := env.Store.Compared().Passwords.Load() - before; compared > int64(store.DefaultLoginPolicy.MaxFailures) ||
		got[http.StatusTooManyRequests] < 35 {
		t.Fatalf("40 parallel guesses on the form: %d passwords compared, statuses %v", compared, got)
	}
	env.Console().Login(op.Email, apptest.Password).WantStatus(http.StatusTooManyRequests).Contains("too many failed sign-ins")
}

func TestApplicationLoginsAreThrottledAndAudited(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	app, err := env.Store.CreateApplication(t.Context(), store.SystemActor("test"), "throttled app", nil)
	if err != nil {
		t.Fatal(err)
	}
	before := env.Store.Compared().AppSecrets.Load()
	got := burst(t, 40, jsonRequest(env, "/cms/rest/app/auth/login", nil,
		map[string]string{"merchant": app.Merchant, "secret": "guessed-secret"}), env.Server.Client())
	compared := env.Store.Compared().AppSecrets.Load() - before
	if compared > int64(store.DefaultLoginPolicy.MaxFailures) || got[http.StatusTooManyRequests] != 40-int(compared) {
		t.Fatalf("40 parallel secrets: %d compared, statuses %v", compared, got)
	}
	env.Do(http.MethodPost, "/cms/rest/app/auth/login", nil, map[string]string{"merchant": app.Merchant, "secret": app.Secret}).
		WantError(http.StatusTooManyRequests, "7009")
	if n := auditCount(t, env, "auth.app_login_failed"); n != int(compared) {
		t.Fatalf("%d failed application logins audited, want %d", n, compared)
	}
	if n := auditCount(t, env, "auth.login_locked"); n != 40-int(compared)+1 {
		t.Fatalf("%d locked application logins audited", n)
	}
}

func TestParallelWrongCodesAreComparedAtMostFiveTimes(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("otp@example.com", true, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	headers := op.Headers()
	before := env.Store.Compared().OTPCodes.Load()
	got := burst(t, 40, func() *http.Request {
		req := jsonRequest(env, "/cms/rest/app/users/auth/otp", headers, map[string]string{"otp": "000000"})()
		req.Method = http.MethodPut
		return req
	}, env.Server.Client())
	compared := env.Store.Compared().OTPCodes.Load() - before
	if compared > int64(store.DefaultOTPPolicy.MaxFailures) || got[http.StatusTooManyRequests] != 40-int(compared) {
		t.Fatalf("40 parallel codes: %d compared, statuses %v", compared, got)
	}
	op.Do(http.MethodPut, "/cms/rest/app/users/auth/otp", map[string]string{"otp": op.OTP()}).WantError(http.StatusTooManyRequests, "7009")
}

package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

func TestLoginChainRefreshAndLogout(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	app := env.AppToken()

	env.Do(http.MethodPost, "/cms/rest/app/auth/login", nil, map[string]string{"merchant": "nope", "secret": "nope"}).
		WantError(http.StatusUnauthorized, "7004")
	env.Do(http.MethodPost, "/cms/rest/app/auth/login", nil, map[string]string{}).WantError(http.StatusBadRequest, "7000")
	env.Do(http.MethodPost, "/cms/rest/app/auth/login", nil, "{not json").WantError(http.StatusBadRequest, "7000")
	env.Do(http.MethodPost, "/cms/rest/app/users/login", nil, map[string]string{"email": op.Email, "password": apptest.Password}).
		WantError(http.StatusUnauthorized, "7004")
	env.Do(http.MethodPost, "/cms/rest/app/users/login", map[string]string{"Authorization": "Bearer " + app},
		map[string]string{"email": op.Email, "password": "wrong"}).WantError(http.StatusUnauthorized, "7004")

	login := env.Do(http.MethodPost, "/cms/rest/app/users/login", map[string]string{"Authorization": "Bearer " + app},
		map[string]string{"email": op.Email, "password": apptest.Password}).WantStatus(http.StatusOK).Data()
	access, refresh := login["accessToken"].(string), login["refreshToken"].(string)
	if login["expiresIn"] != float64(15*60) {
		t.Errorf("expiresIn = %v", login["expiresIn"])
	}
	headers := map[string]string{"Authorization": "Bearer " + app, "x-user-token": "Bearer " + access}
	balance := "/cms/rest/app/partners/" + itoa(p) + "/balance"
	env.Do(http.MethodGet, balance, headers, nil).WantStatus(http.StatusOK)

	next := env.Do(http.MethodPost, "/cms/rest/app/users/refresh", nil, map[string]string{"refreshToken": refresh}).
		WantStatus(http.StatusOK).Data()
	env.Do(http.MethodPost, "/cms/rest/app/users/refresh", nil, map[string]string{"refreshToken": refresh}).
		WantError(http.StatusUnauthorized, "7004")
	env.Do(http.MethodGet, balance, headers, nil).WantError(http.StatusUnauthorized, "7004")

	headers["x-user-token"] = "Bearer " + next["accessToken"].(string)
	env.Do(http.MethodGet, balance, headers, nil).WantStatus(http.StatusOK)
	env.Do(http.MethodPost, "/cms/rest/app/users/logout", headers, nil).WantStatus(http.StatusNoContent)
	env.Do(http.MethodGet, balance, headers, nil).WantError(http.StatusUnauthorized, "7004")
	env.Do(http.MethodPost, "/cms/rest/app/users/refresh", nil, map[string]string{"refreshToken": next["refreshToken"].(string)}).
		WantError(http.StatusUnauthorized, "7004")
}

func TestLoginIsThrottledAfterRepeatedFailures(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	op := env.Operator("ana@example.com", false)
	app := env.AppToken()
	h := map[string]string{"Authorization": "Bearer " + app}
	for i := 0; i < store.DefaultLoginPolicy.MaxFailures; i++ {
		env.Do(http.MethodPost, "/cms/rest/app/users/login", h, map[string]string{"email": op.Email, "password": "wrong"}).
			WantError(http.StatusUnauthorized, "7004")
	}
	env.Do(http.MethodPost, "/cms/rest/app/users/login", h, map[string]string{"email": op.Email, "password": apptest.Password}).
		WantError(http.StatusTooManyRequests, "7009")
}

func TestOTPEndpointAcceptsACodeOnceAndLocksOut(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("otp@example.com", true, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	code := op.OTP()
	op.Do(http.MethodPost, "/cms/rest/app/users/auth/otp", map[string]string{"email": op.Email, "purpose": "login"}).WantStatus(http.StatusOK)
	op.Do(http.MethodPut, "/cms/rest/app/users/auth/otp", map[string]string{"otp": code}).WantStatus(http.StatusOK)
	op.Do(http.MethodPut, "/cms/rest/app/users/auth/otp", map[string]string{"otp": code}).WantError(http.StatusForbidden, "7008")
	for i := 1; i < store.DefaultOTPPolicy.MaxFailures; i++ {
		op.Do(http.MethodPut, "/cms/rest/app/users/auth/otp", map[string]string{"otp": "abcdef"}).WantError(http.StatusForbidden, "7008")
	}
	op.Do(http.MethodPut, "/cms/rest/app/users/auth/otp", map[string]string{"otp": op.OTP()}).WantError(http.StatusTooManyRequests, "7009")
	var refused int
	if err := env.Store.DB().Get(&refused, `SELECT count(*) FROM audit_log WHERE action = 'auth.otp_refused'`); err != nil || refused != store.DefaultOTPPolicy.MaxFailures {
		t.Fatalf("refused codes audited %d times (%v)", refused, err)
	}
}

func TestRefusedAuthorizationIsAudited(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	p1, p2 := env.Partner("Uno", "GTQ"), env.Partner("Dos", "GTQ")
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p1, Roles: []string{"viewer"}})
	op.Do(http.MethodGet, "/cms/rest/app/partners/"+itoa(p2)+"/balance", nil).WantError(http.StatusForbidden, "7005")
	op.Do(http.MethodGet, "/cms/rest/app/partners/abc/balance", nil).WantError(http.StatusNotFound, "7010")
	var n int
	if err := env.Store.DB().Get(&n, `SELECT count(*) FROM audit_log WHERE action = 'authz.refused' AND partner_id = $1 AND actor_id = $2`, p2, op.ID); err != nil || n != 1 {
		t.Fatalf("refusal audited %d times (%v)", n, err)
	}
}

func TestErrorsAnswerTheEnvelope(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	op.Do(http.MethodGet, "/cms/rest/app/partners/"+itoa(p)+"/nothing-here", nil).WantError(http.StatusNotFound, "7010")
	big := strings.Repeat("x", 2<<20)
	env.Do(http.MethodPost, "/cms/rest/app/auth/login", nil, `{"merchant":"`+big+`"}`).WantError(http.StatusRequestEntityTooLarge, "7012")
}

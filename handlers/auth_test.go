package handlers_test

import (
	"net/http"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
)

func TestBalanceNeedsBothTokensWithBearerPrefix(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	p1 := env.Partner("Uno", "GTQ")
	p2 := env.Partner("Dos", "USD")
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p1, Roles: []string{"viewer"}}).Login()
	app := env.AppToken()

	res := op.Do(http.MethodGet, "/cms/rest/app/partners/"+itoa(p1)+"/balance", nil).WantStatus(http.StatusOK)
	data := res.Data()
	for _, k := range []string{"id", "clientId", "available", "currency", "updatedAt", "createdAt"} {
		if _, ok := data[k]; !ok {
			t.Errorf("balance lacks %q: %s", k, res.Body)
		}
	}
	if data["clientId"] != float64(p1) || data["currency"] != "GTQ" || data["available"] != float64(0) {
		t.Errorf("balance = %s", res.Body)
	}

	path := "/cms/rest/app/partners/" + itoa(p1) + "/balance"
	cases := map[string]map[string]string{
		"no headers":          {},
		"app token only":      {"Authorization": "Bearer " + app},
		"operator token only": {"x-user-token": "Bearer " + op.Token},
		"raw operator token":  {"Authorization": "Bearer " + app, "x-user-token": op.Token},
		"raw app token":       {"Authorization": app, "x-user-token": "Bearer " + op.Token},
		"swapped tokens":      {"Authorization": "Bearer " + op.Token, "x-user-token": "Bearer " + app},
		"unknown token":       {"Authorization": "Bearer " + app, "x-user-token": "Bearer nope"},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			env.Do(http.MethodGet, path, h, nil).WantError(http.StatusUnauthorized, "7004")
		})
	}
	op.Do(http.MethodGet, "/cms/rest/app/partners/"+itoa(p2)+"/balance", nil).WantError(http.StatusForbidden, "7005")
}

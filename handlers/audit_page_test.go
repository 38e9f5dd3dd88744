package handlers_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"cardconsole/store"
	"cardconsole/store/storetest"
	"cardconsole/web/webtest"
)

// TestAuditPageNamesWhatEachEntryIsAbout: the audit log names the cardholder, the operator and the
// partner of an entry instead of their numbers, in the operator's language, with times in the
// partner's zone and the exact UTC time only on hover.
func TestAuditPageNamesWhatEachEntryIsAbout(t *testing.T) {
	env := webtest.New(t)
	p := env.Partner("Quetzal Pay", "GTQ")
	admin := env.Operator("admin@example.com", false, webtest.Grant{Partner: p, Roles: []string{"admin"}})
	holder := storetest.Cardholder(t, env.Store, p)
	if _, err := env.Store.SetCardholderTags(context.Background(), store.SystemActor("test"), p, holder, []string{"norte"}); err != nil {
		t.Fatal(err)
	}
	invited := int64(admin.Do(http.MethodPost, usersPath(p, ""), map[string]any{"email": "nuevo@example.com", "roles": []string{"viewer"}}).
		WantStatus(http.StatusCreated).Data()["operatorId"].(float64))

	en := consoleLogin(t, env, admin.Email)
	en.Get("/cms/rest/app/audit?limit=100", false).WantStatus(http.StatusOK).Contains(
		`data-object="cardholder:`+itoa(holder)+`" data-testid="audit-object">Cardholder Ana Pérez<`,
		`data-object="operator:`+itoa(invited)+`" data-testid="audit-object">Operator nuevo@example.com<`,
		`data-testid="audit-partner">Quetzal Pay<`, "Times in Guatemala time (UTC−6)").Lacks(">cardholder " + itoa(holder) + "<")

	es := env.Console()
	es.Lang = "es"
	es.Login(admin.Email, webtest.Password).WantStatus(http.StatusSeeOther)
	body := string(es.Get("/cms/rest/app/audit?limit=100", false).WantStatus(http.StatusOK).Contains(
		`data-testid="audit-object">Tarjetahabiente Ana Pérez<`, `data-testid="audit-object">Operador nuevo@example.com<`,
		"Bitácora de auditoría", "Horas en hora de Guatemala (UTC−6)").Body)
	when := regexp.MustCompile(`title="(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC" data-testid="audit-when">(\d{2}/\d{2}/\d{4} \d{2}:\d{2})<`)
	m := when.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no time with its exact UTC tooltip: %s", body)
	}
	if m[1][11:13] == m[2][11:13] {
		t.Errorf("the shown time %s is the UTC time %s, not Guatemala's", m[2], m[1])
	}
}

package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"cardconsole/web/webtest"
)

// An operator who may block and unblock cards but has no authenticator is not offered bulk actions
// they can never complete: the cards screen says why and links to the page where they enrol one.
// An operator with an authenticator gets the actions.
func TestCardsScreenExplainsBulkActionsNeedAnAuthenticator(t *testing.T) {
	env := webtest.New(t)
	p := env.Partner("Quetzal", "GTQ")
	// Blocking cards is not among the permissions that make the sign-in ask for a second factor.
	env.Operator("sin.codigo@example.com", false, webtest.Grant{Partner: p,
		Permissions: []string{"cards-admin:detail", "cards-admin:block", "cards-admin:unblock"}})
	env.Operator("con.codigo@example.com", true, webtest.Grant{Partner: p, Roles: []string{"admin"}})
	chStock(t, env, p, 2)
	cards := "/cms/rest/app/partners/" + itoa(p) + "/cards"

	without := chLogin(t, env, "sin.codigo@example.com")
	page := without.Page(http.MethodGet, cards, nil).WantStatus(http.StatusOK)
	chWantHTML(t, page, `data-testid="bulk-needs-authenticator"`, "Bulk block and unblock need an authenticator",
		`href="/cms/rest/app/users/me"`, `data-testid="bulk-enrol-link"`, `data-testid="card-rows"`)
	for _, offered := range []string{`data-testid="bulk-block"`, `data-testid="bulk-unblock"`, `data-testid="bulk-otp"`,
		`data-testid="select-all-cards"`, `name="cardIds"`} {
		if strings.Contains(string(page.Body), offered) {
			t.Fatalf("an operator without an authenticator is offered %s", offered)
		}
	}
	// The way out: the linked page offers to enrol an authenticator.
	chWantHTML(t, without.Page(http.MethodGet, "/cms/rest/app/users/me", nil).WantStatus(http.StatusOK), `data-testid="enrol-start-form"`)
	// The table alone (filter, pagination) has no selection boxes either.
	if part := without.HTMX(http.MethodGet, cards+"?status=INACTIVE", nil).WantStatus(http.StatusOK); strings.Contains(string(part.Body), `name="cardIds"`) {
		t.Fatal("the filtered table offers selection boxes")
	}

	// In Spanish, in Spanish words.
	without.Lang = "es"
	chWantHTML(t, without.Page(http.MethodGet, cards, nil).WantStatus(http.StatusOK),
		"Bloquear y desbloquear en lote requiere un autenticador", "Registre un autenticador en Mi cuenta")

	with := chLogin(t, env, "con.codigo@example.com")
	page = with.Page(http.MethodGet, cards, nil).WantStatus(http.StatusOK)
	chWantHTML(t, page, `data-testid="bulk-block"`, `data-testid="bulk-otp"`, `data-testid="select-all-cards"`)
	if strings.Contains(string(page.Body), "bulk-needs-authenticator") {
		t.Fatal("an operator with an authenticator is told to enrol one")
	}
}

package handlers_test

import (
	"net/http"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
)

// An operator who may block and unblock cards but has no authenticator is not offered bulk actions
// they can never complete: the cards screen says why and links to the page where they enrol one.
// An operator with an authenticator gets the actions.
func TestCardsScreenExplainsBulkActionsNeedAnAuthenticator(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	p := env.Partner("Quetzal", "GTQ")
	// Blocking cards is not among the permissions that make the sign-in ask for a second factor.
	env.Operator("sin.codigo@example.com", false, apptest.Grant{Partner: p,
		Permissions: []string{"cards-admin:detail", "cards-admin:block", "cards-admin:unblock"}})
	env.Operator("con.codigo@example.com", true, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	chStock(t, env, p, 2)
	cards := "/cms/rest/app/partners/" + itoa(p) + "/cards"
	offers := []string{`[data-testid="bulk-block"]`, `[data-testid="bulk-unblock"]`, `[data-testid="bulk-otp"]`,
		`[data-testid="select-all-cards"]`, `input[name="cardIds"]`}

	without := env.SignIn("sin.codigo@example.com")
	page := without.Page(http.MethodGet, cards, nil).WantStatus(http.StatusOK)
	page.WantSelectors(`[data-testid="bulk-needs-authenticator"]`, `a[data-testid="bulk-enrol-link"][href="/cms/rest/app/users/me"]`,
		`[data-testid="card-rows"]`).WantNoSelectors(offers...)
	page.WantText(`[data-testid="bulk-needs-authenticator"] p`, "Bulk block and unblock need an authenticator")
	// The way out: the linked page offers to enrol an authenticator.
	without.Page(http.MethodGet, "/cms/rest/app/users/me", nil).WantStatus(http.StatusOK).WantSelectors(`[data-testid="enrol-start-form"]`)
	// The table alone (filter, pagination) has no selection boxes either.
	without.HTMX(http.MethodGet, cards+"?status=INACTIVE", nil).WantStatus(http.StatusOK).
		WantSelectors(`[id="cards-table"]`).WantNoSelectors(`input[name="cardIds"]`)

	// In Spanish, in Spanish words.
	without.Lang = "es"
	without.Page(http.MethodGet, cards, nil).WantStatus(http.StatusOK).
		WantHTML("Bloquear y desbloquear en lote requiere un autenticador", "Registre un autenticador en Mi cuenta")

	with := env.SignIn("con.codigo@example.com")
	with.Page(http.MethodGet, cards, nil).WantStatus(http.StatusOK).WantSelectors(offers...).
		WantNoSelectors(`[data-testid="bulk-needs-authenticator"]`)
}

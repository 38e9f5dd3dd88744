package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
)

// The top-ups list gives its pending requests the address of their evidence (a URI, as documented,
// never ""), and an audit page without entries lists items as [] rather than null. The test kit
// checks both answers against the OpenAPI document too.
func TestTopUpsAndAuditAnswerTheDocumentedShapes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	partner := env.Partner("Quetzal", "GTQ")
	maker := env.Operator("maker@example.com", false,
		apptest.Grant{Partner: partner, Roles: []string{"maker"}, Permissions: []string{"audit-log:list"}}).Login()
	id := createTopUp(t, env, maker, partner, "100")

	pending, _ := maker.Do(http.MethodGet, partnerPath(partner, "/top-ups"), nil).WantStatus(http.StatusOK).Data()["pending"].([]any)
	want := "http://127.0.0.1" + requestPath(partner, id, "/evidence/download")
	if len(pending) != 1 || pending[0].(map[string]any)["evidenceUrl"] != want {
		t.Fatalf("pending top-ups = %v, want one with evidenceUrl %s", pending, want)
	}

	res := maker.Do(http.MethodGet, "/cms/rest/app/audit?action=no.such.action", nil).WantStatus(http.StatusOK)
	if !strings.Contains(string(res.Body), `"items":[]`) {
		t.Fatalf("an empty audit page answered %s", res.Body)
	}
}

package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
)

// TestPersonalDataNeedsTheCodeOnEveryRoute: an operator who must give a one-time code for a
// cardholder's personal data (cardholders:otp) cannot read the address, document, phone or email
// through the request detail, the request list, its export or the cardholder list; an operator
// without that rule still can.
func TestPersonalDataNeedsTheCodeOnEveryRoute(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	var holder struct {
		Email, Phone, Address, Document string
	}
	if err := q.env.Store.DB().QueryRow(`SELECT email, phone_number, address, document_number FROM cardholders WHERE id = $1`, q.client).
		Scan(&holder.Email, &holder.Phone, &holder.Address, &holder.Document); err != nil {
		t.Fatal(err)
	}
	id := q.submit(t, q.client, "archive", nil)
	guarded := q.env.Operator("guarded@example.com", true,
		apptest.Grant{Partner: q.partner, Roles: []string{"checker"}, Permissions: []string{"cardholders:otp"}}).Login()

	routes := []string{
		path("/api/v2/applications/%d", id),
		"/api/v2/applications",
		"/api/v2/applications/export",
		partnerPath(q.partner, "/cardholders"),
	}
	get := func(op *apptest.Operator, route string) string {
		t.Helper()
		if strings.HasPrefix(route, "/api/") {
			return string(api(q.env, op, http.MethodGet, route, nil).WantStatus(http.StatusOK).Body)
		}
		return string(op.Do(http.MethodGet, route, nil).WantStatus(http.StatusOK).Body)
	}
	secrets := []string{holder.Email, holder.Phone, holder.Address, holder.Document}
	for _, route := range routes {
		body := get(guarded, route)
		for _, s := range secrets {
			if s != "" && strings.Contains(body, s) {
				t.Errorf("GET %s shows %q to an operator who needs a code for it: %.400s", route, s, body)
			}
		}
		// The checker, without the rule, sees the data on the same routes.
		open := get(q.checker, route)
		if !strings.Contains(open, holder.Email) {
			t.Errorf("GET %s hides the email from an operator who needs no code: %.400s", route, open)
		}
	}
	detail := api(q.env, guarded, http.MethodGet, path("/api/v2/applications/%d", id), nil).JSON()
	if detail["client"].(map[string]any)["personalDataMasked"] != true {
		t.Errorf("the masked client does not say so: %v", detail["client"])
	}
	// With the code, the cardholder detail shows everything, as before.
	res := guarded.Do(http.MethodPost, partnerPath(q.partner, "/cardholders/"+itoa(q.client)), map[string]string{"otp": guarded.OTP()})
	res.WantStatus(http.StatusOK).Contains(holder.Address, holder.Document)
}

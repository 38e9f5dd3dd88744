package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

// TestAuditLogFollowsTagRestriction: a tag-restricted operator reading the audit log (API and
// page) sees the entries about the cardholders, cards and requests of its tags and none about the
// others; an unrestricted admin sees both.
func TestAuditLogFollowsTagRestriction(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	st, ctx, sys := q.env.Store, context.Background(), store.SystemActor("test")
	hidden := storetest.Cardholder(t, st, q.partner)
	hiddenCard := storetest.ActiveCard(t, st, q.partner, hidden)
	if _, err := st.SetCardholderTags(ctx, sys, q.partner, q.client, []string{"north"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetCardholderTags(ctx, sys, q.partner, hidden, []string{"south"}); err != nil {
		t.Fatal(err)
	}
	fund(t, st, q.partner, q.card, "10")
	fund(t, st, q.partner, hiddenCard, "10")
	seenReq := q.submit(t, q.client, "archive", nil)
	hiddenReq := q.submit(t, hidden, "archive", nil)

	restricted := q.env.Operator("auditor@example.com", false, apptest.Grant{Partner: q.partner, Roles: []string{"admin"}}).Login()
	if _, err := st.RestrictOperator(ctx, sys, restricted.ID, q.partner, []string{"north"}); err != nil {
		t.Fatal(err)
	}
	admin := q.env.Operator("admin@example.com", false, apptest.Grant{Partner: q.partner, Roles: []string{"admin"}}).Login()

	about := func(op *apptest.Operator) map[string]bool {
		t.Helper()
		var page struct {
			Data struct {
				Items []store.AuditEntry `json:"items"`
				Total int                `json:"total"`
			} `json:"data"`
		}
		op.Do(http.MethodGet, "/cms/rest/app/audit?limit=100", nil).WantStatus(http.StatusOK).Decode(&page)
		if page.Data.Total > 100 {
			t.Fatalf("more entries than one page: %d", page.Data.Total)
		}
		out := map[string]bool{}
		for _, e := range page.Data.Items {
			out[e.ObjectType+":"+e.ObjectID] = true
		}
		return out
	}
	want := map[string]bool{"cardholder:" + itoa(q.client): true, "card:" + itoa(q.card.ID): true, "client_request:" + itoa(seenReq): true}
	gone := map[string]bool{"cardholder:" + itoa(hidden): true, "card:" + itoa(hiddenCard.ID): true, "client_request:" + itoa(hiddenReq): true}
	all := about(admin)
	mine := about(restricted)
	for k := range want {
		if !all[k] || !mine[k] {
			t.Errorf("entry about %s: admin sees %v, restricted sees %v; want both", k, all[k], mine[k])
		}
	}
	for k := range gone {
		if !all[k] {
			t.Errorf("admin does not see %s", k)
		}
		if mine[k] {
			t.Errorf("restricted operator sees the entry about %s outside its tags", k)
		}
	}
	// The page shows the same scope.
	page := q.env.SignIn("auditor@example.com")
	body := string(page.Get("/cms/rest/app/audit?limit=100&action=client_request.", false).WantStatus(http.StatusOK).Body)
	if !containsObject(body, "client_request", seenReq) || containsObject(body, "client_request", hiddenReq) {
		t.Errorf("audit page scope wrong: %s", body)
	}
}

// containsObject reports whether an audit page has a row about the object.
func containsObject(body, objectType string, id int64) bool {
	return strings.Contains(body, `data-object="`+objectType+":"+itoa(id)+`"`)
}

// TestAuditLogNeedsThePermission: without audit-log:list on any partner the API and the page answer
// 403 and the navigation has no link; with it, an empty log is [] and not null.
func TestAuditLogNeedsThePermission(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	maker := env.Operator("maker@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	maker.Do(http.MethodGet, "/cms/rest/app/audit", nil).WantError(http.StatusForbidden, "7005")
	cl := env.SignIn("maker@example.com")
	cl.Get("/cms/rest/app/audit", false).WantStatus(http.StatusForbidden)
	cl.Get("/", false).WantStatus(http.StatusOK).Lacks(`href="/cms/rest/app/audit"`)

	admin := env.Operator("admin@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	res := admin.Do(http.MethodGet, "/cms/rest/app/audit?action=nothing.like.this", nil).WantStatus(http.StatusOK)
	if !strings.Contains(string(res.Body), `"items":[]`) {
		t.Fatalf("empty audit page: %s", res.Body)
	}
	ca := env.SignIn("admin@example.com")
	ca.Get("/", false).WantStatus(http.StatusOK).Contains(`href="/cms/rest/app/audit"`)
}

package handlers_test

import (
	"context"
	"net/http"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

// An operator restricted to some cardholder tags downloads only what their lists show: the tagged
// cardholders, their cards (and the stock), and the audit entries about them.
func TestExportsKeepTheOperatorsTagScope(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	st := env.Store
	ctx := context.Background()
	sys := store.SystemActor("test")
	p := env.Partner("Quetzal", "GTQ")
	vip := storetest.Cardholder(t, st, p)
	plain := storetest.Cardholder(t, st, p)
	storetest.ActiveCard(t, st, p, vip)
	storetest.ActiveCard(t, st, p, plain)
	if _, err := st.IssueCards(ctx, sys, p, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetCardholderTags(ctx, sys, p, vip, []string{"vip"}); err != nil {
		t.Fatal(err)
	}
	restricted := env.Operator("tagged@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"},
		Permissions: []string{"audit-log:list"}}).Login()
	if _, err := st.RestrictOperator(ctx, sys, restricted.ID, p, []string{"vip"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		list, export, name string
		fields             map[string]string
		want               int
	}{
		{partnerPath(p, "/cardholders?limit=100"), partnerPath(p, "/cardholders/export"), "cardholders-" + itoa(p),
			map[string]string{"id": "id", "email": "email"}, 1},
		{partnerPath(p, "/cards?limit=100"), partnerPath(p, "/cards/export"), "cards-" + itoa(p),
			map[string]string{"id": "id", "cardholderId": "cardholderId"}, 2},
		{"/cms/rest/app/audit?limit=100&action=card.", "/cms/rest/app/audit/export", "audit-log",
			map[string]string{"id": "id", "objectId": "objectId"}, -1},
	} {
		items := listItems(t, restricted.Do(http.MethodGet, tc.list, nil).WantStatus(http.StatusOK), "items")
		if tc.want >= 0 && len(items) != tc.want {
			t.Fatalf("%s lists %d, want %d: %v", tc.list, len(items), tc.want, items)
		}
		query := ""
		if tc.name == "audit-log" {
			query = "?action=card."
		}
		for _, format := range []string{"csv", "xlsx"} {
			rows := exportRows(t, env, restricted.Headers(), tc.export+"."+format+query, format, tc.name)
			wantRowsOfList(t, tc.export+"."+format, rows, items, tc.fields)
		}
	}
	// The audit log hides the entries about the other cardholder's card.
	var all int
	if err := st.DB().Get(&all, `SELECT count(*) FROM audit_log WHERE action LIKE 'card.%'`); err != nil {
		t.Fatal(err)
	}
	items := listItems(t, restricted.Do(http.MethodGet, "/cms/rest/app/audit?limit=100&action=card.", nil).WantStatus(http.StatusOK), "items")
	if len(items) >= all {
		t.Errorf("the restricted audit log lists %d of %d card entries: the tag scope hides none", len(items), all)
	}
}
